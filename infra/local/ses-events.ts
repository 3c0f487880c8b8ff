import { randomUUID } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Context } from 'aws-lambda';
import { type SesEventType, sesDetailTypes } from '#shared/domain/ses-event';
import { appendFailure } from './background.ts';
import { PortInUseError } from './errors.ts';
import { moduleHandlerLoader } from './handler-loader.ts';
import { createLambdaContext, LOCAL_ACCOUNT_ID } from './lambda-context.ts';
import type { Logger } from './logger.ts';
import { assertPortFree } from './ports.ts';
import { KEEP_ALIVE_MS, type RunningSesLocal, startSesLocal } from './ses-local.ts';
import { SesState } from './ses-state.ts';

/**
 * SES event publishing, locally. aws-ses-v2-local stores mail but keeps no
 * tags and publishes no events, so a small proxy sits on the SES port in front
 * of it (which moves to a free internal port): every request is forwarded
 * as is (the inbox UI and /store work through the proxy URL), and each
 * successful SendEmail produces the EventBridge events SES would publish for
 * the message's configuration set (source `aws.ses`, `detail` = the SES
 * record with the message's tags), including the mailbox simulator's
 * outcomes. Shortly after the send they are handed, one at a time and in
 * order, to the same handler module EventBridge invokes in AWS
 * (functions/events/sesEvents.ts), retried with backoff like an async Lambda
 * invocation, and written to a JSONL file (the dead-letter queue) when they
 * keep failing. The accepted mail, which claim each message went out under,
 * and the events not yet handled are kept under the data dir and restored on
 * start (ses-state.ts), so a crash loses neither mail nor events.
 */

export const SES_EVENT_FAILURES_FILE = 'ses-event-failures.jsonl';

export type SesEventHandler = (event: SesEventBridgeEvent, context: Context) => Promise<unknown>;
export type LoadSesEventHandler = () => Promise<SesEventHandler>;

const loadSesEventsModule = moduleHandlerLoader<SesEventHandler>(async () =>
  (await import('../lambdas.ts')).sesEventsEntry(),
);
/** The handler that serves AWS, imported once like a warm container. */
export const loadSesEventsHandler: LoadSesEventHandler = () => loadSesEventsModule('sesEvents');

export interface SesEventBridgeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': string;
  readonly source: 'aws.ses';
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: string[];
  readonly detail: Record<string, unknown>;
}

// ─── What SES would publish ──────────────────────────────────────────────────

const SIMULATOR_DOMAIN = 'simulator.amazonses.com';

/** What SES's mailbox simulator does with an address; any other address is delivered. */
export type SimulatedOutcome = 'delivered' | 'bounce' | 'complaint' | 'suppressed';

export function simulatedOutcome(address: string): SimulatedOutcome {
  const at = address.lastIndexOf('@');
  if (at < 0 || address.slice(at + 1).toLowerCase() !== SIMULATOR_DOMAIN) return 'delivered';
  // Labels (`bounce+run1@...`) select the same scenario, as with SES.
  const mailbox = (address.slice(0, at).split('+')[0] ?? '').toLowerCase();
  if (mailbox === 'bounce') return 'bounce';
  if (mailbox === 'complaint') return 'complaint';
  if (mailbox === 'suppressionlist') return 'suppressed';
  return 'delivered';
}

/** The parts of an SES v2 SendEmail request the events describe. */
export interface SentMessage {
  readonly messageId: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[];
  readonly bcc: readonly string[];
  readonly subject: string;
  readonly tags: readonly { readonly Name: string; readonly Value: string }[];
  readonly configurationSet: string;
  readonly sentAt: Date;
}

export interface EventContext {
  readonly region: string;
  readonly account: string;
}

