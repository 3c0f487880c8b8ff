import { type AddressObject, simpleParser } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { normalizeEmail } from '../domain/email.ts';
import {
  type AutomaticReason,
  automaticReason,
  forwardedBlock,
  MAX_ATTACHMENTS,
  MAX_HTML,
  type ReceivedMessage,
  withoutForwardPrefix,
} from '../domain/inbound-email.ts';

/**
 * A received message (RFC 5322 / MIME), read with mailparser: what the inbound
 * email rules look at and what the activity keeps. Bodies are decoded to text
 * whatever their charset and transfer encoding; the HTML is sanitised here, so
 * nothing downstream ever holds the sender's raw markup.
 */
export interface InboundMessage {
  /** Header values by lower-case name (the first occurrence, unfolded), for the ignore rules. */
  readonly headers: Readonly<Record<string, string>>;
  readonly from: Mailbox;
  /**
   * Every From mailbox (a message may have several authors, RFC 5322
   * §3.6.2), `from` first, at most MAX_AUTHORS: the handler logs it as from
   * the first that the tenant knows.
   */
  readonly authors: readonly Mailbox[];
  readonly to: readonly Mailbox[];
  readonly cc: readonly Mailbox[];
  readonly subject?: string;
  /** The Message-ID without angle brackets. */
  readonly messageId?: string;
  /** The Date header, ISO 8601; undefined when absent or unreadable. */
  readonly date?: string;
  /** The plain text (generated from the HTML when the message has no text part). */
  readonly text: string;
  /** The sanitised HTML (see sanitizeMailHtml); undefined without an HTML part or beyond MAX_HTML. */
  readonly html?: string;
  readonly attachments: readonly AttachmentInfo[];
  /** Attachments beyond MAX_ATTACHMENTS, not listed. */
  readonly moreAttachments: number;
  /**
   * The message this one forwards, when its original sender can be read:
   * an attached `message/rfc822` (the whole original, headers included), else
   * the header block a mail client writes above a forwarded text
   * (shared/domain/inbound-email.ts forwardedBlock).
   */
  readonly forwarded?: ReceivedMessage;
  /**
   * Why the attached original is automatic mail (our own, a bounce, an
   * auto-reply: inbound-email.ts automaticReason), when it is: a forward of it
   * is never logged, or our own campaign forwarded back would become a lead.
   */
  readonly forwardedAutomatic?: AutomaticReason;
}

export interface Mailbox {
  /** Canonical form (shared/domain/email.ts). */
  readonly address: string;
  readonly name?: string;
}

export interface AttachmentInfo {
  readonly filename?: string;
  readonly contentType: string;
  /** Bytes, decoded. */
  readonly size: number;
}

/** The From mailboxes a message is matched on: a few authors at most (each is two lookups). */
export const MAX_AUTHORS = 5;

export type ParsedInbound =
  | { readonly ok: true; readonly message: InboundMessage }
  | { readonly ok: false; readonly reason: string };

const mailboxes = (value: AddressObject | AddressObject[] | undefined): Mailbox[] =>
  (Array.isArray(value) ? value : value ? [value] : [])
    .flatMap((object) => object.value)
    // Groups (`undisclosed-recipients:;`) nest their members.
    .flatMap((entry) => (entry.group ? entry.group : [entry]))
    .flatMap((entry) => {
      const address = entry.address ? normalizeEmail(entry.address) : undefined;
      if (!address) return [];
      const name = entry.name?.trim();
      return [{ address, ...(name ? { name } : {}) }];
    });

/**
 * HTML a rep can open safely inside the CRM. Allowed: text structure,
 * tables, lists, quotes and links (http, https, mailto; opened in a new tab
 * without referrer). Gone: scripts, styles, forms, frames, event handlers and
 * every other attribute. Images become links to their address ("[image: alt]"):
 * a remote image in a received message is how senders learn when (and from
 * where) it was read, so the CRM never loads one by itself; inline `cid:` and
 * `data:` images are dropped, as attachments are not stored.
 */
