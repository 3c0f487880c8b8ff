import { type Related, relatedKeyOf } from './activities.ts';
import { canonicalEmail } from './email.ts';
import type { Activity, LoggedEmail, StoredRecord } from './records.ts';

/**
 * Inbound email: mail sent (or copied) to a tenant's logging address becomes
 * an email activity. Pure rules: which address names which tenant, which
 * messages are automatic and never logged, and what a logged message becomes.
 * Parsing the MIME message is shared/mail/inbound-message.ts; the handler is
 * functions/events/inboundEmail.ts.
 */

/**
 * A tenant's logging address: `log-<token>@<inbound domain>`. The token is 96
 * random bits in lower-case hex, kept in the tenant's settings (rotatable), so
 * the address names the tenant without revealing or guessing it, and survives
 * mail systems that change the case of local parts.
 */
export const LOGGING_PREFIX = 'log-';
export const TOKEN_BYTES = 12;
const TOKEN = /^[0-9a-f]{24}$/;

export const loggingAddress = (token: string, domain: string): string =>
  `${LOGGING_PREFIX}${token}@${domain.toLowerCase()}`;

/** The token of `address` when it is a logging address on `domain` (any case); undefined otherwise. */
export function loggingToken(address: string, domain: string): string | undefined {
  const canonical = canonicalEmail(address);
  const at = canonical.lastIndexOf('@');
  if (at < 0 || canonical.slice(at + 1) !== canonicalEmail(`x@${domain}`).slice(2)) return undefined;
  const local = canonical.slice(0, at);
  if (!local.startsWith(LOGGING_PREFIX)) return undefined;
  const token = local.slice(LOGGING_PREFIX.length);
  return TOKEN.test(token) ? token : undefined;
}

export const isLoggingToken = (value: string): boolean => TOKEN.test(value);

/**
 * The header every message the CRM sends carries (shared/mail/ses-mailer.ts),
 * so that a copy of our own mail arriving at a logging address (an alert
 * forwarded there, a reminder to a rep who forwards everything) is never
 * logged as a customer's email, and a loop cannot start.
 */
export const OWN_MAIL_HEADER = 'X-CRM-Mail';

/** Why a message is automatic, in the order the rules are checked. */
export type AutomaticReason =
  | 'own_mail'
  | 'auto_submitted'
  | 'bounce'
  | 'mailer_daemon'
  | 'empty_return_path'
  | 'autoreply'
  | 'bulk';

/** What the ignore rules read of a message: header values by lower-case name (first occurrence, unfolded). */
export interface MessageHeaders {
  readonly headers: Readonly<Record<string, string>>;
  /** The From address, when there is one. */
  readonly from?: string | undefined;
  /** The SMTP envelope sender (MAIL FROM); `''` for the null sender of bounces. */
  readonly envelopeFrom?: string | undefined;
}

const SYSTEM_SENDERS = new Set(['mailer-daemon', 'postmaster']);
const BULK_PRECEDENCE = new Set(['bulk', 'junk', 'auto_reply', 'list']);

/** A header's value without its comments and parameters (`auto-replied; owner-email=...`), lower case. */
const token = (value: string | undefined): string | undefined =>
  value
    ?.replace(/\([^)]*\)/g, '')
    .split(';')[0]
    ?.trim()
    .toLowerCase();

const localPart = (address: string | undefined): string | undefined => {
  if (!address) return undefined;
  const at = address.lastIndexOf('@');
  return (at < 0 ? address : address.slice(0, at)).trim().toLowerCase();
};

/**
 * Why a message must not be logged, or undefined for mail a person wrote.
 * Answering or logging automatic mail is how loops start (RFC 3834 §2, §5):
 * - our own mail (OWN_MAIL_HEADER);
 * - `Auto-Submitted` other than `no` (RFC 3834: auto-replied, auto-generated, ...);
 * - delivery and read reports (`multipart/report`, RFC 6522), mail from
 *   `MAILER-DAEMON` or `postmaster`, and the null envelope sender or an empty
 *   `Return-Path: <>` (RFC 5321 §4.5.5: what bounces are sent with);
 * - `X-Autoreply` / `X-Autorespond` (vacation responders that predate RFC 3834);
 * - `Precedence: bulk | junk | auto_reply | list` (mailing lists and autoresponders).
 */
