import {
  type BulkEmailStatus,
  SESv2Client,
  SendBulkEmailCommand,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import { config } from '../config.ts';
import { SES_CALL_TIMEOUT_MS } from '../domain/delivery.ts';
import { OWN_MAIL_HEADER } from '../domain/inbound-email.ts';
import { headerText, mailbox } from './headers.ts';
import type { Mailer, OutgoingEmail } from './mailer.ts';

/** The sender under `npm start`; in AWS, MAIL_FROM names a verified SES identity. */
export const DEFAULT_MAIL_FROM = 'crm@localhost.test';

/** SES tag names and values allow only `[A-Za-z0-9_-]`, 1 to 256 characters. */
export const sesTagPart = (value: string): string =>
  value.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 256) || '_';

export interface SesMailerOptions {
  readonly client?: SESv2Client;
  /** Default: MAIL_FROM, else DEFAULT_MAIL_FROM. */
  readonly from?: string;
  /** Default: SES_CONFIGURATION_SET, if set (its events go to EventBridge). */
  readonly configurationSet?: string;
  /**
   * One attempt per send, ended after SES_CALL_TIMEOUT_MS: SendEmail is not
   * idempotent (an SDK retry after a timeout can send twice), and a claimed
   * delivery's window of possible sends must be bounded. Callers retry
   * throttling themselves.
   */
  readonly boundedCalls?: boolean;
}

let defaultClient: SESv2Client | undefined;
let boundedClient: SESv2Client | undefined;

function sesClient(options: SesMailerOptions): () => SESv2Client {
  return () => {
    if (options.client) return options.client;
    if (options.boundedCalls) {
      boundedClient ??= new SESv2Client({
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 2_000, requestTimeout: SES_CALL_TIMEOUT_MS },
      });
      return boundedClient;
    }
    defaultClient ??= new SESv2Client({});
    return defaultClient;
  };
}

const tagList = (tags: Readonly<Record<string, string>> | undefined) =>
  Object.entries(tags ?? {}).map(([name, value]) => ({ Name: sesTagPart(name), Value: sesTagPart(value) }));

const headerList = (headers: Readonly<Record<string, string>>) =>
  Object.entries(headers).map(([Name, Value]) => ({ Name: headerText(Name), Value: headerText(Value) }));

/**
 * The Mailer through SES v2 `SendEmail` with simple content. Locally the SDK's
 * AWS_ENDPOINT_URL_SESV2 points at aws-ses-v2-local. Errors are SES's own
 * (e.g. `TooManyRequestsException`), so callers can tell a throttle from a
 * rejected message.
 *
 * Headers are made here for every sender (shared/mail/headers.ts): the From
 * display name quoted or RFC 2047-encoded (SES passes FromEmailAddress through
 * as written and requires encoded-words for non-ASCII), addresses with IDNA
 * ASCII domains, and no CR/LF in any header value. Every message carries
 * OWN_MAIL_HEADER, which inbound email reads to never log our own mail. The subject goes as UTF-8
 * text with its charset, which SES encodes itself (RFC 2047) when it builds
 * the message.
 */
export function sesMailer(options: SesMailerOptions = {}): Mailer {
  const client = sesClient(options);
  return {
    async send(email: OutgoingEmail): Promise<string> {
      const address = email.from ?? options.from ?? config.mailFrom ?? DEFAULT_MAIL_FROM;
      const from = mailbox(address, email.fromName);
      // Marked as ours, so a copy that reaches a logging address is never logged (inbound-email.ts).
      const headers = headerList({ ...email.headers, [OWN_MAIL_HEADER]: email.tags?.kind || 'crm' });
      const configurationSet = options.configurationSet ?? config.sesConfigurationSet;
      const tags = tagList(email.tags);
      const output = await client().send(
        new SendEmailCommand({
          FromEmailAddress: from,
          Destination: { ToAddresses: [mailbox(email.to)] },
          ...(email.replyTo ? { ReplyToAddresses: [mailbox(email.replyTo)] } : {}),
          Content: {
            Simple: {
              Subject: { Data: headerText(email.subject), Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                ...(email.html === undefined ? {} : { Html: { Data: email.html, Charset: 'UTF-8' } }),
              },
              ...(headers.length > 0 ? { Headers: headers } : {}),
            },
          },
          ...(tags.length > 0 ? { EmailTags: tags } : {}),
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
        }),
      );
      if (!output.MessageId) throw new Error('SES accepted the email but returned no MessageId');
      return output.MessageId;
    },
  };
}