/** `name <address>` or a bare address → the address. */
const addressPart = (from: string) => /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
const domainOf = (address: string) => address.slice(address.lastIndexOf('@') + 1).toLowerCase();
/** EventBridge's `time`: seconds precision. */
const eventTime = (at: Date) => `${at.toISOString().slice(0, 19)}Z`;
const feedbackId = () => `${Date.now().toString(16)}-${randomUUID()}-000000`;

function mailSection(message: SentMessage, context: EventContext): Record<string, unknown> {
  const destination = [...message.to, ...message.cc, ...message.bcc];
  const fromDomain = domainOf(addressPart(message.from));
  const tags: Record<string, string[]> = {};
  for (const tag of message.tags) tags[tag.Name] = [tag.Value];
  Object.assign(tags, {
    'ses:configuration-set': [message.configurationSet],
    'ses:source-ip': ['127.0.0.1'],
    'ses:from-domain': [fromDomain],
    'ses:caller-identity': ['local'],
  });
  return {
    timestamp: message.sentAt.toISOString(),
    source: message.from,
    sourceArn: `arn:aws:ses:${context.region}:${context.account}:identity/${fromDomain}`,
    sendingAccountId: context.account,
    messageId: message.messageId,
    destination,
    headersTruncated: false,
    headers: [
      { name: 'From', value: message.from },
      { name: 'To', value: message.to.join(', ') },
      { name: 'Subject', value: message.subject },
    ],
    commonHeaders: {
      from: [message.from],
      to: [...message.to],
      messageId: message.messageId,
      subject: message.subject,
    },
    tags,
  };
}

function bounceOf(addresses: readonly string[], suppressed: boolean, at: Date) {
  return {
    bounceType: 'Permanent',
    bounceSubType: suppressed ? 'OnAccountSuppressionList' : 'General',
    bouncedRecipients: addresses.map((emailAddress) => ({
      emailAddress,
      action: 'failed',
      status: '5.1.1',
      diagnosticCode: suppressed
        ? 'Amazon SES did not send the message to this address because it is on the suppression list for your account.'
        : 'smtp; 550 5.1.1 user unknown',
    })),
    timestamp: at.toISOString(),
    feedbackId: feedbackId(),
    ...(suppressed ? {} : { reportingMTA: 'dns; simulator.amazonses.com' }),
  };
}

/**
 * The events SES publishes for one sent message, in the order it would:
 * Send, then Delivery for the addresses that accept it, then a permanent
 * Bounce per simulator outcome, then the Complaint.
 */
