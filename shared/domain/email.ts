import { domainToASCII } from 'node:url';

/**
 * Email addresses, one form everywhere: what the API stores and shows, what
 * unique constraints, exact-email search and suppression hashes compare, what
 * SES sends to and what its events report back. That form is lower case with
 * the domain in IDNA ASCII (UTS #46 via the WHATWG URL host parser, as
 * `url.domainToASCII`), so `Lucia@Müller.example` and
 * `lucia@xn--mller-kva.example` are one address, stored as the latter.
 * The local part stays ASCII: SES does not send SMTPUTF8 (RFC 6531) mail.
 */

/** RFC 5321 caps a path at 256 octets, so an address at 254. */
export const MAX_EMAIL_LENGTH = 254;

/**
 * The dot-atom local part of RFC 5322 without the rarely supported specials,
 * and LDH domain labels whose last is alphabetic or an IDNA `xn--` label.
 */
const ADDRESS =
  /^(?!\.)(?!.*\.\.)[a-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}(?<!\.)@(?=.{1,253}$)((?!-)[a-z0-9-]{1,63}(?<!-)\.)+([a-z]{2,63}|xn--[a-z0-9-]{1,59})$/;

/**
 * The canonical form of `raw` (trimmed, lower case, domain in IDNA ASCII), or
 * undefined when it is not an address we can send to.
 */
export function normalizeEmail(raw: string): string | undefined {
  const candidate = canonicalEmail(raw);
  return candidate.length <= MAX_EMAIL_LENGTH && ADDRESS.test(candidate) ? candidate : undefined;
}

/**
 * The canonical form as far as it can be made (the domain converted when it
 * is a valid IDNA name): for comparing and hashing addresses stored before
 * they were normalised, and inside schemas before validation.
 */
export function canonicalEmail(raw: string): string {
  return withAsciiDomain(raw).toLowerCase();
}

/** `raw` trimmed, its domain (when a valid IDNA name) in ASCII, the local part as written. */
export function withAsciiDomain(raw: string): string {
  const value = raw.trim();
  const at = value.lastIndexOf('@');
  if (at < 1) return value;
  const domain = value.slice(at + 1);
  const ascii = domain === '' ? '' : domainToASCII(domain);
  return `${value.slice(0, at)}@${ascii || domain}`;
}

/** Whether two addresses are the same mailbox as far as the CRM tells them apart. */
export const sameEmail = (a: string | undefined, b: string | undefined): boolean =>
  a !== undefined && b !== undefined && canonicalEmail(a) === canonicalEmail(b);
