import { type AddressObject, simpleParser } from 'mailparser';
import sanitizeHtml from 'sanitize-html';
import { normalizeEmail } from '../domain/email.ts';
import { MAX_ATTACHMENTS, MAX_HTML } from '../domain/inbound-email.ts';

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
  const [from] = mailboxes(parsed.from);
  if (!from) return { ok: false, reason: 'no readable From address' };
  const date = parsed.date && !Number.isNaN(parsed.date.getTime()) ? parsed.date.toISOString() : undefined;
  const html = typeof parsed.html === 'string' ? sanitizeMailHtml(parsed.html) : undefined;
  const attachments = parsed.attachments.map((attachment) => ({
    ...(attachment.filename ? { filename: attachment.filename } : {}),
    contentType: attachment.contentType,
    size: attachment.size ?? attachment.content?.length ?? 0,
  }));
  const messageId = parsed.messageId?.trim().replace(/^<|>$/g, '');
  return {
    ok: true,
    message: {
      headers,
      from,
      to: mailboxes(parsed.to),
      cc: mailboxes(parsed.cc),
      ...(parsed.subject ? { subject: parsed.subject } : {}),
      ...(messageId ? { messageId } : {}),
      ...(date ? { date } : {}),
      text: (parsed.text ?? '').normalize('NFC'),
      ...(html && html.trim() !== '' && html.length <= MAX_HTML ? { html } : {}),
      attachments: attachments.slice(0, MAX_ATTACHMENTS),
      moreAttachments: Math.max(0, attachments.length - MAX_ATTACHMENTS),
    },
  };
}
