import { SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { monotonicFactory } from 'ulid';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { loadOrCreateSigningSecret } from '../../infra/local/dev-secrets.ts';
import { CLAIM_LEDGER_PATH } from '../../infra/local/ses-events.ts';
import {
  type ApiClient,
  api,
  eventually,
  type PendingSchedule,
  pendingSchedules,
  runDueSchedules,
  tokenFor,
  uniqueTenant,
} from '../support/api.ts';
import { useTestTable, writeItems } from '../support/dynamo.ts';
import { routeFor, shapeErrors } from '../support/response-shape.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
/** Moves the local scheduler's clock for the world's tenant. */
let controlToken: string;
/** The step target invoked in this process (same table, scheduler and SES), for duplicate firings. */
let sequenceStep: typeof import('#functions/schedule/sequenceStep');
let deliveries: typeof import('#shared/store/deliveries');

beforeAll(async () => {
  world = await createWorld();
  controlToken = await tokenFor({ tenant: world.tenant, role: 'admin', user: world.admin.id });
  useTestTable();
  process.env.AWS_ENDPOINT_URL_SESV2 = inject('sesEndpoint');
  process.env.SIGNING_SECRET = await loadOrCreateSigningSecret(inject('dataDir'));
  process.env.SCHEDULER = 'local';
  process.env.LOCAL_SCHEDULE_TABLE = `${inject('tableName')}-schedules`;
  process.env.SEND_RATE_PER_SECOND = 'unlimited';
  process.env.LOCAL_SES_LEDGER_URL = new URL(CLAIM_LEDGER_PATH, inject('sesEndpoint')).toString();
  sequenceStep = await import('#functions/schedule/sequenceStep');
  deliveries = await import('#shared/store/deliveries');
});

interface StoredEmail {
  readonly destination: { readonly to: string[] };
  readonly subject: string;
  readonly body: { readonly html?: string; readonly text?: string };
}

/** Emails to `address` in the local SES store. */
async function inbox(address: string): Promise<StoredEmail[]> {
  const response = await fetch(`${inject('sesEndpoint')}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.includes(address));
}

const subjectsOf = async (address: string) => (await inbox(address)).map((email) => email.subject);

async function newTemplate(client: ApiClient, subject = unique('Subject')) {
  const response = await client.post('/templates', {
    name: unique('Template'),
    subject,
    html: '<p>Hello {{contact.firstName}}, see <a href="https://example.com/offer">our offer</a></p>',
  });
  expect(response.status, response.text).toBe(201);
  return { id: response.body.id as string, subject };
}

async function newContact(client: ApiClient, fields: Record<string, unknown> = {}) {
  const response = await client.post('/contacts', {
    firstName: 'Ana',
    email: `${unique('ana')}@example.com`.toLowerCase(),
    ...fields,
  });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; email?: string };
}

async function newSequence(client: ApiClient, body: Record<string, unknown>) {
  const response = await client.post('/sequences', { name: unique('Sequence'), ...body });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; steps: { templateId: string }[] };
}

async function enroll(client: ApiClient, sequenceId: string, body: Record<string, unknown>) {
  const response = await client.post(`/sequences/${sequenceId}/enroll`, body);
  expect(response.status, response.text).toBe(200);
  return response.body as { enrolled: string[]; skipped: { contactId: string; reason: string }[] };
}

/** A contact enrolled in a new sequence of `steps` one-hour steps that all send one new template. */
async function enrolledContact(client: ApiClient, steps: number) {
  const template = await newTemplate(client);
  const sequence = await newSequence(client, {
    steps: Array.from({ length: steps }, () => ({ delayHours: 1, templateId: template.id })),
  });
  const contact = await newContact(client);
  await enroll(client, sequence.id, { contactIds: [contact.id] });
  return { template, sequence, contact };
}

const stepSchedules = async (sequenceId: string, contactId: string): Promise<PendingSchedule[]> =>
  (await pendingSchedules(controlToken)).filter(
    (schedule) =>
      schedule.target === 'sequenceStep' &&
      schedule.payload.sequenceId === sequenceId &&
      schedule.payload.contactId === contactId,
  );

/** Fires the pending schedule of `step` for the contact, at its time. */
async function fireStep(sequenceId: string, contactId: string, step: number) {
  const schedules = await stepSchedules(sequenceId, contactId);
  expect(schedules.map((schedule) => schedule.payload.step)).toEqual([step]);
  const [schedule] = schedules as [PendingSchedule];
  const at = new Date(Date.parse(schedule.scheduledAt) + 1_000);
  const fired = await runDueSchedules(controlToken, at, { name: schedule.name });
  expect(fired).toMatchObject([{ name: schedule.name, outcome: 'fired' }]);
  return schedule;
}

const enrollmentOf = async (client: ApiClient, sequenceId: string, contactId: string) => {
  const response = await client.get(`/sequences/${sequenceId}/enrollments/${contactId}`);
  expect(response.status, response.text).toBe(200);
  return response.body;
};

const inHours = (hours: number) => Date.now() + hours * 3_600_000;

describe('sequences', () => {
  it('creates a sequence with defaults, validates steps and templates, and patches, archives and restores it', async () => {
    const { repRed, admin, stranger } = world;
    const template = await newTemplate(repRed.client);
    const archivedTemplate = await newTemplate(repRed.client);
    expect((await repRed.client.delete(`/templates/${archivedTemplate.id}`)).status).toBe(204);
    const foreign = await newTemplate(stranger.client);

    const bad = await repRed.client.post('/sequences', {
      name: 'Bad',
      steps: [
        { delayHours: 0, templateId: template.id },
        { delayHours: 24, templateId: archivedTemplate.id, condition: 'not_opened' },
        { delayHours: 24, templateId: foreign.id },
      ],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((error: { path: string }) => error.path)).toEqual([
      'steps.1.templateId',
      'steps.2.templateId',
    ]);
    const invalid = await repRed.client.post('/sequences', {
      name: '',
      steps: [{ delayHours: 8761, templateId: template.id, condition: 'not_clicked' }],
      exitOn: ['meeting'],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'exitOn.0',
      'name',
      'steps.0.condition',
      'steps.0.delayHours',
    ]);

    const created = await repRed.client.post('/sequences', {
      name: 'Welcome',
      steps: [
        { delayHours: 0, templateId: template.id },
        { delayHours: 48, templateId: template.id, condition: 'not_opened' },
      ],
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/sequences/${created.body.id}`);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.body).toMatchObject({
      name: 'Welcome',
      ownerId: repRed.id,
      teamId: world.teams.red,
      archived: false,
      version: 1,
      steps: [
        { delayHours: 0, templateId: template.id, condition: 'always' },
        { delayHours: 48, templateId: template.id, condition: 'not_opened' },
      ],
      exitOn: ['replied', 'unsubscribed'],
    });
    const id = created.body.id as string;
    expect((await admin.client.get(`/sequences/${id}`)).body).toEqual(created.body);

    const patched = await repRed.client.patch(
      `/sequences/${id}`,
      { steps: [{ delayHours: 1, templateId: template.id }], exitOn: ['deal_won'] },
      { 'if-match': '"1"' },
    );
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).toMatchObject({
      version: 2,
      steps: [{ delayHours: 1, condition: 'always' }],
      exitOn: ['deal_won'],
    });
    expect((await repRed.client.patch(`/sequences/${id}`, { name: 'x' }, { 'if-match': '"1"' })).status).toBe(
      412,
    );
    const badPatch = await repRed.client.patch(`/sequences/${id}`, {
      steps: [{ delayHours: 1, templateId: archivedTemplate.id }],
    });
    expect(badPatch.status).toBe(400);
    expect(badPatch.body.errors).toEqual([
      { path: 'steps.0.templateId', message: 'is not a live template of this tenant that you can see' },
    ]);

    const list = await repRed.client.get('/sequences?q=welc');
    expect(list.body.items.map((item: { id: string }) => item.id)).toContain(id);

    expect((await repRed.client.delete(`/sequences/${id}`)).status).toBe(204);
    expect((await repRed.client.get('/sequences?q=welc')).body.items).toEqual([]);
    const contact = await newContact(repRed.client);
    const refused = await repRed.client.post(`/sequences/${id}/enroll`, { contactIds: [contact.id] });
    expect(refused.status).toBe(409);
    const restored = await repRed.client.post(`/sequences/${id}/restore`);
    expect(restored.status).toBe(200);
    expect(restored.body.archived).toBe(false);
  });

  it('enrolls contacts, sends each step once at its time, and completes', async () => {
    const { managerRed } = world;
    const first = await newTemplate(managerRed.client);
    const second = await newTemplate(managerRed.client);
    const sequence = await newSequence(managerRed.client, {
      steps: [
        { delayHours: 1, templateId: first.id },
        { delayHours: 24, templateId: second.id },
      ],
    });
    const ana = await newContact(managerRed.client);
    const ben = await newContact(managerRed.client, { firstName: 'Ben' });
    const noEmail = await newContact(managerRed.client, { email: undefined });
    const optedOut = await newContact(managerRed.client, { marketingStatus: 'unsubscribed' });
    const missing = '01J00000000000000000000000';

    const before = Date.now();
    const result = await enroll(managerRed.client, sequence.id, {
      contactIds: [ana.id, noEmail.id, ben.id, optedOut.id, missing],
    });
    expect(result).toEqual({
      enrolled: [ana.id, ben.id],
      skipped: [
        { contactId: noEmail.id, reason: 'no_email' },
        { contactId: optedOut.id, reason: 'not_subscribed' },
        { contactId: missing, reason: 'not_found' },
      ],
    });
    expect(await enroll(managerRed.client, sequence.id, { contactIds: [ana.id] })).toEqual({
      enrolled: [],
      skipped: [{ contactId: ana.id, reason: 'already_enrolled' }],
    });

    const enrollment = await enrollmentOf(managerRed.client, sequence.id, ana.id);
    expect(enrollment).toMatchObject({
      sequenceId: sequence.id,
      contactId: ana.id,
      status: 'active',
      currentStep: 0,
      enrolledBy: managerRed.id,
    });
    expect(enrollment).not.toHaveProperty('runId');
    const due = Date.parse(enrollment.nextStepAt);
    expect(due).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);
    expect(due).toBeLessThanOrEqual(inHours(1) + 1_000);

    // Not due yet: nothing fires.
    const [pending] = await stepSchedules(sequence.id, ana.id);
    expect(pending?.name).toMatch(/^seq-[0-9a-f]{40}-0$/);
    expect(
      await runDueSchedules(controlToken, new Date(due - 60_000), { name: pending?.name ?? '' }),
    ).toEqual([]);

    const step0 = await fireStep(sequence.id, ana.id, 0);
    const emails = await inbox(ana.email ?? '');
    expect(emails.map((email) => email.subject)).toEqual([first.subject]);
    expect(emails[0]?.body.html).toContain('Hello Ana');
    expect(emails[0]?.body.html).toMatch(/\/t\/c\/[\w-]+/);
    expect(emails[0]?.body.html).toMatch(/\/u\/[\w-]+/);
    expect(await enrollmentOf(managerRed.client, sequence.id, ana.id)).toMatchObject({
      status: 'active',
      currentStep: 1,
    });

    // The same firing again (a duplicate delivery by the scheduler): nothing more is sent.
    await expect(sequenceStep.handler(step0.payload)).resolves.toBe('done');
    expect(await subjectsOf(ana.email ?? '')).toEqual([first.subject]);

    await fireStep(sequence.id, ana.id, 1);
    expect(await subjectsOf(ana.email ?? '')).toEqual([first.subject, second.subject]);
    expect(await enrollmentOf(managerRed.client, sequence.id, ana.id)).toMatchObject({
      status: 'completed',
      currentStep: 1,
      completedAt: expect.any(String),
    });
    expect(await stepSchedules(sequence.id, ana.id)).toEqual([]);

    // Ben is still waiting for his first step.
    const active = await managerRed.client.get(`/sequences/${sequence.id}/enrollments?status=active`);
    expect(active.body.items.map((item: { contactId: string }) => item.contactId)).toEqual([ben.id]);
    const completed = await managerRed.client.get(`/sequences/${sequence.id}/enrollments?status=completed`);
    expect(completed.body.items.map((item: { contactId: string }) => item.contactId)).toEqual([ana.id]);
    const page = await managerRed.client.get(`/sequences/${sequence.id}/enrollments?limit=1`);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.nextCursor).toEqual(expect.any(String));
    const next = await managerRed.client.get(
      `/sequences/${sequence.id}/enrollments?limit=1&cursor=${page.body.nextCursor}`,
    );
    expect(next.body.items).toHaveLength(1);
    expect(next.body.items[0].contactId).not.toBe(page.body.items[0].contactId);

    // A contact runs through a sequence once.
    expect(await enroll(managerRed.client, sequence.id, { contactIds: [ana.id] })).toEqual({
      enrolled: [],
      skipped: [{ contactId: ana.id, reason: 'previously_enrolled' }],
    });
  });

  it('skips not_opened and not_clicked steps by the engagement of the last email sent', async () => {
    const { admin } = world;
    const [a, b, c] = [
      await newTemplate(admin.client),
      await newTemplate(admin.client),
      await newTemplate(admin.client),
    ];
    const sequence = await newSequence(admin.client, {
      steps: [
        { delayHours: 1, templateId: a.id },
        { delayHours: 24, templateId: b.id, condition: 'not_opened' },
        { delayHours: 24, templateId: c.id, condition: 'not_clicked' },
      ],
    });
    const opener = await newContact(admin.client);
    const clicker = await newContact(admin.client);
    await enroll(admin.client, sequence.id, { contactIds: [opener.id, clicker.id] });
    const ref = (contactId: string, step: number) => ({
      kind: 'sequence' as const,
      sequenceId: sequence.id,
      contactId,
      step,
    });

    await fireStep(sequence.id, opener.id, 0);
    await fireStep(sequence.id, clicker.id, 0);
    // A machine open does not count as an open; a person's open does.
    await deliveries.recordEngagement(world.tenant, ref(opener.id, 0), 'machineOpenedAt', new Date());
    await deliveries.recordEngagement(world.tenant, ref(opener.id, 0), 'openedAt', new Date());
    await deliveries.recordEngagement(world.tenant, ref(clicker.id, 0), 'machineOpenedAt', new Date());

    await fireStep(sequence.id, opener.id, 1);
    await fireStep(sequence.id, clicker.id, 1);
    expect(await subjectsOf(opener.email ?? '')).toEqual([a.subject]);
    expect(await subjectsOf(clicker.email ?? '')).toEqual([a.subject, b.subject]);
    expect(await enrollmentOf(admin.client, sequence.id, opener.id)).toMatchObject({
      status: 'active',
      currentStep: 2,
      skippedSteps: [1],
    });

    // The clicker clicks the second email; the opener never clicked the first.
    await deliveries.recordEngagement(world.tenant, ref(clicker.id, 1), 'clickedAt', new Date());
    await fireStep(sequence.id, opener.id, 2);
    await fireStep(sequence.id, clicker.id, 2);
    expect(await subjectsOf(opener.email ?? '')).toEqual([a.subject, c.subject]);
    expect(await subjectsOf(clicker.email ?? '')).toEqual([a.subject, b.subject]);
    expect(await enrollmentOf(admin.client, sequence.id, clicker.id)).toMatchObject({
      status: 'completed',
      skippedSteps: [2],
    });
    expect(await enrollmentOf(admin.client, sequence.id, opener.id)).toMatchObject({ status: 'completed' });
  });

  it('sends one email when firings of a step race', async () => {
    const { admin } = world;
    const { template, sequence, contact } = await enrolledContact(admin.client, 2);
    const [schedule] = await stepSchedules(sequence.id, contact.id);
    const event = { ...schedule?.payload, scheduledAt: schedule?.scheduledAt };

    const outcomes = await Promise.allSettled(Array.from({ length: 4 }, () => sequenceStep.handler(event)));
    // A firing that finds another one mid-send throws, so that the scheduler retries it later.
    for (const outcome of outcomes)
      if (outcome.status === 'rejected') expect(String(outcome.reason)).toMatch(/RetryLater|another firing/);
    expect(
      outcomes.filter((outcome) => outcome.status === 'fulfilled' && outcome.value === 'sent').length,
    ).toBeGreaterThan(0);
    // The schedule itself fires too, late: it finds the step done.
    const fired = await runDueSchedules(controlToken, new Date(inHours(1) + 60_000), {
      name: schedule?.name ?? '',
    });
    expect(fired).toMatchObject([{ outcome: 'fired' }]);
    expect(await subjectsOf(contact.email ?? '')).toEqual([template.subject]);
    expect(await enrollmentOf(admin.client, sequence.id, contact.id)).toMatchObject({ currentStep: 1 });
    expect((await stepSchedules(sequence.id, contact.id)).map((pending) => pending.payload.step)).toEqual([
      1,
    ]);
  });

  it('retries a throttled step later and sends it once', async () => {
    const { admin } = world;
    const { template, sequence, contact } = await enrolledContact(admin.client, 1);
    const [schedule] = await stepSchedules(sequence.id, contact.id);
    const event = { ...schedule?.payload, scheduledAt: schedule?.scheduledAt };
    const ref = { kind: 'sequence' as const, sequenceId: sequence.id, contactId: contact.id, step: 0 };

    // SES keeps throttling (injected in this process only): the claim is released and the firing throws.
    const ses = mockClient(SESv2Client);
    ses
      .on(SendEmailCommand)
      .rejects(new TooManyRequestsException({ message: 'Maximum sending rate exceeded', $metadata: {} }));
    try {
      await expect(sequenceStep.handler(event)).rejects.toThrow(/throttled/);
    } finally {
      ses.restore();
    }
    expect(await deliveries.getDelivery(world.tenant, ref)).toMatchObject({ status: 'pending' });
    expect(await enrollmentOf(admin.client, sequence.id, contact.id)).toMatchObject({
      currentStep: 0,
      status: 'active',
    });

    // The scheduler's retry sends it.
    await fireStep(sequence.id, contact.id, 0);
    expect(await subjectsOf(contact.email ?? '')).toEqual([template.subject]);
    expect(await enrollmentOf(admin.client, sequence.id, contact.id)).toMatchObject({ status: 'completed' });
  });

  it('waits at the step when SES leaves its outcome open, then sends it once SES’s record shows nothing went out', async () => {
    const { admin } = world;
    const { sequence, contact } = await enrolledContact(admin.client, 2);
    const [schedule] = await stepSchedules(sequence.id, contact.id);
    const event = { ...schedule?.payload, scheduledAt: schedule?.scheduledAt };
    const ref = { kind: 'sequence' as const, sequenceId: sequence.id, contactId: contact.id, step: 0 };

    // The connection drops (injected in this process only): SES may or may not have the email.
    const ses = mockClient(SESv2Client);
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('socket hang up'), { name: 'TimeoutError' }));
    try {
      await expect(sequenceStep.handler(event)).resolves.toBe('awaiting-outcome');
    } finally {
      ses.restore();
    }
    // Still claimed, the enrollment still at this step, and the step's schedule moved to when it can be told.
    expect(await deliveries.getDelivery(world.tenant, ref)).toMatchObject({ status: 'sending' });
    expect(await enrollmentOf(admin.client, sequence.id, contact.id)).toMatchObject({ currentStep: 0 });
    const [recheck] = (await stepSchedules(sequence.id, contact.id)).filter(
      (pending) => pending.payload.step === 0,
    );
    expect(recheck?.scheduledAt).toBeDefined();
    expect(recheck?.scheduledAt).not.toBe(schedule?.scheduledAt);

    // Later, past the claim's send window: SES's record has no message under the claim, so it is sent now.
    const open = await deliveries.getDelivery(world.tenant, ref);
    await deliveries.releaseClaim(world.tenant, ref, open?.claimId ?? '');
    await deliveries.claimDelivery(world.tenant, ref, new Date(Date.now() - 60_000));
    await expect(sequenceStep.handler({ ...event, scheduledAt: recheck?.scheduledAt })).resolves.toBe('sent');
    expect(await deliveries.getDelivery(world.tenant, ref)).toMatchObject({ status: 'sent' });
    expect(await inbox(contact.email ?? '')).toHaveLength(1);
    expect(await enrollmentOf(admin.client, sequence.id, contact.id)).toMatchObject({ currentStep: 1 });
  });

  it('waits for a step another firing is sending, and settles a dead firing’s claim as sent when SES has its email', async () => {
    const { admin } = world;
    const { sequence, contact } = await enrolledContact(admin.client, 1);
    const [schedule] = await stepSchedules(sequence.id, contact.id);
    const event = { ...schedule?.payload, scheduledAt: schedule?.scheduledAt };
    const ref = { kind: 'sequence' as const, sequenceId: sequence.id, contactId: contact.id, step: 0 };

    // A firing claimed the delivery a moment ago and is still at it.
    await deliveries.createDelivery(world.tenant, { ref, email: contact.email ?? '', status: 'pending' });
    const claimed = await deliveries.claimDelivery(world.tenant, ref, new Date());
    await expect(sequenceStep.handler(event)).resolves.toBe('awaiting-outcome');
    expect(await enrollmentOf(admin.client, sequence.id, contact.id)).toMatchObject({ currentStep: 0 });

    // It got its email to SES and died before recording it: SES's record says so, and the step is done.
    const { sesMailer } = await import('#shared/mail/ses-mailer');
    const messageId = await sesMailer().send({
      to: contact.email ?? '',
      subject: 'Sent by the firing that died',
      text: 'Hello',
      tags: { claim: claimed?.claimId ?? '' },
    });
    await expect(sequenceStep.handler(event)).resolves.toBe('sent');
    expect(await deliveries.getDelivery(world.tenant, ref)).toMatchObject({ status: 'sent', messageId });
    expect(await enrollmentOf(admin.client, sequence.id, contact.id)).toMatchObject({ status: 'completed' });
    expect(await subjectsOf(contact.email ?? '')).toEqual(['Sent by the firing that died']);
  });

  it('unenrolls a contact: the pending schedule is deleted and nothing more is sent', async () => {
    const { repRed } = world;
    const template = await newTemplate(repRed.client);
    const sequence = await newSequence(repRed.client, {
      steps: [{ delayHours: 2, templateId: template.id }],
    });
    const contact = await newContact(repRed.client);
    const other = await newContact(repRed.client);
    await enroll(repRed.client, sequence.id, { contactIds: [contact.id] });
    const [schedule] = await stepSchedules(sequence.id, contact.id);
    expect(schedule).toBeDefined();

    expect((await repRed.client.delete(`/sequences/${sequence.id}/enrollments/${contact.id}`)).status).toBe(
      204,
    );
    expect(await stepSchedules(sequence.id, contact.id)).toEqual([]);
    expect(await enrollmentOf(repRed.client, sequence.id, contact.id)).toMatchObject({
      status: 'exited',
      exitReason: 'manual',
      exitedAt: expect.any(String),
    });
    // The old firing, delivered anyway, does nothing.
    await expect(
      sequenceStep.handler({ ...schedule?.payload, scheduledAt: schedule?.scheduledAt }),
    ).resolves.toBe('ended');
    expect(await inbox(contact.email ?? '')).toEqual([]);

    expect((await repRed.client.delete(`/sequences/${sequence.id}/enrollments/${contact.id}`)).status).toBe(
      204,
    );
    expect((await repRed.client.delete(`/sequences/${sequence.id}/enrollments/${other.id}`)).status).toBe(
      404,
    );
    expect(await enroll(repRed.client, sequence.id, { contactIds: [contact.id] })).toEqual({
      enrolled: [],
      skipped: [{ contactId: contact.id, reason: 'previously_enrolled' }],
    });
    const exited = await repRed.client.get(`/sequences/${sequence.id}/enrollments?status=exited`);
    expect(exited.body.items).toMatchObject([{ contactId: contact.id, exitReason: 'manual' }]);
  });

  it('ends enrollments on unsubscribe, a won deal, an opened case and a reply, as exitOn says', async () => {
    const { admin } = world;
    const template = await newTemplate(admin.client);
    const steps = [{ delayHours: 5, templateId: template.id }];
    const all = await newSequence(admin.client, {
      steps,
      exitOn: ['replied', 'unsubscribed', 'deal_won', 'case_opened'],
    });
    const defaults = await newSequence(admin.client, { steps });
    const [unsubscriber, buyer, complainer, replier] = await Promise.all(
      [1, 2, 3, 4].map(() => newContact(admin.client)),
    );
    const ids = [unsubscriber, buyer, complainer, replier].map((contact) => contact?.id ?? '');
    expect((await enroll(admin.client, all.id, { contactIds: ids })).enrolled).toEqual(ids);
    expect((await enroll(admin.client, defaults.id, { contactIds: ids })).enrolled).toEqual(ids);

    expect(
      (await admin.client.patch(`/contacts/${unsubscriber?.id}`, { marketingStatus: 'unsubscribed' })).status,
    ).toBe(200);
    const pipelines = await admin.client.get('/pipelines');
    const won = pipelines.body.items[0].stages.find((stage: { kind: string }) => stage.kind === 'won');
    const deal = await admin.client.post('/deals', { name: unique('Deal'), contactIds: [buyer?.id] });
    expect(deal.status, deal.text).toBe(201);
    expect((await admin.client.patch(`/deals/${deal.body.id}`, { stageId: won.id })).status).toBe(200);
    const opened = await admin.client.post('/cases', {
      subject: 'Broken',
      type: 'complaint',
      contactId: complainer?.id,
    });
    expect(opened.status, opened.text).toBe(201);
    const reply = await admin.client.post('/activities', {
      type: 'email',
      subject: 'Re: hello',
      direction: 'inbound',
      related: { type: 'contact', id: replier?.id },
    });
    expect(reply.status, reply.text).toBe(201);

    const reasons = ['unsubscribed', 'deal_won', 'case_opened', 'replied'];
    await eventually(async () => {
      for (const [index, contactId] of ids.entries())
        expect(await enrollmentOf(admin.client, all.id, contactId)).toMatchObject({
          status: 'exited',
          exitReason: reasons[index],
        });
    });
    for (const contactId of ids) expect(await stepSchedules(all.id, contactId)).toEqual([]);

    // The default exitOn (replied, unsubscribed) lets the deal and the case pass.
    await eventually(async () => {
      expect(await enrollmentOf(admin.client, defaults.id, ids[0] ?? '')).toMatchObject({
        exitReason: 'unsubscribed',
      });
      expect(await enrollmentOf(admin.client, defaults.id, ids[3] ?? '')).toMatchObject({
        exitReason: 'replied',
      });
    });
    for (const contactId of [ids[1] ?? '', ids[2] ?? '']) {
      expect(await enrollmentOf(admin.client, defaults.id, contactId)).toMatchObject({ status: 'active' });
      expect(await stepSchedules(defaults.id, contactId)).toHaveLength(1);
    }
  });

  it('never mails a contact who is no longer subscribed when a step comes due, whatever exitOn says', async () => {
    const { admin } = world;
    const template = await newTemplate(admin.client);
    const sequence = await newSequence(admin.client, {
      steps: [{ delayHours: 1, templateId: template.id }],
      exitOn: [],
    });
    const contact = await newContact(admin.client);
    const archived = await newContact(admin.client);
    await enroll(admin.client, sequence.id, { contactIds: [contact.id, archived.id] });
    await admin.client.patch(`/contacts/${contact.id}`, { marketingStatus: 'unsubscribed' });
    await admin.client.delete(`/contacts/${archived.id}`);
    // exitOn is empty: the stream leaves the enrollment alone; the step ends it.
    expect(await stepSchedules(sequence.id, contact.id)).toHaveLength(1);
    await fireStep(sequence.id, contact.id, 0);
    await fireStep(sequence.id, archived.id, 0);
    expect(await enrollmentOf(admin.client, sequence.id, contact.id)).toMatchObject({
      status: 'exited',
      exitReason: 'unsubscribed',
    });
    const removed = await admin.client.get(`/sequences/${sequence.id}/enrollments?status=exited`);
    expect(removed.body.items).toContainEqual(
      expect.objectContaining({ contactId: archived.id, exitReason: 'contact_removed' }),
    );
    expect(await inbox(contact.email ?? '')).toEqual([]);
    expect(await inbox(archived.email ?? '')).toEqual([]);
  });

  it("forgets an erased contact's enrollments, their deliveries and their schedules", async () => {
    const { admin } = world;
    const { sequence, contact } = await enrolledContact(admin.client, 2);
    await fireStep(sequence.id, contact.id, 0);
    const ref = { kind: 'sequence' as const, sequenceId: sequence.id, contactId: contact.id, step: 0 };
    expect(await deliveries.getDelivery(world.tenant, ref)).toMatchObject({ status: 'sent' });

    expect((await admin.client.delete(`/contacts/${contact.id}?erase=true`)).status).toBe(204);
    await eventually(async () => {
      expect(await stepSchedules(sequence.id, contact.id)).toEqual([]);
      expect(await deliveries.getDelivery(world.tenant, ref)).toBeUndefined();
      const listed = await admin.client.get(`/sequences/${sequence.id}/enrollments`);
      expect(listed.body.items).toEqual([]);
    });
  });

  it('enrolls the contacts of a segment', async () => {
    const { admin } = world;
    const tag = unique('vip');
    const members = [
      await newContact(admin.client, { tags: [tag] }),
      await newContact(admin.client, { tags: [tag] }),
    ];
    await newContact(admin.client);
    const segment = await admin.client.post('/segments', {
      name: unique('VIPs'),
      filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
    });
    expect(segment.status, segment.text).toBe(201);
    const template = await newTemplate(admin.client);
    const sequence = await newSequence(admin.client, { steps: [{ delayHours: 1, templateId: template.id }] });
    const result = await enroll(admin.client, sequence.id, { segmentId: segment.body.id });
    expect(result.enrolled.sort()).toEqual(members.map((member) => member.id).sort());
    expect(result.skipped).toEqual([]);
    const both = await admin.client.post(`/sequences/${sequence.id}/enroll`, {
      segmentId: segment.body.id,
      contactIds: [members[0]?.id],
    });
    expect(both.status).toBe(400);
    const unknown = await admin.client.post(`/sequences/${sequence.id}/enroll`, {
      segmentId: '01J00000000000000000000000',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([
      { path: 'segmentId', message: 'is not a live segment of this tenant that you can see' },
    ]);
  });

  it('keeps every route within the tenant and a rep within what they may see', async () => {
    const { repRed, repBlue, stranger } = world;
    const template = await newTemplate(repRed.client);
    const sequence = await newSequence(repRed.client, {
      steps: [{ delayHours: 1, templateId: template.id }],
    });
    const contact = await newContact(repRed.client);
    await enroll(repRed.client, sequence.id, { contactIds: [contact.id] });
    const base = `/sequences/${sequence.id}`;
    const attempts = (client: ApiClient) => [
      client.get(base),
      client.patch(base, { name: 'Taken' }),
      client.delete(base),
      client.post(`${base}/restore`),
      client.post(`${base}/enroll`, { contactIds: [contact.id] }),
      client.get(`${base}/enrollments`),
      client.get(`${base}/enrollments/${contact.id}`),
      client.delete(`${base}/enrollments/${contact.id}`),
    ];
    for (const response of await Promise.all(attempts(stranger.client))) expect(response.status).toBe(404);
    for (const response of await Promise.all(attempts(repBlue.client))) expect(response.status).toBe(404);
    expect((await stranger.client.get('/sequences')).body.items).toEqual([]);
    expect(
      (await repBlue.client.get('/sequences')).body.items.map((item: { id: string }) => item.id),
    ).not.toContain(sequence.id);

    // A teammate reads the sequence but may not change it; contacts they cannot see are not enrolled.
    const teammate = world.repRed2.client;
    expect((await teammate.get(base)).status).toBe(200);
    expect((await teammate.patch(base, { name: 'Mine' })).status).toBe(403);
    expect((await teammate.delete(base)).status).toBe(403);
    const hidden = await newContact(repBlue.client);
    expect(await enroll(teammate, sequence.id, { contactIds: [hidden.id] })).toEqual({
      enrolled: [],
      skipped: [{ contactId: hidden.id, reason: 'not_found' }],
    });
    expect((await teammate.get(`${base}/enrollments/${hidden.id}`)).status).toBe(404);
    expect(
      (await teammate.get(`${base}/enrollments`)).body.items.map(
        (item: { contactId: string }) => item.contactId,
      ),
    ).toEqual([contact.id]);
  });
});

