import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSesEvent } from '#shared/domain/ses-event';
import { sesBulkMailer, sesMailer } from '#shared/mail/ses-mailer';
import { PortInUseError } from '../../infra/local/errors.ts';
import {
  type RunningSesWithEvents,
  SES_EVENT_FAILURES_FILE,
  type SesEventBridgeEvent,
  type SesEventHandler,
  simulatedOutcome,
  startSesWithEvents,
} from '../../infra/local/ses-events.ts';
import { collectingLogger, tempDir } from './helpers.ts';

/** The SES event publishing stand-in: a proxy over aws-ses-v2-local that invokes the events handler. */
type Json = Record<string, unknown>;

const clientFor = (ses: RunningSesWithEvents) =>
  new SESv2Client({
    endpoint: ses.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });

const ourTags = { tenant: 't1', kind: 'campaign', campaign: 'c1', contact: 'p1' };

describe('SES event publishing, locally', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let ses: RunningSesWithEvents;
  const received: SesEventBridgeEvent[] = [];
  const log = collectingLogger();
  /**
   * The recipient whose events the handler fails every time (to see retries and the failure
   * file): known before the send, unlike the message id, so no race with the events' delay.
   */
  const failingRecipient = 'dlq@example.com';

  const recorder: SesEventHandler = async (event, context) => {
    expect(context.functionName).toBe('sesEvents');
    const mail = event.detail.mail as Json;
    if ((mail.destination as string[]).includes(failingRecipient))
      throw new Error(`handler down for ${mail.messageId as string}`);
    received.push(event);
  };

  beforeAll(async () => {
    dir = await tempDir();
    ses = await startSesWithEvents({
      port: 0,
      region: 'eu-west-1',
      log,
      failureFile: join(dir.path, SES_EVENT_FAILURES_FILE),
      loadHandler: async () => recorder,
      delayMs: 20,
      retryBaseMs: 10,
    });
  });
  afterAll(async () => {
    await ses?.stop();
    await dir?.remove();
  });

  async function send(
    to: string,
    options: { configurationSet?: string; tags?: Record<string, string> } = {},
  ) {
    const mailer = sesMailer({
      client: clientFor(ses),
      from: 'sales@acme.test',
      ...(options.configurationSet ? { configurationSet: options.configurationSet } : {}),
    });
    const messageId = await mailer.send({
      to,
      subject: 'Autumn offer',
      text: 'Hello',
      tags: options.tags ?? ourTags,
    });
    await ses.idle();
    return {
      messageId,
      events: received.filter((event) => (event.detail.mail as Json).messageId === messageId),
    };
  }

  const typesOf = (events: SesEventBridgeEvent[]) => events.map((event) => event.detail.eventType);

  it('a delivered message: Send then Delivery, shaped as EventBridge delivers them, with our tags', async () => {
    const { messageId, events } = await send('ana@example.com', { configurationSet: 'crm-test' });
    expect(typesOf(events)).toEqual(['Send', 'Delivery']);
    const [sendEvent, delivery] = events as [SesEventBridgeEvent, SesEventBridgeEvent];
    expect(sendEvent).toMatchObject({
      version: '0',
      source: 'aws.ses',
      'detail-type': 'Email Sent',
      region: 'eu-west-1',
      resources: [expect.stringMatching(/:configuration-set\/crm-test$/)],
      detail: { eventType: 'Send', send: {} },
    });
    expect(delivery['detail-type']).toBe('Email Delivered');
    expect(delivery.detail.mail).toMatchObject({
      messageId,
      destination: ['ana@example.com'],
      source: 'sales@acme.test',
      commonHeaders: { subject: 'Autumn offer', to: ['ana@example.com'] },
      tags: {
        tenant: ['t1'],
        kind: ['campaign'],
        campaign: ['c1'],
        contact: ['p1'],
        'ses:configuration-set': ['crm-test'],
        'ses:from-domain': ['acme.test'],
      },
    });
    expect(delivery.detail.delivery).toMatchObject({ recipients: ['ana@example.com'] });
    // What the handler reads of them.
    const parsed = parseSesEvent(delivery);
    expect(parsed.kind === 'event' && parsed.event.target).toEqual({
      tenantId: 't1',
      ref: { kind: 'campaign', campaignId: 'c1', contactId: 'p1' },
    });
  });

  it('bounce@simulator: Send and a permanent bounce of that address, no Delivery', async () => {
    const { events } = await send('bounce@simulator.amazonses.com');
    expect(typesOf(events)).toEqual(['Send', 'Bounce']);
    expect(events[1]?.['detail-type']).toBe('Email Bounced');
    expect(events[1]?.detail.bounce).toMatchObject({
      bounceType: 'Permanent',
      bounceSubType: 'General',
      bouncedRecipients: [{ emailAddress: 'bounce@simulator.amazonses.com', action: 'failed' }],
    });
  });

  it('complaint@simulator: Send, Delivery, then a complaint', async () => {
    const { events } = await send('complaint@simulator.amazonses.com');
    expect(typesOf(events)).toEqual(['Send', 'Delivery', 'Complaint']);
    expect(events[2]?.['detail-type']).toBe('Email Complaint Received');
    expect(events[2]?.detail.complaint).toMatchObject({
      complainedRecipients: [{ emailAddress: 'complaint@simulator.amazonses.com' }],
    });
  });

  it('suppressionlist@simulator: a permanent bounce on the account suppression list', async () => {
    const { events } = await send('suppressionlist@simulator.amazonses.com');
    expect(typesOf(events)).toEqual(['Send', 'Bounce']);
    expect(events[1]?.detail.bounce).toMatchObject({ bounceSubType: 'OnAccountSuppressionList' });
  });

  it('success@ and labelled simulator addresses behave like SES', async () => {
    expect(typesOf((await send('success@simulator.amazonses.com')).events)).toEqual(['Send', 'Delivery']);
    expect(simulatedOutcome('bounce+run-7@simulator.amazonses.com')).toBe('bounce');
    expect(simulatedOutcome('Complaint@SIMULATOR.amazonses.com')).toBe('complaint');
    expect(simulatedOutcome('bounce@example.com')).toBe('delivered');
  });

  it('a send naming no configuration set is published under the default one', async () => {
    const { events } = await send('ben@example.com');
    expect(events[0]?.detail.mail).toMatchObject({ tags: { 'ses:configuration-set': ['crm'] } });
  });

  it('a refused send publishes nothing and answers as aws-ses-v2-local does', async () => {
    const before = received.length;
    const response = await fetch(`${ses.endpoint}/v2/email/outbound-emails`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ Destination: { ToAddresses: ['x@example.com'] }, Content: {} }),
    });
    // aws-ses-v2-local refuses an unsigned request (403) or a bad body (400); the proxy passes it on.
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
    await ses.idle();
    expect(received.length).toBe(before);
  });

  it('a bulk send: each accepted entry its own message, events, tags, headers and claim in the ledger', async () => {
    const mailer = sesBulkMailer({ client: clientFor(ses), from: 'sales@acme.test' });
    const entry = (contact: string, to: string) => ({
      to,
      subject: `Hi {{not a variable}} ${contact} & co`,
      text: `Text for ${contact}: https://x.test/?a=1&b=2`,
      html: `<p>Hello <b>${contact}</b> &amp; co</p>`,
      headers: {
        'List-Unsubscribe': `<https://x.test/u/${contact}>`,
        'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      },
      tags: { ...ourTags, contact, claim: `claim-${contact}` },
    });
    const results = await mailer.sendBulk({
      kind: 'campaign',
      entries: [
        entry('p1', 'bulk-1@example.com'),
        entry('p2', 'not an address'),
        entry('p3', 'bulk-3@example.com'),
      ],
    });
    expect(results.map((result) => result.status)).toEqual(['sent', 'refused', 'sent']);
    await ses.idle();
    const stored = (await (await fetch(`${ses.endpoint}/store`)).json()) as {
      emails: {
        messageId: string;
        subject: string;
        body: { html: string; text: string };
        headers?: { name: string; value: string }[];
      }[];
    };
    for (const [index, contact] of [
      [0, 'p1'],
      [2, 'p3'],
    ] as const) {
      const result = results[index];
      const messageId = result?.status === 'sent' ? result.messageId : '';
      // The rendering goes through the template as it is: nothing escaped, nothing evaluated twice.
      expect(stored.emails.find((email) => email.messageId === messageId)).toMatchObject({
        subject: `Hi {{not a variable}} ${contact} & co`,
        body: {
          html: `<p>Hello <b>${contact}</b> &amp; co</p>`,
          text: `Text for ${contact}: https://x.test/?a=1&b=2`,
        },
        headers: expect.arrayContaining([
          { name: 'List-Unsubscribe', value: `<https://x.test/u/${contact}>` },
          { name: 'List-Unsubscribe-Post', value: 'List-Unsubscribe=One-Click' },
          expect.objectContaining({ name: 'X-CRM-Mail' }),
        ]),
      });
      const events = received.filter((event) => (event.detail.mail as Json).messageId === messageId);
      expect(typesOf(events)).toEqual(['Send', 'Delivery']);
      expect(events[0]?.detail.mail).toMatchObject({
        tags: { contact: [contact], claim: [`claim-${contact}`] },
        commonHeaders: { subject: `Hi {{not a variable}} ${contact} & co` },
      });
      // What a sender that crashed after the call asks: SES's record of the message under the claim.
      const ledger = await fetch(`${ses.ledgerUrl}claim-${contact}`);
      expect(await ledger.json()).toEqual({ messageId });
    }
    expect((await fetch(`${ses.ledgerUrl}claim-p2`)).status).toBe(404);
  });

  it('the inbox UI and /store work through the proxy', async () => {
    const { messageId } = await send('inbox@example.com');
    const inbox = await fetch(ses.inboxUrl);
    expect(inbox.status).toBe(200);
    expect(inbox.headers.get('content-type')).toContain('text/html');
    const stored = (await (await fetch(`${ses.endpoint}/store`)).json()) as {
      emails: { messageId: string }[];
    };
    expect(stored.emails.map((email) => email.messageId)).toContain(messageId);
  });

  it('a handler that keeps failing is retried, then the event goes to the failure file', async () => {
    const mailer = sesMailer({ client: clientFor(ses), from: 'sales@acme.test' });
    const messageId = await mailer.send({ to: failingRecipient, subject: 'x', text: 'y', tags: ourTags });
    await ses.idle();
    const lines = (await readFile(join(dir.path, SES_EVENT_FAILURES_FILE), 'utf8')).trim().split('\n');
    const entries = lines.map((line) => JSON.parse(line) as Json & { event: SesEventBridgeEvent });
    const mine = entries.filter((entry) => (entry.event.detail.mail as Json).messageId === messageId);
    expect(mine.map((entry) => entry.event.detail.eventType)).toEqual(['Send', 'Delivery']);
    expect(mine[0]).toMatchObject({ attempts: 3, error: { message: `handler down for ${messageId}` } });
    expect(log.errors.some((entry) => entry.message.includes('given up'))).toBe(true);
  });
});

describe('the SES port', () => {
  it('a busy port is a startup error naming SES_PORT', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    const dir = await tempDir();
    try {
      await expect(
        startSesWithEvents({
          port,
          region: 'us-east-1',
          log: collectingLogger(),
          failureFile: join(dir.path, 'f'),
        }),
      ).rejects.toBeInstanceOf(PortInUseError);
    } finally {
      blocker.close();
      await dir.remove();
    }
  });
});
