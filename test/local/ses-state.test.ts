import { join } from 'node:path';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sentLedger } from '#shared/mail/sent-ledger';
import { sesMailer } from '#shared/mail/ses-mailer';
import {
  type RunningSesWithEvents,
  SES_EVENT_FAILURES_FILE,
  type SesEventBridgeEvent,
  startSesWithEvents,
} from '../../infra/local/ses-events.ts';
import { eventually } from '../support/api.ts';
import { collectingLogger, tempDir } from './helpers.ts';

/**
 * The local SES keeps what SES would across a restart: the accepted mail, the
 * claim each message went out under, and the events not yet handled.
 */
const mailerFor = (ses: RunningSesWithEvents) =>
  sesMailer({
    client: new SESv2Client({
      endpoint: ses.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  });

interface Stored {
  readonly messageId: string;
  readonly destination: { readonly to: string[] };
}
const storeOf = async (ses: RunningSesWithEvents) =>
  ((await (await fetch(`${ses.endpoint}/store`)).json()) as { emails: Stored[] }).emails;

describe('the local SES across a restart', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(() => dir.remove());

  it('keeps the inbox and the claim ledger, and publishes the events a stopped run never handled', async () => {
    const base = {
      port: 0,
      region: 'us-east-1',
      log: collectingLogger(),
      failureFile: join(dir.path, SES_EVENT_FAILURES_FILE),
      stateDir: dir.path,
      delayMs: 10,
    };
    // The first run's handler never becomes ready: it stops (as a crash would) with every event pending.
    let abandon: (reason: Error) => void = () => undefined;
    const neverReady = new Promise<void>((_, reject) => {
      abandon = reject;
    });
    neverReady.catch(() => undefined);
    const first = await startSesWithEvents({ ...base, whenReady: neverReady });
    const to = `kept-${Date.now()}@example.com`;
    let messageId = '';
    try {
      messageId = await mailerFor(first).send({
        to,
        subject: 'Kept',
        text: 'Hello',
        tags: { tenant: 't1', kind: 'campaign', campaign: 'c1', contact: 'p1', claim: 'claim-kept' },
      });
      expect(await sentLedger(first.ledgerUrl).lookup('claim-kept')).toEqual({ accepted: messageId });
      expect(await sentLedger(first.ledgerUrl).lookup('claim-never-sent')).toBe('none');
    } finally {
      abandon(new Error('stopped before the handler was ready'));
      await first.stop();
    }

    const received: SesEventBridgeEvent[] = [];
    const second = await startSesWithEvents({
      ...base,
      loadHandler: async () => async (event) => {
        received.push(event);
      },
    });
    try {
      expect((await storeOf(second)).filter((email) => email.messageId === messageId)).toHaveLength(1);
      expect(await sentLedger(second.ledgerUrl).lookup('claim-kept')).toEqual({ accepted: messageId });
      await eventually(() => {
        const mine = received.filter(
          (event) => (event.detail.mail as { messageId?: string }).messageId === messageId,
        );
        expect(mine.map((event) => event['detail-type'])).toEqual(['Email Sent', 'Email Delivered']);
      });
    } finally {
      await second.stop();
    }

    // Handled events are not published a second time.
    const replays: SesEventBridgeEvent[] = [];
    const third = await startSesWithEvents({
      ...base,
      loadHandler: async () => async (event) => {
        replays.push(event);
      },
    });
    try {
      await third.idle();
      expect(replays).toEqual([]);
      expect((await storeOf(third)).filter((email) => email.messageId === messageId)).toHaveLength(1);
      // Clearing the inbox empties it for good, but SES still knows what it accepted.
      expect((await fetch(`${third.endpoint}/clear-store`, { method: 'POST' })).status).toBe(200);
    } finally {
      await third.stop();
    }
    const fourth = await startSesWithEvents(base);
    try {
      expect((await storeOf(fourth)).filter((email) => email.messageId === messageId)).toEqual([]);
      expect(await sentLedger(fourth.ledgerUrl).lookup('claim-kept')).toEqual({ accepted: messageId });
    } finally {
      await fourth.stop();
    }
  });
});