/** SES's most destinations in one SendBulkEmail call. */
export const MAX_BULK_ENTRIES = 50;

/**
 * SES's longest `ReplacementTemplateData` of one bulk entry, in characters:
 * 262,144 (SES API v2 reference, ReplacementTemplate: "Length Constraints:
 * Maximum length of 262144"). A rendering whose data is longer cannot be a
 * bulk entry; it goes out alone by SendEmail (bulkEntryPlan).
 */
export const MAX_REPLACEMENT_TEMPLATE_DATA = 262_144;

/**
 * The largest SendBulkEmail request made, in bytes of its JSON body: 40 MB,
 * SES's maximum message size through the v2 API (SES Developer Guide,
 * "Service quotas in Amazon SES": 40 MB per message after base64 encoding,
 * not adjustable). SES documents no other size for a request, so a bulk
 * request is held within the size of one message, counted as 40,000,000
 * bytes (the smaller reading of MB). Fifty entries of the longest replacement
 * data come close: its 262,144 characters take up to 3 bytes each in the
 * request (UTF-8 outside ASCII; the data is JSON already, so escaping it
 * once more at most doubles an ASCII character), 786,432 bytes an entry,
 * 39.3 MB for fifty before their headers and tags; groups are cut by their
 * measured size (deliver-batch.ts), so no content makes a request larger.
 */
export const MAX_BULK_REQUEST_BYTES = 40_000_000;

/**
 * Bytes set aside in every bulk request for what its entries share: From,
 * Reply-To, the inline template, OWN_MAIL_HEADER and the configuration set,
 * each a few hundred characters at most under SES's own limits.
 */
export const BULK_ENVELOPE_RESERVE_BYTES = 64 * 1024;

/** One recipient of a bulk send: its own rendering, headers and tags. */
export interface BulkEntry {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
  /** This recipient's headers, e.g. its List-Unsubscribe URL. */
  readonly headers?: Readonly<Record<string, string>>;
  /** SES message tags of this recipient's email (its claim among them). */
  readonly tags?: Readonly<Record<string, string>>;
}

/** What every email of a bulk send shares. */
export interface BulkEmail {
  readonly from?: string;
  readonly fromName?: string;
  readonly replyTo?: string;
  /** `kind` of OWN_MAIL_HEADER. */
  readonly kind: string;
  readonly entries: readonly BulkEntry[];
}

export type BulkEntryResult =
  | { readonly status: 'sent'; readonly messageId: string }
  /** SES did not send it and may later (throttled, paused, a transient failure). */
  | { readonly status: 'not_sent'; readonly reason: string }
  /** SES will not send it as it is. */
  | { readonly status: 'refused'; readonly reason: string }
  /** SES's answer says nothing about it: it may have gone out. */
  | { readonly status: 'unknown' };

export interface BulkMailer {
  /**
   * Sends up to MAX_BULK_ENTRIES emails in one call; one result per entry, in
   * order. Throws SES's error when the whole call failed (nothing is known
   * to have been sent: see classifySendError).
   */
  sendBulk(email: BulkEmail): Promise<BulkEntryResult[]>;
}