export function sesEventsFor(
  message: SentMessage,
  context: EventContext,
  now = new Date(),
): SesEventBridgeEvent[] {
  const mail = mailSection(message, context);
  const recipients = [...message.to, ...message.cc, ...message.bcc];
  const having = (...outcomes: SimulatedOutcome[]) =>
    recipients.filter((address) => outcomes.includes(simulatedOutcome(address)));
  const event = (type: SesEventType, section: Record<string, unknown>, at: Date): SesEventBridgeEvent => ({
    version: '0',
    id: randomUUID(),
    'detail-type': sesDetailTypes[type],
    source: 'aws.ses',
    account: context.account,
    time: eventTime(at),
    region: context.region,
    resources: [
      `arn:aws:ses:${context.region}:${context.account}:configuration-set/${message.configurationSet}`,
    ],
    detail: { eventType: type, mail, ...section },
  });

  const events = [event('Send', { send: {} }, message.sentAt)];
  const delivered = having('delivered', 'complaint');
  if (delivered.length > 0)
    events.push(
      event(
        'Delivery',
        {
          delivery: {
            timestamp: now.toISOString(),
            processingTimeMillis: Math.max(0, now.getTime() - message.sentAt.getTime()),
            recipients: delivered,
            smtpResponse: '250 2.6.0 Message received',
            reportingMTA: 'a0-0.smtp-out.local.amazonses.com',
          },
        },
        now,
      ),
    );
  const bounced = having('bounce');
  if (bounced.length > 0) events.push(event('Bounce', { bounce: bounceOf(bounced, false, now) }, now));
  const suppressed = having('suppressed');
  if (suppressed.length > 0) events.push(event('Bounce', { bounce: bounceOf(suppressed, true, now) }, now));
  const complained = having('complaint');
  if (complained.length > 0)
    events.push(
      event(
        'Complaint',
        {
          complaint: {
            complainedRecipients: complained.map((emailAddress) => ({ emailAddress })),
            timestamp: now.toISOString(),
            feedbackId: feedbackId(),
            userAgent: 'Amazon SES Mailbox Simulator',
            complaintFeedbackType: 'abuse',
            arrivalDate: now.toISOString(),
          },
        },
        now,
      ),
    );
  return events;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null;
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** The message of a successful SES v2 SendEmail (request and response bodies), or undefined. */
export function sentMessageOf(
  requestBody: string,
  responseBody: string,
  defaultConfigurationSet: string,
  now = new Date(),
): SentMessage | undefined {
  let request: unknown;
  let response: unknown;
  try {
    request = JSON.parse(requestBody);
    response = JSON.parse(responseBody);
  } catch {
    return undefined;
  }
  if (!isObject(request) || !isObject(response) || typeof response.MessageId !== 'string') return undefined;
  const destination = isObject(request.Destination) ? request.Destination : {};
  const content = isObject(request.Content) ? request.Content : {};
  const simple = isObject(content.Simple) ? content.Simple : {};
  const subject =
    isObject(simple.Subject) && typeof simple.Subject.Data === 'string' ? simple.Subject.Data : '';
  const tags = Array.isArray(request.EmailTags)
    ? request.EmailTags.flatMap((tag) =>
        isObject(tag) && typeof tag.Name === 'string' && typeof tag.Value === 'string'
          ? [{ Name: tag.Name, Value: tag.Value }]
          : [],
      )
    : [];
  return {
    messageId: response.MessageId,
    from: typeof request.FromEmailAddress === 'string' ? request.FromEmailAddress : '',
    to: strings(destination.ToAddresses),
    cc: strings(destination.CcAddresses),
    bcc: strings(destination.BccAddresses),
    subject,
    tags,
    configurationSet:
      typeof request.ConfigurationSetName === 'string' && request.ConfigurationSetName !== ''
        ? request.ConfigurationSetName
        : defaultConfigurationSet,
    sentAt: now,
  };
}

/**
 * The messages of a successful SES v2 SendBulkEmail: one per entry SES
 * answered SUCCESS for, with the call's sender and configuration set, the
 * entry's recipients and its tags (the call's default tags, overridden by
 * name by the entry's replacement tags). `subjectOf` gives the rendered
 * subject of a message id (the emulator's stored copy).
 */
export function sentMessagesOfBulk(
  requestBody: string,
  responseBody: string,
  defaultConfigurationSet: string,
  subjectOf: (messageId: string) => string | undefined,
  now = new Date(),
): SentMessage[] {
  let request: unknown;
  let response: unknown;
  try {
    request = JSON.parse(requestBody);
    response = JSON.parse(responseBody);
  } catch {
    return [];
  }
  if (!isObject(request) || !isObject(response) || !Array.isArray(response.BulkEmailEntryResults)) return [];
  const entries = Array.isArray(request.BulkEmailEntries) ? request.BulkEmailEntries : [];
  const tagsOf = (value: unknown) =>
    Array.isArray(value)
      ? value.flatMap((tag) =>
          isObject(tag) && typeof tag.Name === 'string' && typeof tag.Value === 'string'
            ? [{ Name: tag.Name, Value: tag.Value }]
            : [],
        )
      : [];
  const defaultTags = tagsOf(request.DefaultEmailTags);
  const configurationSet =
    typeof request.ConfigurationSetName === 'string' && request.ConfigurationSetName !== ''
      ? request.ConfigurationSetName
      : defaultConfigurationSet;
  return response.BulkEmailEntryResults.flatMap((result: unknown, index: number): SentMessage[] => {
    const entry: unknown = entries[index];
    if (!isObject(result) || result.Status !== 'SUCCESS' || typeof result.MessageId !== 'string') return [];
    if (!isObject(entry)) return [];
    const destination = isObject(entry.Destination) ? entry.Destination : {};
    const replaced = tagsOf(entry.ReplacementTags);
    const names = new Set(replaced.map((tag) => tag.Name));
    return [
      {
        messageId: result.MessageId,
        from: typeof request.FromEmailAddress === 'string' ? request.FromEmailAddress : '',
        to: strings(destination.ToAddresses),
        cc: strings(destination.CcAddresses),
        bcc: strings(destination.BccAddresses),
        subject: subjectOf(result.MessageId) ?? '',
        tags: [...defaultTags.filter((tag) => !names.has(tag.Name)), ...replaced],
        configurationSet,
        sentAt: now,
      },
    ];
  });
}

// ─── Publishing them ─────────────────────────────────────────────────────────

export interface SesEventPublisherOptions {
  readonly region: string;
  readonly log: Logger;
  /** The dead-letter stand-in: one JSON object a line per event given up on. */
  readonly failureFile: string;
  readonly loadHandler?: LoadSesEventHandler;
  /** Between the send and its first event. Default 200 ms. */
  readonly delayMs?: number;
  /** Invocations of a failing event (the first included) before it goes to the failure file. Default 3. */
  readonly maxAttempts?: number;
  /** Delay before the first retry, doubled for each further one. Default 500 ms. */
  readonly retryBaseMs?: number;
  /** Events wait for this (the table up, handler env set) before any handler runs. */
  readonly whenReady?: Promise<unknown>;
  /** Messages whose events are being handled at once. Default 4. */
  readonly concurrency?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Invokes the handler for each message's events, in order, off the request
 * path, a few messages at a time: a 10,000-recipient campaign must not bury
 * DynamoDB Local under 10,000 concurrent handlers (Lambda would scale out;
 * the laptop cannot).
 */
class SesEventPublisher {
  private readonly inFlight = new Set<Promise<void>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiting: { key: string; events: SesEventBridgeEvent[] }[] = [];
  private stopped = false;

  constructor(
    private readonly options: SesEventPublisherOptions,
    private readonly state: SesState<SesEventBridgeEvent>,
  ) {}

  /**
   * Hands a message's events over after the delay; `key` (the message id)
   * marks them handled in the state once done. Also for events an earlier run
   * recorded and never handled, as EventBridge would still deliver them.
   */
  publish(key: string, events: SesEventBridgeEvent[]): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.waiting.push({ key, events });
      this.pump();
    }, this.options.delayMs ?? 200);
    this.timers.add(timer);
  }

  private pump(): void {
    const concurrency = this.options.concurrency ?? 4;
    while (!this.stopped && this.inFlight.size < concurrency && this.waiting.length > 0) {
      const { key, events } = this.waiting.shift() ?? { key: '', events: [] };
      const run: Promise<void> = this.deliverAll(events)
        .then((finished) => (finished ? this.state.handled(key) : undefined))
        .catch((error: unknown) => this.options.log.error('Local SES events: publishing failed', error))
        .finally(() => {
          this.inFlight.delete(run);
          this.pump();
        });
      this.inFlight.add(run);
    }
  }

  /** Resolves once every event published so far has been handled (or given up on). */
  async idle(): Promise<void> {
    while (this.timers.size > 0 || this.waiting.length > 0 || this.inFlight.size > 0) {
      await Promise.all([...this.inFlight]);
      await sleep(10);
    }
  }

  /** Events not yet started stay in the journal for the next start; those running finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.waiting.length = 0;
    await Promise.all([...this.inFlight]);
  }

  /** True when every event was handled or given up on (so the journal may forget them). */
  private async deliverAll(events: SesEventBridgeEvent[]): Promise<boolean> {
    try {
      await this.options.whenReady;
    } catch {
      return false; // the runtime did not start; it is being stopped
    }
    for (const event of events) {
      if (this.stopped) return false;
      await this.deliver(event);
    }
    return true;
  }

  private async deliver(event: SesEventBridgeEvent): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 3;
    let lastError: unknown;
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep((this.options.retryBaseMs ?? 500) * 2 ** (attempt - 2));
      try {
        const handler = await (this.options.loadHandler ?? loadSesEventsHandler)();
        const context = createLambdaContext({
          functionName: 'sesEvents',
          region: this.options.region,
          timeoutMs: 30_000,
        });
        await handler(event, context);
        return;
      } catch (error) {
        lastError = error;
        this.options.log.error(
          `SES event ${event['detail-type']} ${event.id} failed (attempt ${attempt} of ${maxAttempts})`,
          error,
        );
      }
    }
    const failure = lastError as { name?: string; message?: string } | undefined;
    await appendFailure(this.options.failureFile, {
      failedAt: new Date().toISOString(),
      attempts: maxAttempts,
      error: { name: failure?.name, message: failure?.message ?? String(lastError) },
      event,
    });
    this.options.log.error(
      `SES event ${event.id} failed ${maxAttempts} times and was given up; see ${this.options.failureFile}`,
    );
  }
}