export function automaticReason(message: MessageHeaders): AutomaticReason | undefined {
  const { headers } = message;
  if (headers[OWN_MAIL_HEADER.toLowerCase()] !== undefined) return 'own_mail';
  const autoSubmitted = token(headers['auto-submitted']);
  if (autoSubmitted !== undefined && autoSubmitted !== '' && autoSubmitted !== 'no') return 'auto_submitted';
  if (token(headers['content-type']) === 'multipart/report') return 'bounce';
  if (SYSTEM_SENDERS.has(localPart(message.from) ?? '')) return 'mailer_daemon';
  const envelope = message.envelopeFrom?.trim();
  if (envelope === '' || envelope === '<>') return 'empty_return_path';
  const returnPath = headers['return-path']?.trim();
  if (returnPath !== undefined && /^<\s*>$/.test(returnPath)) return 'empty_return_path';
  if (SYSTEM_SENDERS.has(localPart(returnPath?.replace(/[<>]/g, '')) ?? '')) return 'mailer_daemon';
  if (headers['x-autoreply'] !== undefined || headers['x-autorespond'] !== undefined) return 'autoreply';
  const precedence = token(headers.precedence);
  if (precedence !== undefined && BULK_PRECEDENCE.has(precedence)) return 'bulk';
  return undefined;
}

// ─── Quoted history ──────────────────────────────────────────────────────────

/** A reply header on one line: "On Mon, 1 Jan 2024, Ana <ana@x> wrote:", "El lun, 1 ene 2024, Ana escribió:". */
const REPLY_HEADER = /^\s*(on\s.+\swrote|el\s.+\sescribi[óo])\s*:\s*$/i;
/** The start of one that a client wrapped over two lines ("On ... <ana@x>" / "wrote:"). */
const REPLY_HEADER_START = /^\s*(on|el)\s.{4,}$/i;
const REPLY_HEADER_END = /^\s*\S*.*\b(wrote|escribi[óo])\s*:\s*$/i;
/** Outlook's and others' separators ("-----Original Message-----", "----- Mensaje original -----"). */
const ORIGINAL_MESSAGE = /^\s*-{2,}\s*(original message|mensaje original)\s*-{2,}\s*$/i;
/** The header block Outlook quotes a message with: "From: ..." followed by "Sent: ..." (or Date), also in Spanish. */
const QUOTED_FROM = /^\s*\*?(from|de)\s*:\*?\s+\S/i;
const QUOTED_SENT = /^\s*\*?(sent|date|enviado(\s+el)?|fecha)\s*:\*?\s+\S/i;
/** A rule of underscores Outlook draws above that block. */
const RULE = /^\s*_{10,}\s*$/;

/** Where the quoted history starts (a line index), or `lines.length` when there is none. */
function historyStart(lines: readonly string[]): number {
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index] ?? '';
    const next = lines[index + 1] ?? '';
    if (REPLY_HEADER.test(line) || ORIGINAL_MESSAGE.test(line)) return index;
    if (REPLY_HEADER_START.test(line) && REPLY_HEADER_END.test(next) && !REPLY_HEADER.test(next))
      return index;
    if (QUOTED_FROM.test(line) && lines.slice(index + 1, index + 5).some((later) => QUOTED_SENT.test(later)))
      return index > 0 && RULE.test(lines[index - 1] ?? '') ? index - 1 : index;
  }
  return lines.length;
}

/**
 * The text a person wrote in a reply, without the history their mail client
 * quoted: everything from the first reply header on ("On … wrote:", the
 * Spanish "El … escribió:", Outlook's "-----Original Message-----" or its
 * "From: … Sent: …" block), and every line quoted with `>`. Trailing blank
 * lines go; the rest is kept as written. Empty when the message held nothing
 * but the quote.
 */
export function trimQuotedText(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const kept = lines.slice(0, historyStart(lines)).filter((line) => !/^\s*>/.test(line));
  return kept
    .join('\n')
    .replace(/\s+$/, '')
    .replace(/^\s*\n/, '');
}

// ─── What a message becomes ──────────────────────────────────────────────────

/** The longest subject and body an activity keeps (shared/schemas/activities.ts). */
export const MAX_SUBJECT = 200;
export const MAX_BODY = 10_000;
/** Sanitised HTML beyond this many characters is left out (the raw message stays in the bucket). */
export const MAX_HTML = 100_000;
/** Attachments listed per activity; a message with more lists the first ones. */
export const MAX_ATTACHMENTS = 50;
/** Contacts one outbound message is logged on (a rep's mail to many people). */
export const MAX_OUTBOUND_CONTACTS = 20;

