/**
 * vCard 4.0 (RFC 6350) for the people the CRM exports (contacts, leads,
 * segment members). Written here rather than with the `vcf` package: its
 * writer does not escape `\`, `,` and `;`, drops line breaks inside values
 * and folds by characters instead of octets (RFC 6350 section 3.2), so
 * accented names could be cut inside a UTF-8 sequence.
 */

/** A person as a vCard shows them; every field but `fullName` may be absent. */
export interface VCardPerson {
  /** The CRM record id, written as `UID` (a text value); absent in a shared list's cards. */
  readonly uid?: string;
  readonly fullName: string;
  readonly givenName?: string;
  readonly familyName?: string;
  readonly email?: string;
  readonly phone?: string;
  readonly organisation?: string;
  readonly title?: string;
  readonly city?: string;
  /** ISO 3166-1 alpha-2, as the CRM stores it. */
  readonly country?: string;
  readonly categories?: readonly string[];
  /** ISO 8601 date-time of the last change, written as `REV`. */
  readonly revision?: string;
}

export const VCARD_EOL = '\r\n';
/** RFC 6350 section 3.2: lines SHOULD NOT be longer than 75 octets, excluding the line break. */
const MAX_LINE_OCTETS = 75;

/** RFC 6350 section 3.4: a text value escapes `\`, `,`, `;` and line breaks (as `\n`). */
export function escapeText(value: string): string {
  return value.replace(/\r\n|[\\,;\r\n]/g, (char) =>
    char === '\\' || char === ',' || char === ';' ? `\\${char}` : '\\n',
  );
}

/**
 * Folds a content line at 75 octets: CRLF and one space before each
 * continuation, never inside a UTF-8 sequence (whole code points move).
 */
export function foldLine(line: string): string {
  if (Buffer.byteLength(line) <= MAX_LINE_OCTETS) return line;
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  // The continuation's leading space counts towards its 75 octets.
  let limit = MAX_LINE_OCTETS;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    if (octets + size > limit) {
      parts.push(current);
      current = '';
      octets = 0;
      limit = MAX_LINE_OCTETS - 1;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(`${VCARD_EOL} `);
}

/** `2026-11-30T00:45:00.000Z` → `20261130T004500Z` (RFC 6350 timestamp). */
function timestamp(iso: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]}${match[2]}${match[3]}T${match[4]}${match[5]}${match[6]}Z` : undefined;
}

/** One vCard, lines folded and ended by CRLF. */
export function vCard(person: VCardPerson): string {
  const lines: string[] = ['BEGIN:VCARD', 'VERSION:4.0'];
  if (person.uid !== undefined) lines.push(`UID;VALUE=text:${escapeText(person.uid)}`);
  lines.push(`FN:${escapeText(person.fullName)}`);
  // N: family; given; additional; prefixes; suffixes (each component escaped on its own).
  lines.push(`N:${[person.familyName ?? '', person.givenName ?? '', '', '', ''].map(escapeText).join(';')}`);
  if (person.email) lines.push(`EMAIL;TYPE=work:${escapeText(person.email)}`);
  if (person.phone) lines.push(`TEL;VALUE=text;TYPE=work:${escapeText(person.phone)}`);
  if (person.organisation) lines.push(`ORG:${escapeText(person.organisation)}`);
  if (person.title) lines.push(`TITLE:${escapeText(person.title)}`);
  if (person.city || person.country) {
    // ADR: PO box; extended; street; locality; region; postal code; country.
    const address = ['', '', '', person.city ?? '', '', '', person.country ?? ''];
    lines.push(`ADR;TYPE=work:${address.map(escapeText).join(';')}`);
  }
  if (person.categories && person.categories.length > 0)
    lines.push(`CATEGORIES:${person.categories.map(escapeText).join(',')}`);
  const revision = person.revision ? timestamp(person.revision) : undefined;
  if (revision) lines.push(`REV:${revision}`);
  lines.push('END:VCARD');
  return lines.map(foldLine).join(VCARD_EOL) + VCARD_EOL;
}