// ─── The proxy ───────────────────────────────────────────────────────────────

export interface SesWithEventsOptions extends SesEventPublisherOptions {
  /**
   * Where the accepted mail, the claim ledger and the events not yet handled
   * are kept across restarts (ses-state.ts). Undefined: in memory only.
   */
  readonly stateDir?: string;
  /** The SES port the handlers and the inbox use; 0 picks a free one. */
  readonly port: number;
  readonly portEnvVar?: string;
  /** Events name this set when a send names none (SES's default configuration set). Default `crm`. */
  readonly defaultConfigurationSet?: string;
  readonly account?: string;
}

export interface RunningSesWithEvents extends RunningSesLocal {
  /** Resolves once every event of the sends so far has been handled. */
  idle(): Promise<void>;
  /** Where senders ask which message went out under a claim (LOCAL_SES_LEDGER_URL). */
  readonly ledgerUrl: string;
}

const SEND_EMAIL_PATH = '/v2/email/outbound-emails';
const SEND_BULK_EMAIL_PATH = '/v2/email/outbound-bulk-emails';
const CLEAR_STORE_PATH = '/clear-store';
/**
 * Local only: `GET /__local/claims/<claim id>` answers `{messageId}` when a
 * message was accepted under that claim (its `claim` tag), else 404. See
 * shared/mail/sent-ledger.ts.
 */
