import { randomBytes } from 'node:crypto';
import { createTransport } from 'nodemailer';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type * as Inbound from '../../functions/events/inboundEmail.ts';
import type { InboundOutcome } from '../../shared/domain/inbound-email.ts';
import { receiptEvent } from '../../shared/domain/ses-receipt.ts';
import { type ApiClient, eventually } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * Inbound email end to end: mail sent to the local SMTP listener (as SES
 * receives it in AWS) lands on the contact's timeline, a stranger becomes a
 * lead, a rep's copy logs what they sent, and a reply ends the contact's
 * sequence. What must leave nothing behind (automatic mail, bounces,
 * malformed messages, a second delivery, another tenant's address) is checked
 * through the same handler run in this process on a message stored the way the
 * listener stores it, so the test reads the outcome instead of waiting for an
 * absence.
 */
let world: World;
let address: string;
let inbound: typeof Inbound;
const domain = () => inject('inboundEmailDomain');

interface MailParts {
  readonly from: string;
  readonly to: string;
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
  readonly messageId?: string;
  readonly headers?: readonly string[];
  readonly attachments?: readonly { filename: string; contentType: string; content: Buffer }[];
  readonly contentType?: string;
}

/** A MIME message as a mail client writes it: text and HTML alternatives, attachments, CRLF line ends. */
function mime(parts: MailParts): Buffer {
  const mixed = `mixed-${randomBytes(6).toString('hex')}`;
  const alternative = `alt-${randomBytes(6).toString('hex')}`;
  const lines = [
    `From: ${parts.from}`,
    `To: ${parts.to}`,
    `Subject: ${parts.subject ?? 'Hello'}`,
    `Message-ID: <${parts.messageId ?? `${unique('m')}@client.example`}>`,
    'Date: Mon, 30 Nov 2026 10:00:00 +0000',
    'MIME-Version: 1.0',
    ...(parts.headers ?? []),
  ];
  if (parts.contentType)
    return Buffer.from(
      [...lines, `Content-Type: ${parts.contentType}`, '', parts.text ?? '', ''].join('\r\n'),
    );
  lines.push(`Content-Type: multipart/mixed; boundary="${mixed}"`, '', `--${mixed}`);
  lines.push(`Content-Type: multipart/alternative; boundary="${alternative}"`, '');
  lines.push(`--${alternative}`, 'Content-Type: text/plain; charset=utf-8', '', parts.text ?? 'Hi.');
  if (parts.html) lines.push(`--${alternative}`, 'Content-Type: text/html; charset=utf-8', '', parts.html);
  lines.push(`--${alternative}--`);
  for (const attachment of parts.attachments ?? []) {
    lines.push(
      `--${mixed}`,
      `Content-Type: ${attachment.contentType}; name="${attachment.filename}"`,
      `Content-Disposition: attachment; filename="${attachment.filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      attachment.content.toString('base64'),
    );
  }
  lines.push(`--${mixed}--`, '');
  return Buffer.from(lines.join('\r\n'));
}

/** Sends through the local SMTP listener, with this SMTP envelope. */
async function smtpSend(raw: Buffer, envelope: { from: string; to: string[] }): Promise<void> {
  const transport = createTransport({ host: '127.0.0.1', port: inject('smtpPort'), secure: false });
  try {
    const info = await transport.sendMail({ envelope, raw });
    expect(info.response).toMatch(/^250 /);
  } finally {
    transport.close();
  }
}

/** Stores the message as the listener (SES's S3 action) does and runs the handler on its receipt event here. */
async function receive(
  raw: Buffer,
  envelope: { from: string; to: string[] },
  messageId = `${Date.now().toString(16)}${randomBytes(12).toString('hex')}`,
): Promise<InboundOutcome[]> {
  const { getObjectStore } = await import('../../shared/storage/select.ts');
  await (await getObjectStore()).write('inbound', `inbound/${messageId}`, raw, {
    contentType: 'message/rfc822',
  });
  return inbound.receiveEvent(
    receiptEvent({ messageId, envelopeFrom: envelope.from, recipients: envelope.to, at: new Date() }),
  );
}

async function newContact(client: ApiClient, fields: Record<string, unknown> = {}) {
  const response = await client.post('/contacts', {
    firstName: 'Ana',
    lastName: 'García',
    email: `${unique('ana')}@customer.example`,
    ...fields,
  });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; email: string; ownerId: string; teamId?: string };
}

const activitiesOf = async (client: ApiClient, related: string) => {
  const response = await client.get(`/activities?related=${related}`);
  expect(response.status, response.text).toBe(200);
  return response.body.items as Record<string, unknown>[];
};

beforeAll(async () => {
  useTestTable();
  process.env.AWS_ENDPOINT_URL_S3 = inject('s3Endpoint');
  process.env.INBOUND_MAIL_BUCKET = inject('inboundBucket');
  process.env.INBOUND_EMAIL_DOMAIN = domain();
  inbound = await import('../../functions/events/inboundEmail.ts');
  world = await createWorld();
  const response = await world.repRed.client.get('/settings/inbound-email');
  expect(response.status, response.text).toBe(200);
  address = response.body.address;
});

describe('the logging address', () => {
  it('is one per tenant, the same for every role, unguessable, and another tenant has its own', async () => {
    expect(address).toMatch(new RegExp(`^log-[0-9a-f]{24}@${domain().replace(/\./g, '\\.')}$`));
    for (const member of [world.admin, world.managerRed, world.repBlue]) {
      expect((await member.client.get('/settings/inbound-email')).body).toEqual({
        address,
        domain: domain(),
      });
    }
    const theirs = await world.stranger.client.get('/settings/inbound-email');
    expect(theirs.status).toBe(200);
    expect(theirs.body.address).not.toBe(address);
  });

  it('is rotated by an admin only; the old address then reaches nobody', async () => {
    const rotating = await createWorld();
    const before = (await rotating.repRed.client.get('/settings/inbound-email')).body.address as string;
    expect((await rotating.managerRed.client.post('/settings/inbound-email/rotate')).status).toBe(403);
    const rotated = await rotating.admin.client.post('/settings/inbound-email/rotate');
    expect(rotated.status, rotated.text).toBe(200);
    expect(rotated.body).toMatchObject({ domain: domain(), rotatedAt: expect.any(String) });
    expect(rotated.body.address).not.toBe(before);
    expect((await rotating.repRed.client.get('/settings/inbound-email')).body.address).toBe(
      rotated.body.address,
    );

    const contact = await newContact(rotating.repRed.client);
    const raw = mime({ from: contact.email, to: before, text: 'To the old address' });
    expect(await receive(raw, { from: contact.email, to: [before] })).toEqual([
      { kind: 'ignored', reason: 'unknown logging address' },
    ]);
    expect(await activitiesOf(rotating.repRed.client, `contact:${contact.id}`)).toEqual([]);
  });
});

describe('the activity API and direction', () => {
  it('accepts, shows and changes `direction` on logged emails and calls, and refuses anything else', async () => {
    const contact = await newContact(world.repRed.client);
    const made = await world.repRed.client.post('/activities', {
      type: 'email',
      subject: 'Sent the proposal',
      direction: 'outbound',
      related: { type: 'contact', id: contact.id },
    });
    expect(made.status, made.text).toBe(201);
    expect(made.body).toMatchObject({ direction: 'outbound' });
    const changed = await world.repRed.client.patch(`/activities/${made.body.id}`, { direction: 'inbound' });
    expect(changed.status, changed.text).toBe(200);
    expect((await world.repRed.client.get(`/activities/${made.body.id}`)).body).toMatchObject({
      direction: 'inbound',
    });
    const bad = await world.repRed.client.post('/activities', {
      type: 'call',
      subject: 'x',
      direction: 'sideways',
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'direction' })]);
    // The email details are the CRM's own: a client cannot set them.
    const forged = await world.repRed.client.post('/activities', {
      type: 'email',
      subject: 'Forged',
      email: { from: { address: 'x@y.example' }, to: [], cc: [], attachments: [] },
    });
    expect(forged.status).toBe(400);
  });
});

describe('mail to the SMTP port', () => {
  it("from a known contact: an inbound email on the contact's timeline, quote trimmed, HTML sanitised, attachments listed", async () => {
    const contact = await newContact(world.repRed.client);
    const messageId = `${unique('reply')}@customer.example`;
    await smtpSend(
      mime({
        from: `"Ana García" <${contact.email.toUpperCase()}>`,
        to: address,
        subject: 'Re: Your quote',
        messageId,
        text: 'Yes, please go ahead.\r\n\r\nOn Mon, 30 Nov 2026 at 09:00, Sales <sales@acme.example> wrote:\r\n> Shall we go ahead?',
        html: '<p onclick="steal()">Yes, please <b>go ahead</b>.</p><script>alert(1)</script><img src="https://t.example/open.gif" alt="pixel">',
        attachments: [
          { filename: 'signed.pdf', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 signed') },
        ],
      }),
      { from: contact.email, to: [address] },
    );
    const [activity] = await eventually(async () => {
      const found = await activitiesOf(world.repRed.client, `contact:${contact.id}`);
      expect(found).toHaveLength(1);
      return found;
    });
    expect(activity).toMatchObject({
      type: 'email',
      direction: 'inbound',
      subject: 'Re: Your quote',
      body: 'Yes, please go ahead.',
      status: 'done',
      ownerId: contact.ownerId,
      assigneeId: contact.ownerId,
      related: { type: 'contact', id: contact.id },
      email: {
        messageId,
        from: { address: contact.email, name: 'Ana García' },
        to: [address],
        date: '2026-11-30T10:00:00.000Z',
        attachments: [{ filename: 'signed.pdf', contentType: 'application/pdf', size: 15 }],
      },
    });
    const html = (activity?.email as { html?: string } | undefined)?.html ?? '';
    expect(html).toContain('<b>go ahead</b>');
    expect(html).not.toMatch(/onclick|script|alert|<img/);
    expect(html).toContain('href="https://t.example/open.gif"');
    // Another tenant never sees it.
    expect((await world.stranger.client.get(`/activities/${activity?.id}`)).status).toBe(404);
    await eventually(async () => {
      const timeline = await world.repRed.client.get(`/contacts/${contact.id}/timeline`);
      expect(timeline.body.items).toEqual(
        expect.arrayContaining([expect.objectContaining({ kind: 'activity', summary: 'Re: Your quote' })]),
      );
    });
  });

  it('from an unknown sender: a lead assigned by the rule, with the email as its first activity', async () => {
    const tenant = await createWorld();
    const rule = { strategy: 'round_robin', userIds: [tenant.repBlue.id] };
    expect((await tenant.admin.client.put('/settings/lead-assignment', rule)).status).toBe(200);
    const theirAddress = (await tenant.admin.client.get('/settings/inbound-email')).body.address as string;
    const sender = `${unique('luis')}@prospect.example`;
    await smtpSend(
      mime({
        from: `Luis Pérez Gil <${sender}>`,
        to: theirAddress,
        subject: 'Pricing?',
        text: 'How much is it?',
      }),
      {
        from: sender,
        to: [theirAddress],
      },
    );
    const lead = await eventually(async () => {
      const found = await tenant.admin.client.get(`/leads?q=luis`);
      const match = (found.body.items as Record<string, unknown>[]).find((item) => item.email === sender);
      expect(match).toBeDefined();
      return match as Record<string, unknown>;
    });
    expect(lead).toMatchObject({
      firstName: 'Luis',
      lastName: 'Pérez Gil',
      source: 'other',
      status: 'new',
      ownerId: tenant.repBlue.id,
      teamId: tenant.teams.blue,
    });
    const [activity] = await activitiesOf(tenant.admin.client, `lead:${lead.id}`);
    expect(activity).toMatchObject({
      direction: 'inbound',
      subject: 'Pricing?',
      body: 'How much is it?',
      ownerId: tenant.repBlue.id,
    });
  });

  it('from a rep who copies the address: outbound on the recipients that are contacts they may read', async () => {
    const mine = await newContact(world.repRed.client);
    const blues = await newContact(world.repBlue.client);
    const rep = `rep-red@${world.tenant}.test`;
    const stranger = `${unique('nobody')}@elsewhere.example`;
    const outcomes = await receive(
      mime({
        from: `Rep Red <${rep}>`,
        to: `${mine.email}, ${stranger}`,
        headers: [`Cc: ${blues.email}`],
        subject: 'Our proposal',
        text: 'Please find our proposal.',
      }),
      // The Bcc to the logging address shows only in the envelope.
      { from: rep, to: [address] },
    );
    expect(outcomes).toMatchObject([
      { kind: 'logged', tenantId: world.tenant, activityIds: [expect.any(String)] },
    ]);
    expect(await activitiesOf(world.repRed.client, `contact:${mine.id}`)).toMatchObject([
      {
        direction: 'outbound',
        subject: 'Our proposal',
        ownerId: world.repRed.id,
        createdBy: world.repRed.id,
      },
    ]);
    // Not on a contact of another team the rep may not read, and no lead for a stranger.
    expect(await activitiesOf(world.repBlue.client, `contact:${blues.id}`)).toEqual([]);
    expect((await world.admin.client.get('/leads?q=nobody')).body.items).toEqual([]);
  });

  it("from an enrolled contact: the sequence's replied exit", async () => {
    const { admin } = world;
    const template = await admin.client.post('/templates', {
      name: unique('Template'),
      subject: 'Checking in',
      html: '<p>Hello {{contact.firstName}}</p>',
    });
    expect(template.status, template.text).toBe(201);
    const sequence = await admin.client.post('/sequences', {
      name: unique('Sequence'),
      steps: [{ delayHours: 24, templateId: template.body.id }],
    });
    expect(sequence.status, sequence.text).toBe(201);
    const contact = await newContact(admin.client);
    const enrolled = await admin.client.post(`/sequences/${sequence.body.id}/enroll`, {
      contactIds: [contact.id],
    });
    expect(enrolled.body.enrolled).toEqual([contact.id]);

    await smtpSend(
      mime({ from: contact.email, to: address, subject: 'Re: Checking in', text: 'Not now, thanks.' }),
      {
        from: contact.email,
        to: [address],
      },
    );
    await eventually(async () => {
      const enrollment = await admin.client.get(`/sequences/${sequence.body.id}/enrollments/${contact.id}`);
      expect(enrollment.body).toMatchObject({ status: 'exited', exitReason: 'replied' });
    });
  });
});

describe('what is never logged', () => {
  it('auto-replies and automatic mail', async () => {
    const contact = await newContact(world.repRed.client);
    const cases: [string[], string][] = [
      [['Auto-Submitted: auto-replied'], 'auto_submitted'],
      [['X-Autoreply: yes'], 'autoreply'],
      [['Precedence: bulk'], 'bulk'],
      [['X-CRM-Mail: reminder'], 'own_mail'],
    ];
    for (const [headers, reason] of cases) {
      const raw = mime({
        from: contact.email,
        to: address,
        subject: 'Out of office',
        text: 'I am away.',
        headers,
      });
      expect(await receive(raw, { from: contact.email, to: [address] })).toEqual([
        { kind: 'ignored', reason: `automatic mail (${reason})` },
      ]);
    }
    expect(await activitiesOf(world.repRed.client, `contact:${contact.id}`)).toEqual([]);
  });

  it('bounces (delivery reports, MAILER-DAEMON, the null sender)', async () => {
    const report = mime({
      from: `Mail Delivery System <MAILER-DAEMON@mx.customer.example>`,
      to: address,
      subject: 'Undelivered Mail Returned to Sender',
      contentType: 'multipart/report; report-type=delivery-status; boundary="r"',
      text: '--r\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n--r--',
    });
    expect(await receive(report, { from: '', to: [address] })).toEqual([
      { kind: 'ignored', reason: 'automatic mail (bounce)' },
    ]);
    const contact = await newContact(world.repRed.client);
    const nullSender = mime({ from: contact.email, to: address, text: 'A bounce dressed as a reply' });
    expect(await receive(nullSender, { from: '', to: [address] })).toEqual([
      { kind: 'ignored', reason: 'automatic mail (empty_return_path)' },
    ]);
    const daemon = mime({ from: 'postmaster@customer.example', to: address, text: 'Quota exceeded' });
    expect(await receive(daemon, { from: 'postmaster@customer.example', to: [address] })).toEqual([
      { kind: 'ignored', reason: 'automatic mail (mailer_daemon)' },
    ]);
    expect(await activitiesOf(world.repRed.client, `contact:${contact.id}`)).toEqual([]);
  });

  it('a malformed message: no crash, left in the bucket, nothing written', async () => {
    const before = (await world.admin.client.get('/leads')).body.items.length;
    for (const raw of [
      Buffer.from([0, 255, 1, 254, 13, 10, 13, 10, 0]),
      Buffer.from('Subject: no sender\r\n\r\nhi'),
    ]) {
      const [outcome] = await receive(raw, { from: 'x@y.example', to: [address] });
      expect(outcome).toMatchObject({ kind: 'ignored', reason: expect.stringMatching(/^malformed: /) });
    }
    expect((await world.admin.client.get('/leads')).body.items.length).toBe(before);
    // Through the SMTP port too: the listener takes it and the handler drops it without a retry loop.
    await smtpSend(Buffer.from('Subject: still no sender\r\n\r\nhi'), { from: 'x@y.example', to: [address] });
  });

  it('the same message twice, even at once: one activity', async () => {
    const contact = await newContact(world.repRed.client);
    const raw = mime({
      from: contact.email,
      to: address,
      subject: 'Once',
      messageId: `${unique('once')}@c.example`,
    });
    const envelope = { from: contact.email, to: [address] };
    const outcomes = (await Promise.all([receive(raw, envelope), receive(raw, envelope)])).flat();
    expect(outcomes.map((outcome) => outcome.kind).sort()).toEqual(['duplicate', 'logged']);
    // A redelivery of the stored object (a retried invocation) too.
    const key = `${Date.now().toString(16)}${randomBytes(12).toString('hex')}`;
    const withoutId = Buffer.from(
      mime({ from: contact.email, to: address, subject: 'No id' })
        .toString()
        .replace(/^Message-ID: .*\r\n/m, ''),
    );
    expect((await receive(withoutId, envelope, key))[0]?.kind).toBe('logged');
    expect((await receive(withoutId, envelope, key))[0]?.kind).toBe('duplicate');
    expect(
      (await activitiesOf(world.repRed.client, `contact:${contact.id}`)).map((a) => a.subject).sort(),
    ).toEqual(['No id', 'Once']);
  });

  it("another tenant's address never reaches this tenant, and other addresses reach nobody", async () => {
    const contact = await newContact(world.repRed.client);
    const theirs = (await world.stranger.client.get('/settings/inbound-email')).body.address as string;
    const raw = mime({ from: contact.email, to: theirs, subject: 'Meant for them' });
    const outcomes = await receive(raw, { from: contact.email, to: [theirs] });
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.tenantId).not.toBe(world.tenant);
    expect(await activitiesOf(world.repRed.client, `contact:${contact.id}`)).toEqual([]);

    const elsewhere = [
      `sales@${domain()}`,
      `log-000000000000000000000000@${domain()}`,
      'someone@other.example',
    ];
    const [dropped] = await receive(mime({ from: contact.email, to: elsewhere[0] ?? '' }), {
      from: contact.email,
      to: elsewhere.slice(0, 1).concat(elsewhere.slice(2)),
    });
    expect(dropped).toEqual({ kind: 'ignored', reason: 'no logging address among the recipients' });
    expect(
      await receive(mime({ from: contact.email, to: elsewhere[1] ?? '' }), {
        from: contact.email,
        to: [elsewhere[1] ?? ''],
      }),
    ).toEqual([{ kind: 'ignored', reason: 'unknown logging address' }]);
    expect(await activitiesOf(world.repRed.client, `contact:${contact.id}`)).toEqual([]);
  });
});