describe('enrollment of a large segment', () => {
  /** Contacts written straight to the table (the API would take minutes for a thousand), 25 a batch. */
  async function writeContacts(records: readonly Record<string, unknown>[]) {
    const { toItem } = await import('#shared/store/records');
    const { contacts } = await import('#shared/store/entities');
    await writeItems(records.map((record) => toItem(contacts, world.tenant, record as never)));
  }

  it('enrolls past the request limit through a job: 202, each contact once, counted once with reasons', async () => {
    const { admin, repRed, repBlue, stranger } = world;
    const tag = unique('big');
    const next = monotonicFactory();
    const now = new Date().toISOString();
    // One past the request's limit (MAX_SEGMENT_ENROLLMENT, 1,000), plus one unsubscribed and one without email.
    const records = Array.from({ length: 1003 }, (_, index) => ({
      id: next(),
      createdAt: now,
      updatedAt: now,
      version: 1,
      ownerId: admin.id,
      archived: false,
      firstName: `Bulk ${index}`,
      ...(index === 1002 ? {} : { email: `${tag}-${index}@bulk.example` }),
      tags: [tag],
      customFields: {},
      marketingStatus: index === 1001 ? 'unsubscribed' : 'subscribed',
    }));
    await writeContacts(records);
    const segment = await admin.client.post('/segments', {
      name: unique('Bulk'),
      filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
    });
    expect(segment.status, segment.text).toBe(201);
    const template = await newTemplate(admin.client);
    const sequence = await newSequence(admin.client, { steps: [{ delayHours: 1, templateId: template.id }] });
    const early = records[0]?.id as string;
    await enroll(admin.client, sequence.id, { contactIds: [early] });

    const started = await admin.client.post(`/sequences/${sequence.id}/enroll`, {
      segmentId: segment.body.id,
    });
    expect(started.status, started.text).toBe(202);
    expect(started.body).toMatchObject({
      sequenceId: sequence.id,
      segmentId: segment.body.id,
      status: 'running',
    });
    const location = started.headers.get('location') as string;
    expect(location).toBe(`/sequences/${sequence.id}/enrollment-jobs/${started.body.id}`);
    expect(shapeErrors(routeFor('POST', `/sequences/${sequence.id}/enroll`), started.body)).toEqual([]);

    const expected = {
      status: 'done',
      chunks: 11,
      chunksDone: 11,
      enrolled: 1000,
      skipped: {
        already_enrolled: 1,
        previously_enrolled: 0,
        not_found: 0,
        no_email: 1,
        not_subscribed: 1,
        suppressed: 0,
      },
    };
    await eventually(
      async () => {
        const job = await admin.client.get(location);
        expect(job.status, job.text).toBe(200);
        expect(job.body).toMatchObject(expected);
        expect(shapeErrors(routeFor('GET', location), job.body)).toEqual([]);
      },
      { timeoutMs: 120_000, intervalMs: 500 },
    );

    // A chunk delivered again enrolls nobody twice and counts nothing twice.
    const worker = await import('#functions/queue/sequenceEnroll');
    const replay = { tenantId: world.tenant, jobId: started.body.id as string, chunk: 0 };
    const answer = await worker.handler({
      Records: [{ messageId: 'replayed', body: JSON.stringify(replay) }],
    } as never);
    expect(answer).toEqual({ batchItemFailures: [] });
    expect((await admin.client.get(location)).body).toMatchObject(expected);
    // One enrollment, so one pending first step, per contact enrolled.
    const steps = (await pendingSchedules(controlToken)).filter(
      (schedule) => schedule.target === 'sequenceStep' && schedule.payload.sequenceId === sequence.id,
    );
    expect(steps).toHaveLength(1001);
    expect(new Set(steps.map((schedule) => schedule.payload.contactId)).size).toBe(1001);

    // Another tenant, a rep who cannot read the sequence, and an unknown job: 404 alike.
    expect((await stranger.client.get(location)).status).toBe(404);
    expect((await repBlue.client.get(location)).status).toBe(404);
    expect(
      (await admin.client.get(`/sequences/${sequence.id}/enrollment-jobs/01J00000000000000000000000`)).status,
    ).toBe(404);
    // A rep of the team reads the sequence of the admin? Not theirs: the admin's sequence has no team.
    expect((await repRed.client.get(location)).status).toBe(404);
  });
});

