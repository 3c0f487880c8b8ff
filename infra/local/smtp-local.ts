import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Context } from 'aws-lambda';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import { INBOUND_MAIL_PREFIX, receiptEvent } from '#shared/domain/ses-receipt';
import { appendFailure, backoffMs } from './background.ts';
import { PortInUseError } from './errors.ts';
import { moduleHandlerLoader } from './handler-loader.ts';
import { createLambdaContext } from './lambda-context.ts';
import type { Logger } from './logger.ts';

/**
 * SES receiving, locally: an SMTP listener on loopback (smtp-server; no
 * authentication, no TLS, a size limit) that does what the receipt rule does
 * in AWS (infra/stacks/inbound-stack.ts). It accepts mail for any address,
 * stores each message in the local S3 stand-in's inbound bucket under
 * `inbound/<message id>` (the rule's S3 action), answers the client, and then
 * hands the receipt event, shaped as SES sends it, to the same handler module
 * the rule's Lambda action invokes (functions/events/inboundEmail.ts), which
 * decides what to keep. A failing invocation is retried twice with backoff, as
 * Lambda retries an asynchronous one, then written to a JSONL file (the
 * dead-letter queue).
 */

/** The domain of the logging addresses under `npm start` (`log-<token>@inbound.localhost`). */
export const LOCAL_INBOUND_DOMAIN = 'inbound.localhost';
/** SES accepts messages up to 40 MB; the local listener refuses bigger ones with 552. */
export const LOCAL_MAX_MESSAGE_BYTES = 40 * 1024 * 1024;
export const INBOUND_FAILURES_FILE = 'inbound-email-failures.jsonl';

export type InboundHandler = (event: unknown, context: Context) => Promise<unknown>;

const loadModule = moduleHandlerLoader<InboundHandler>(async () =>
  (await import('../lambdas.ts')).inboundEmailEntry(),
);
/** The handler that serves AWS, imported once like a warm container. */
export const loadInboundEmailHandler = (): Promise<InboundHandler> => loadModule('inboundEmail');

export interface SmtpLocalOptions {
  /** 0 picks a free port. */
  readonly port: number;
  readonly region: string;
  readonly log: Logger;
  /** Stores the raw message (the local S3 stand-in's inbound bucket). */
  readonly store: (key: string, body: Buffer) => Promise<void>;
  readonly failureFile: string;
  readonly loadHandler?: () => Promise<InboundHandler>;
  readonly maxAttempts?: number;
  readonly retryBaseMs?: number;
  readonly maxMessageBytes?: number;
  /** Invocations wait for this (the runtime's readiness). */
  readonly whenReady?: Promise<void>;
  readonly portEnvVar?: string;
}

export interface RunningSmtpLocal {
  readonly port: number;
  /** `smtp://127.0.0.1:<port>` */
  readonly url: string;
  /** Resolves when every invocation started so far has finished (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** An id of SES's shape (a run of letters and digits), unique enough to name the stored object. */
const messageIdNow = () => `${Date.now().toString(16).padStart(12, '0')}${randomBytes(16).toString('hex')}`;

export async function startSmtpLocal(options: SmtpLocalOptions): Promise<RunningSmtpLocal> {
  const { log } = options;
  const maxBytes = options.maxMessageBytes ?? LOCAL_MAX_MESSAGE_BYTES;
  const inFlight = new Set<Promise<void>>();
  let stopped = false;

  const invoke = async (event: unknown, messageId: string) => {
    await options.whenReady;
    const maxAttempts = options.maxAttempts ?? 3;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts && !stopped; attempt++) {
      if (attempt > 1) await sleep(backoffMs(options.retryBaseMs ?? 500, attempt - 2, 10_000));
      try {
        const handler = await (options.loadHandler ?? loadInboundEmailHandler)();
        await handler(
          event,
          createLambdaContext({ functionName: 'inboundEmail', region: options.region, timeoutMs: 60_000 }),
        );
        return;
      } catch (error) {
        lastError = error;
        log.error(`Local SMTP: message ${messageId} failed (attempt ${attempt} of ${maxAttempts})`, error);
      }
    }
    if (stopped && lastError === undefined) return;
    const failure = lastError as { name?: string; message?: string } | undefined;
    await appendFailure(options.failureFile, {
      failedAt: new Date().toISOString(),
      attempts: maxAttempts,
      error: { name: failure?.name, message: failure?.message ?? String(lastError) },
      event,
    });
  };

  const server = new SMTPServer({
    name: 'localhost',
    banner: 'CRM local inbound email',
    // Loopback only, plain text, anyone may send: a development stand-in for SES's MX.
    secure: false,
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: maxBytes,
    logger: false,
    onData(
      stream: SMTPServerDataStream,
      session: SMTPServerSession,
      callback: (error?: Error | null) => void,
    ) {
      // Read now: the session's envelope is reset for the next message once this one is answered.
      const mailFrom = session.envelope.mailFrom;
      const recipients = session.envelope.rcptTo.map((recipient) => recipient.address);
      readAll(stream)
        .then(async (raw) => {
          if (stream.sizeExceeded) {
            const error = Object.assign(new Error(`Message exceeds the ${maxBytes} bytes allowed`), {
              responseCode: 552,
            });
            callback(error);
            return;
          }
          const messageId = messageIdNow();
          await options.store(`${INBOUND_MAIL_PREFIX}${messageId}`, raw);
          callback();
          const event = receiptEvent({
            messageId,
            envelopeFrom: mailFrom ? mailFrom.address : '',
            recipients,
            at: new Date(),
          });
          const running = invoke(event, messageId).catch((error: unknown) =>
            log.error(`Local SMTP: message ${messageId} was not handed over`, error),
          );
          inFlight.add(running);
          void running.finally(() => inFlight.delete(running));
        })
        .catch((error: unknown) => {
          log.error('Local SMTP: a message could not be stored', error);
          callback(Object.assign(new Error('Temporary failure storing the message'), { responseCode: 451 }));
        });
    },
  });
  server.on('error', (error) => log.error('Local SMTP server error', error));

  const address = await new Promise<AddressInfo>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new PortInUseError(options.port, options.portEnvVar ?? 'SMTP_PORT', 'SMTP port')
          : error,
      );
    };
    server.server.once('error', onError);
    server.listen(options.port, '127.0.0.1', () => {
      server.server.off('error', onError);
      resolve(server.server.address() as AddressInfo);
    });
  });

  return {
    port: address.port,
    url: `smtp://127.0.0.1:${address.port}`,
    async idle() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    async stop() {
      stopped = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...inFlight]);
    },
  };
}