/** Entry statuses that say the email was not sent and may be sent later. */
const notSentStatuses = new Set<BulkEmailStatus | string>([
  'ACCOUNT_THROTTLED',
  'ACCOUNT_DAILY_QUOTA_EXCEEDED',
  'ACCOUNT_SENDING_PAUSED',
  'CONFIGURATION_SET_SENDING_PAUSED',
  'TRANSIENT_FAILURE',
]);

/** The replacement data of one entry: its own subject, text and (when the send has HTML) HTML. */
const replacementData = (entry: BulkEntry, withHtml: boolean): string =>
  JSON.stringify({
    subject: headerText(entry.subject),
    text: entry.text,
    ...(withHtml ? { html: entry.html } : {}),
  });

/** One `BulkEmailEntries` member as SendBulkEmail takes it. */
function bulkEntryInput(entry: BulkEntry, withHtml: boolean) {
  const tags = tagList(entry.tags);
  const headers = headerList(entry.headers ?? {});
  return {
    Destination: { ToAddresses: [mailbox(entry.to)] },
    ReplacementEmailContent: {
      ReplacementTemplate: { ReplacementTemplateData: replacementData(entry, withHtml) },
    },
    ...(headers.length > 0 ? { ReplacementHeaders: headers } : {}),
    ...(tags.length > 0 ? { ReplacementTags: tags } : {}),
  };
}

/**
 * The most an entry's parts can grow on the way into the request, per
 * character: 6 in the replacement data (a control character becomes
 * `\u00XX`), 7 bytes in the request body (that escape's backslash escaped
 * again); any other character takes at most 3 (UTF-8, or a quote escaped twice).
 */
const DATA_CHARS_PER_CHAR = 6;
const REQUEST_BYTES_PER_CHAR = 7;
/**
 * An entry's JSON structure and its address (at most 254 characters of at most
 * 3 bytes each), with room to spare; each header and tag adds 32 for its own.
 */
const ENTRY_STRUCTURE_BYTES = 2_048;

/** How a rendering goes into a SendBulkEmail request (see bulkEntryPlan). */
export interface BulkEntryPlan {
  /** Whether it can be a bulk entry at all; if not, it goes alone by SendEmail. */
  readonly fits: boolean;
  /** At least the bytes it adds to a request body (its member of `BulkEmailEntries` and a comma). */
  readonly bytes: number;
}

/**
 * Whether a rendering can be a SendBulkEmail entry — its replacement data at
 * most MAX_REPLACEMENT_TEMPLATE_DATA characters, and the entry alone within a
 * request (MAX_BULK_REQUEST_BYTES less BULK_ENVELOPE_RESERVE_BYTES) — and an
 * upper bound of the bytes it adds to a request. A rendering far from both
 * limits is judged by its length alone (the growth factors above); one near
 * them is built as the request would carry it and measured (UTF-8 of its JSON,
 * as the SDK's REST-JSON body).
 */
export function bulkEntryPlan(entry: BulkEntry): BulkEntryPlan {
  const content = entry.subject.length + entry.text.length + (entry.html?.length ?? 0);
  const extras = [...Object.entries(entry.headers ?? {}), ...Object.entries(entry.tags ?? {})].reduce(
    (sum, [name, value]) => sum + 3 * (name.length + value.length) + 32,
    0,
  );
  const bound = REQUEST_BYTES_PER_CHAR * content + extras + ENTRY_STRUCTURE_BYTES;
  const room = MAX_BULK_REQUEST_BYTES - BULK_ENVELOPE_RESERVE_BYTES;
  if (DATA_CHARS_PER_CHAR * content + 64 <= MAX_REPLACEMENT_TEMPLATE_DATA && bound <= room)
    return { fits: true, bytes: bound };
  const withHtml = entry.html !== undefined;
  const input = bulkEntryInput(entry, withHtml);
  const bytes = Buffer.byteLength(JSON.stringify(input)) + 1;
  const dataLength = input.ReplacementEmailContent.ReplacementTemplate.ReplacementTemplateData.length;
  return { fits: dataLength <= MAX_REPLACEMENT_TEMPLATE_DATA && bytes <= room, bytes };
}