/** A subject as one line of at most MAX_SUBJECT characters; `(no subject)` when empty. */
export function activitySubject(subject: string | undefined): string {
  const line = (subject ?? '').replace(/[\p{Cc}\u202a-\u202e\u2066-\u2069]+/gu, ' ').replace(/\s+/g, ' ');
  const trimmed = line.trim();
  return trimmed === '' ? '(no subject)' : [...trimmed].slice(0, MAX_SUBJECT).join('').trim();
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters removed from a body.
const CONTROL_EXCEPT_LINES = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/** A body of at most MAX_BODY characters, control characters other than tab and line breaks removed. */
export function activityBody(text: string): string | undefined {
  const clean = text.replace(CONTROL_EXCEPT_LINES, '').trim();
  if (clean === '') return undefined;
  const chars = [...clean];
  return chars.length <= MAX_BODY ? clean : `${chars.slice(0, MAX_BODY - 1).join('')}…`;
}

/**
 * The first and last name of a lead made from a sender: the display name split
 * at its first space ("Ana García López" → Ana / García López), or the
 * address's local part when there is no name.
 */
export function personFromSender(
  name: string | undefined,
  address: string,
): { firstName: string; lastName?: string } {
  const display = (name ?? '')
    .replace(/[\p{Cc}"<>]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const words = display.includes('@') ? [] : display.split(' ').filter((word) => word !== '');
  const [first, ...rest] = words;
  if (!first) return { firstName: (localPart(address) || address).slice(0, 100) };
  const lastName = rest.join(' ').slice(0, 100);
  return { firstName: first.slice(0, 100), ...(lastName ? { lastName } : {}) };
}

/**
 * The source of a lead created by inbound email. The leads' vocabulary (SPEC:
 * web, referral, event, campaign, cold_call, partner, other) has no email
 * channel: `web` is the site's forms, `campaign` someone a campaign reached
 * (who would be a known contact and match), so a stranger writing in is `other`.
 */
export const INBOUND_LEAD_SOURCE = 'other' as const;

/** The actor stamped on what inbound email writes (shared/store/actor.ts). */
export const INBOUND_ACTOR = 'system:inbound-email';

/** What the ignore rules and the handler report; each outcome is logged once. */
export type InboundOutcome =
  | {
      readonly kind: 'logged';
      readonly tenantId: string;
      readonly activityIds: readonly string[];
      readonly leadId?: string;
    }
  | { readonly kind: 'duplicate'; readonly tenantId: string }
  | { readonly kind: 'ignored'; readonly reason: string; readonly tenantId?: string };

/** What the inbound rules read of a parsed message (shared/mail/inbound-message.ts InboundMessage). */
export interface ReceivedMessage {
  readonly from: { readonly address: string; readonly name?: string };
  readonly to: readonly { readonly address: string }[];
  readonly cc: readonly { readonly address: string }[];
  readonly subject?: string;
  readonly messageId?: string;
  readonly date?: string;
  readonly text: string;
  readonly html?: string;
  readonly attachments: readonly {
    readonly filename?: string;
    readonly contentType: string;
    readonly size: number;
  }[];
}

/**
 * The email activity a received message becomes on `related`: subject, the
 * reply's own text (quoted history trimmed), the message's details
 * (`email`), done when it is logged, no reminder. `base` carries the id,
 * owner and stamps.
 */
export function emailActivity(
  base: StoredRecord,
  message: ReceivedMessage,
  about: {
    readonly related: Related;
    readonly direction: 'inbound' | 'outbound';
    readonly companyId?: string;
  },
): Activity {
  const body = activityBody(trimQuotedText(message.text));
  const email: LoggedEmail = {
    ...(message.messageId ? { messageId: message.messageId } : {}),
    from: { address: message.from.address, ...(message.from.name ? { name: message.from.name } : {}) },
    to: message.to.map((mailbox) => mailbox.address),
    cc: message.cc.map((mailbox) => mailbox.address),
    ...(message.date ? { date: message.date } : {}),
    ...(message.html ? { html: message.html } : {}),
    attachments: message.attachments.map((attachment) => ({ ...attachment })),
  };
  return {
    ...base,
    type: 'email',
    subject: activitySubject(message.subject),
    ...(body ? { body } : {}),
    assigneeId: base.ownerId,
    related: about.related,
    relatedKey: relatedKeyOf(about.related),
    ...(about.companyId ? { companyId: about.companyId } : {}),
    direction: about.direction,
    status: 'done',
    completedAt: base.createdAt,
    reminderState: 'none',
    email,
  };
}

/**
 * The addresses a user's message went to that may be contacts: To and Cc,
 * once each, without the sender and without addresses on the inbound domain
 * (the logging address itself).
 */
export function outboundRecipients(message: ReceivedMessage, inboundDomain: string): string[] {
  const domain = `@${inboundDomain.toLowerCase()}`;
  const seen = new Set<string>([message.from.address]);
  const recipients: string[] = [];
  for (const { address } of [...message.to, ...message.cc]) {
    if (seen.has(address) || address.endsWith(domain)) continue;
    seen.add(address);
    recipients.push(address);
  }
  return recipients;
}