export const CLAIM_LEDGER_PATH = '/__local/claims/';
/** Per-connection headers a proxy must not pass on (RFC 9110 §7.6.1); lengths are recomputed. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'transfer-encoding',
  'content-length',
  'upgrade',
  'proxy-connection',
  'te',
  'trailer',
]);

function readAll(stream: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
  });
}

interface Forwarded {
  readonly status: number;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

function forward(upstreamPort: number, request: IncomingMessage, body: Buffer): Promise<Forwarded> {
  const headers = Object.fromEntries(
    Object.entries(request.headers).filter(([name]) => !hopByHop.has(name.toLowerCase())),
  );
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest(
      {
        host: '127.0.0.1',
        port: upstreamPort,
        method: request.method,
        path: request.url,
        headers: { ...headers, 'content-length': String(body.length) },
      },
      (response) => {
        readAll(response)
          .then((responseBody) =>
            resolve({ status: response.statusCode ?? 502, headers: response.headers, body: responseBody }),
          )
          .catch(reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(body);
  });
}

function answer(response: ServerResponse, forwarded: Forwarded): void {
  for (const [name, value] of Object.entries(forwarded.headers)) {
    if (value !== undefined && !hopByHop.has(name.toLowerCase())) response.setHeader(name, value);
  }
  response.setHeader('content-length', forwarded.body.length);
  response.writeHead(forwarded.status);
  response.end(forwarded.body);
}

/** aws-ses-v2-local behind the event-publishing proxy; the proxy's URL is the SES endpoint and inbox. */
export async function startSesWithEvents(options: SesWithEventsOptions): Promise<RunningSesWithEvents> {
  // The proxy binds 127.0.0.1, but the inbox URL says localhost: a program on [::1] would get the browser.
  await assertPortFree(options.port, options.portEnvVar ?? 'SES_PORT', 'SES port');
  const upstream = await startSesLocal({ port: 0 });
  const state = new SesState<SesEventBridgeEvent>(options.stateDir);
  const publisher = new SesEventPublisher(options, state);
  const context: EventContext = { region: options.region, account: options.account ?? LOCAL_ACCOUNT_ID };
  const configurationSet = options.defaultConfigurationSet ?? 'crm';
  try {
    for (const { key, events } of await state.load()) publisher.publish(key, events);
  } catch (error) {
    await upstream.stop();
    throw error;
  }

  /** On disk before the sender hears "accepted": an answered send is never forgotten. */
  const accepted = async (message: SentMessage) => {
    const claim = message.tags.find((tag) => tag.Name === 'claim')?.Value;
    const events = sesEventsFor(message, context);
    await state.sent(message.messageId, claim, events);
    publisher.publish(message.messageId, events);
  };

  const server = createServer((request, response) => {
    const handle = async () => {
      const path = (request.url ?? '').split('?')[0] ?? '';
      if (request.method === 'GET' && path.startsWith(CLAIM_LEDGER_PATH)) {
        const messageId = state.messageFor(decodeURIComponent(path.slice(CLAIM_LEDGER_PATH.length)));
        response.writeHead(messageId ? 200 : 404, { 'content-type': 'application/json' });
        response.end(JSON.stringify(messageId ? { messageId } : { message: 'No message under this claim' }));
        return;
      }
      const body = await readAll(request);
      const forwarded = await forward(upstream.port, request, body);
      const ok = forwarded.status >= 200 && forwarded.status < 300;
      if (request.method === 'POST' && path === SEND_EMAIL_PATH && ok) {
        const message = sentMessageOf(
          body.toString('utf8'),
          forwarded.body.toString('utf8'),
          configurationSet,
        );
        if (message) await accepted(message);
      }
      if (request.method === 'POST' && path === SEND_BULK_EMAIL_PATH && ok) {
        const messages = sentMessagesOfBulk(
          body.toString('utf8'),
          forwarded.body.toString('utf8'),
          configurationSet,
          (messageId) => state.storedEmail(messageId)?.subject,
        );
        for (const message of messages) await accepted(message);
      }
      if (request.method === 'POST' && path === CLEAR_STORE_PATH && ok) await state.cleared();
      answer(response, forwarded);
    };
    handle().catch((error: unknown) => {
      options.log.error('Local SES proxy failed on a request', error);
      if (!response.headersSent) {
        response.writeHead(502, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ message: 'Local SES is not answering' }));
      } else response.destroy();
    });
  });

  // See startSesLocal: an idle socket closed under a client's send turns the send's outcome unknown.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new PortInUseError(options.port, options.portEnvVar ?? 'SES_PORT', 'SES port')
            : error,
        ),
      );
      server.listen(options.port, '127.0.0.1', () => resolve());
    });
  } catch (error) {
    await upstream.stop();
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    inboxUrl: `http://localhost:${port}/`,
    port,
    idle: () => publisher.idle(),
    ledgerUrl: `http://127.0.0.1:${port}${CLAIM_LEDGER_PATH}`,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await publisher.stop();
      await upstream.stop();
    },
  };
}