/** A bulk send refused before it reached SES (nothing was sent): each email may go alone. */
export class BulkRequestRefused extends Error {
  override readonly name = 'BulkRequestRefused';
}

/**
 * SES v2 `SendBulkEmail` with an inline template (no CreateEmailTemplate, no
 * template to keep in step): the template is `{{subject}}` / `{{html}}` /
 * `{{text}}` and each entry's replacement data is that recipient's own
 * rendering (tracked links, unsubscribe link, personalisation), which SES
 * substitutes without escaping (SES does not HTML-escape template values).
 * Per-recipient headers (List-Unsubscribe, List-Unsubscribe-Post) go as the
 * entry's ReplacementHeaders, per-recipient tags (contact, claim) as its
 * ReplacementTags; OWN_MAIL_HEADER as the template's header. Every entry
 * carries all of its tags, so nothing depends on how SES merges default and
 * replacement tags. Same bounded calls as sesMailer.
 */
export function sesBulkMailer(options: SesMailerOptions = {}): BulkMailer {
  const client = sesClient(options);
  return {
    async sendBulk(email: BulkEmail): Promise<BulkEntryResult[]> {
      if (email.entries.length === 0) return [];
      if (email.entries.length > MAX_BULK_ENTRIES)
        throw new Error(
          `SendBulkEmail takes at most ${MAX_BULK_ENTRIES} entries, got ${email.entries.length}`,
        );
      const withHtml = email.entries[0]?.html !== undefined;
      if (email.entries.some((entry) => (entry.html !== undefined) !== withHtml))
        throw new Error('Every entry of a bulk send has an HTML part, or none has');
      const address = email.from ?? options.from ?? config.mailFrom ?? DEFAULT_MAIL_FROM;
      const configurationSet = options.configurationSet ?? config.sesConfigurationSet;
      const input = {
        FromEmailAddress: mailbox(address, email.fromName),
        ...(email.replyTo ? { ReplyToAddresses: [mailbox(email.replyTo)] } : {}),
        DefaultContent: {
          Template: {
            TemplateContent: {
              Subject: '{{subject}}',
              Text: '{{text}}',
              ...(withHtml ? { Html: '{{html}}' } : {}),
            },
            TemplateData: '{}',
            Headers: headerList({ [OWN_MAIL_HEADER]: email.kind || 'crm' }),
          },
        },
        BulkEmailEntries: email.entries.map((entry) => bulkEntryInput(entry, withHtml)),
        ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
      };
      const tooLong = input.BulkEmailEntries.findIndex(
        (entry) =>
          entry.ReplacementEmailContent.ReplacementTemplate.ReplacementTemplateData.length >
          MAX_REPLACEMENT_TEMPLATE_DATA,
      );
      if (tooLong >= 0)
        throw new BulkRequestRefused(
          `Entry ${tooLong}'s replacement data is over ${MAX_REPLACEMENT_TEMPLATE_DATA} characters`,
        );
      const bytes = Buffer.byteLength(JSON.stringify(input));
      if (bytes > MAX_BULK_REQUEST_BYTES)
        throw new BulkRequestRefused(`A bulk request of ${bytes} bytes is over ${MAX_BULK_REQUEST_BYTES}`);
      const output = await client().send(new SendBulkEmailCommand(input));
      const results = output.BulkEmailEntryResults ?? [];
      return email.entries.map((_, index): BulkEntryResult => {
        const result = results[index];
        if (!result?.Status) return { status: 'unknown' };
        if (result.Status === 'SUCCESS')
          return result.MessageId ? { status: 'sent', messageId: result.MessageId } : { status: 'unknown' };
        const reason = `${result.Status}${result.Error ? `: ${result.Error}` : ''}`.slice(0, 500);
        return notSentStatuses.has(result.Status)
          ? { status: 'not_sent', reason }
          : { status: 'refused', reason };
      });
    },
  };
}