describe('sweep of stuck steps', () => {
  it('fires again a step whose firing died between send and record, then settles one that keeps dying, never mailing twice', async () => {
    // A tenant of its own: the sweep reads every overdue step of the tenant, and other tests leave theirs.
    const tenant = uniqueTenant();
    const token = await tokenFor({ tenant, role: 'admin', user: `admin-${tenant}` });
    const admin = { client: api(token) };
    const stepSchedulesOf = async (contactId: string) =>
      (await pendingSchedules(token)).filter(
        (schedule) =>
          schedule.target === 'sequenceStep' &&
          schedule.payload.sequenceId === sequence.id &&
          schedule.payload.contactId === contactId,
      );
    const sweep = await import('#functions/schedule/sequenceSweep');
    const { SWEEP_AFTER_MS, MAX_SWEEP_REFIRES } = await import('#shared/domain/sequence');
    const { getScheduler } = await import('#shared/schedule/select');
    const { sesMailer } = await import('#shared/mail/ses-mailer');
    const template = await newTemplate(admin.client);
    const sequence = await newSequence(admin.client, {
      steps: [
        { delayHours: 1, templateId: template.id },
        // Due well after the sweeps' cutoff once reached.
        { delayHours: 3, templateId: template.id },
      ],
    });
    // a: fired again and settled by its own firing; b: keeps dying after the send; c: dies before sending.
    const [a, b, c] = [
      await newContact(admin.client),
      await newContact(admin.client),
      await newContact(admin.client),
    ];
    await enroll(admin.client, sequence.id, { contactIds: [a.id, b.id, c.id] });
    const refOf = (contactId: string) => ({
      kind: 'sequence' as const,
      sequenceId: sequence.id,
      contactId,
      step: 0,
    });

    /** A firing that claims the email, gets it to SES (or not) and dies: nothing recorded, its schedule gone. */
    async function dies(contact: { id: string; email?: string }, sent: boolean) {
      const ref = refOf(contact.id);
      await deliveries.createDelivery(tenant, { ref, email: contact.email ?? '', status: 'pending' });
      const claimed = await deliveries.claimDelivery(tenant, ref, new Date());
      if (sent)
        await sesMailer().send({
          to: contact.email ?? '',
          subject: 'Sent by the firing that died',
          text: 'Hello',
          tags: { claim: claimed?.claimId ?? '' },
        });
      for (const schedule of await stepSchedulesOf(contact.id))
        await (await getScheduler()).cancel(schedule.name);
    }
    await dies(a, true);
    await dies(b, true);
    await dies(c, false);
    const due = Date.parse((await enrollmentOf(admin.client, sequence.id, a.id)).nextStepAt);
    const late = new Date(due + SWEEP_AFTER_MS + 1_000);

    // Not yet overdue enough: nothing happens.
    expect(await sweep.sweepTenant(tenant, new Date(due + 1_000))).toEqual({ refired: 0, settled: 0 });
    // Overdue: each stuck step gets its schedule back; a's firing settles its claim by SES's record.
    expect(await sweep.sweepTenant(tenant, late)).toEqual({ refired: 3, settled: 0 });
    const [again] = await stepSchedulesOf(a.id);
    expect(again?.payload.step).toBe(0);
    await expect(sequenceStep.handler({ ...again?.payload, scheduledAt: again?.scheduledAt })).resolves.toBe(
      'sent',
    );
    expect(await enrollmentOf(admin.client, sequence.id, a.id)).toMatchObject({
      status: 'active',
      currentStep: 1,
    });

    // b's and c's firings keep dying: past MAX_SWEEP_REFIRES sweeps, the sweep settles them without sending.
    for (let sweeps = 2; sweeps <= MAX_SWEEP_REFIRES; sweeps++)
      expect(await sweep.sweepTenant(tenant, late)).toEqual({ refired: 2, settled: 0 });
    expect(await sweep.sweepTenant(tenant, late)).toEqual({ refired: 0, settled: 2 });
    expect(await deliveries.getDelivery(tenant, refOf(b.id))).toMatchObject({ status: 'sent' });
    expect(await deliveries.getDelivery(tenant, refOf(c.id))).toMatchObject({
      status: 'failed',
      reason: 'not sent: the step kept failing',
    });
    for (const contact of [b, c])
      expect(await enrollmentOf(admin.client, sequence.id, contact.id)).toMatchObject({
        status: 'active',
        currentStep: 1,
      });
    // Nothing left to sweep, and a late firing of a settled step does nothing.
    expect(await sweep.sweepTenant(tenant, late)).toEqual({ refired: 0, settled: 0 });
    const stale = (await stepSchedulesOf(b.id)).find((schedule) => schedule.payload.step === 0);
    await expect(sequenceStep.handler({ ...stale?.payload, scheduledAt: stale?.scheduledAt })).resolves.toBe(
      'done',
    );

    // One email each for a and b (the one the dead firing sent), none for c.
    expect(await subjectsOf(a.email ?? '')).toEqual(['Sent by the firing that died']);
    expect(await subjectsOf(b.email ?? '')).toEqual(['Sent by the firing that died']);
    expect(await subjectsOf(c.email ?? '')).toEqual([]);
  });
});
