import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningSmtpLocal, startSmtpLocal } from '../../infra/local/smtp-local.ts';
import { parseReceiptEvent } from '../../shared/domain/ses-receipt.ts';

/**
 * The local stand-in for SES receiving on its own (no runtime): what it
 * stores, the event it hands the handler, its size limit, and the retries and
 * dead-letter file of a failing handler.
 */
const quiet = { info: () => undefined, error: () => undefined };
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'crm-smtp-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function send(smtp: RunningSmtpLocal, raw: string | Buffer, envelope: { from: string; to: string[] }) {
  const transport = createTransport({ host: '127.0.0.1', port: smtp.port, secure: false });
  return transport.sendMail({ envelope, raw }).finally(() => transport.close());
}

describe('the local SMTP listener', () => {
  it('stores each message, then hands the handler the receipt event SES would send, envelope included', async () => {
    const stored = new Map<string, Buffer>();
    const events: unknown[] = [];
    const smtp = await startSmtpLocal({
      port: 0,
      region: 'us-east-1',
      log: quiet,
      store: async (key, body) => {
        stored.set(key, body);
      },
      failureFile: join(dir, 'none.jsonl'),
      loadHandler: async () => async (event) => {
        events.push(event);
      },
    });
    try {
      const raw = 'From: ana@example.com\r\nTo: team@acme.example\r\nSubject: Hi\r\n\r\nHello\r\n';
      const info = await send(smtp, raw, {
        from: 'ana@example.com',
        to: ['log-1@inbound.localhost', 'b@x.example'],
      });
      expect(info.response).toMatch(/^250 /);
      await smtp.idle();
      const parsed = parseReceiptEvent(events[0]);
      expect(parsed).toMatchObject({
        ok: true,
        mails: [{ envelopeFrom: 'ana@example.com', recipients: ['log-1@inbound.localhost', 'b@x.example'] }],
      });
      const messageId = parsed.ok ? parsed.mails[0]?.messageId : undefined;
      expect(stored.get(`inbound/${messageId}`)?.toString()).toContain('Subject: Hi');
      expect(events).toHaveLength(1);
    } finally {
      await smtp.stop();
    }
  });

  it('refuses a message over the size limit with 552 and stores nothing', async () => {
    const stored: string[] = [];
    const smtp = await startSmtpLocal({
      port: 0,
      region: 'us-east-1',
      log: quiet,
      maxMessageBytes: 1024,
      store: async (key) => {
        stored.push(key);
      },
      failureFile: join(dir, 'none.jsonl'),
      loadHandler: async () => async () => undefined,
    });
    try {
      const raw = `From: a@example.com\r\nSubject: big\r\n\r\n${'x'.repeat(4096)}\r\n`;
      await expect(send(smtp, raw, { from: 'a@example.com', to: ['b@example.com'] })).rejects.toMatchObject({
        responseCode: 552,
      });
      expect(stored).toEqual([]);
    } finally {
      await smtp.stop();
    }
  });

  it('retries a failing handler, then writes the event to the dead-letter file', async () => {
    const failureFile = join(dir, 'inbound-failures.jsonl');
    let attempts = 0;
    const smtp = await startSmtpLocal({
      port: 0,
      region: 'us-east-1',
      log: quiet,
      store: async () => undefined,
      failureFile,
      retryBaseMs: 1,
      loadHandler: async () => async () => {
        attempts++;
        throw new Error('table unavailable');
      },
    });
    try {
      await send(smtp, 'From: a@example.com\r\n\r\nhi\r\n', { from: 'a@example.com', to: ['b@example.com'] });
      await smtp.idle();
      expect(attempts).toBe(3);
      const [line] = (await readFile(failureFile, 'utf8')).trim().split('\n');
      expect(JSON.parse(line ?? '{}')).toMatchObject({
        attempts: 3,
        error: { message: 'table unavailable' },
        event: { Records: [{ eventSource: 'aws:ses' }] },
      });
    } finally {
      await smtp.stop();
    }
  });
});