export function sanitizeMailHtml(html: string): string {
  return sanitizeHtml(html, {
    allowedTags: [
      ...['p', 'br', 'div', 'span', 'blockquote', 'pre', 'code', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6'],
      ...['b', 'strong', 'i', 'em', 'u', 's', 'small', 'sub', 'sup', 'a', 'ul', 'ol', 'li'],
      ...['table', 'thead', 'tbody', 'tfoot', 'tr', 'th', 'td', 'caption'],
    ],
    allowedAttributes: {
      a: ['href', 'target', 'rel'],
      td: ['colspan', 'rowspan'],
      th: ['colspan', 'rowspan'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesAppliedToAttributes: ['href'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    transformTags: {
      a: (tagName, attribs) => ({
        tagName,
        attribs: {
          ...(attribs.href ? { href: attribs.href } : {}),
          target: '_blank',
          rel: 'noopener noreferrer nofollow',
        },
      }),
      img: (_tagName, attribs): sanitizeHtml.Tag => {
        const src = attribs.src ?? '';
        const label = `[image${attribs.alt ? `: ${attribs.alt}` : ''}]`;
        if (!/^https?:\/\//i.test(src)) return { tagName: 'span', attribs: {}, text: label };
        return {
          tagName: 'a',
          attribs: { href: src, target: '_blank', rel: 'noopener noreferrer nofollow' },
          text: label,
        };
      },
    },
  });
}

/** Header values by lower-case name from the raw lines: the first occurrence, unfolded. */
function headerValues(lines: readonly { key: string; line: string }[]): Record<string, string> {
  const values: Record<string, string> = {};
  for (const { key, line } of lines) {
    const name = key.toLowerCase();
    if (Object.hasOwn(values, name)) continue;
    const colon = line.indexOf(':');
    values[name] = line
      .slice(colon + 1)
      .replace(/\r?\n[ \t]+/g, ' ')
      .trim();
  }
  return values;
}

/**
 * Parses a raw message. Not ok when mailparser cannot read it or it names no
 * sender address a reply could go to (no From, or an unreadable one): such a
 * message is logged and left in the bucket, never half-stored.
 */
export async function parseInboundMessage(raw: Buffer): Promise<ParsedInbound> {
  let parsed: Awaited<ReturnType<typeof simpleParser>>;
  try {
    parsed = await simpleParser(raw, { skipImageLinks: true, skipTextLinks: true });
  } catch (error) {
    return { ok: false, reason: `unreadable MIME: ${(error as Error).message}` };
  }
  const headers = headerValues(parsed.headerLines ?? []);
  if (parsed.headerLines.length === 0) return { ok: false, reason: 'no headers' };
  const message = receivedOf(parsed);
  if (!message) return { ok: false, reason: 'no readable From address' };
  const attachments = parsed.attachments.map(attachmentInfo);
  const attached = await attachedOriginal(parsed);
  const forwarded = attached?.automatic ? undefined : (attached?.message ?? inlineOriginal(message));
  return {
    ok: true,
    message: {
      ...message,
      headers,
      authors: mailboxes(parsed.from).slice(0, MAX_AUTHORS),
      attachments: attachments.slice(0, MAX_ATTACHMENTS),
      moreAttachments: Math.max(0, attachments.length - MAX_ATTACHMENTS),
      ...(forwarded ? { forwarded } : {}),
      ...(attached?.automatic ? { forwardedAutomatic: attached.automatic } : {}),
    },
  };
}

type Parsed = Awaited<ReturnType<typeof simpleParser>>;

const attachmentInfo = (attachment: Parsed['attachments'][number]): AttachmentInfo => ({
  ...(attachment.filename ? { filename: attachment.filename } : {}),
  contentType: attachment.contentType,
  size: attachment.size ?? attachment.content?.length ?? 0,
});

/** What the rules read of a parsed message; undefined without a readable From address. */
function receivedOf(parsed: Parsed): ReceivedMessage | undefined {
  const [from] = mailboxes(parsed.from);
  if (!from) return undefined;
  const date = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : undefined;
  const html = typeof parsed.html === 'string' ? sanitizeMailHtml(parsed.html) : undefined;
  const messageId = parsed.messageId?.trim().replace(/^<|>$/g, '');
  return {
    from,
    to: mailboxes(parsed.to),
    cc: mailboxes(parsed.cc),
    ...(parsed.subject ? { subject: parsed.subject } : {}),
    ...(messageId ? { messageId } : {}),
    ...(date ? { date } : {}),
    text: (parsed.text ?? '').normalize('NFC'),
    ...(html && html.trim() !== '' && html.length <= MAX_HTML ? { html } : {}),
    attachments: parsed.attachments.map(attachmentInfo).slice(0, MAX_ATTACHMENTS),
  };
}

/**
 * The first attached `message/rfc822` with a readable sender, and why it is
 * automatic mail if it is (only one level deep: a forward of a forward is read once).
 */
async function attachedOriginal(
  parsed: Parsed,
): Promise<{ message: ReceivedMessage; automatic?: AutomaticReason } | undefined> {
  const attached = parsed.attachments.find((attachment) => attachment.contentType === 'message/rfc822');
  if (!attached?.content) return undefined;
  let inner: Parsed;
  try {
    inner = await simpleParser(attached.content, { skipImageLinks: true, skipTextLinks: true });
  } catch {
    return undefined;
  }
  const message = receivedOf(inner);
  if (!message) return undefined;
  const automatic = automaticReason({
    headers: headerValues(inner.headerLines ?? []),
    from: message.from.address,
  });
  return { message, ...(automatic ? { automatic } : {}) };
}

/**
 * The original a forwarded text quotes below its header block. Without its
 * date: clients write it in the reader's language and time zone, without the
 * offset, so it cannot be read as an instant.
 */
function inlineOriginal(message: ReceivedMessage): ReceivedMessage | undefined {
  const block = forwardedBlock(message.text, normalizeEmail);
  if (!block) return undefined;
  const subject = block.subject ?? withoutForwardPrefix(message.subject);
  return {
    from: block.from,
    to: block.to.map((address) => ({ address })),
    cc: block.cc.map((address) => ({ address })),
    ...(subject ? { subject } : {}),
    text: block.text,
    attachments: message.attachments,
  };
}
