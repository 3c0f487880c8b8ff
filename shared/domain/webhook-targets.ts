import ipaddr from 'ipaddr.js';

/**
 * Where a webhook may deliver (SSRF guard). A webhook URL is chosen by a
 * tenant's admin and fetched by the CRM's own functions, so in AWS it must
 * not reach anything only those functions can reach: the instance metadata
 * service, the VPC's private ranges, localhost. These are the rules on the URL
 * and on each address its host resolves to; shared/webhooks/target-guard.ts
 * applies them at registration and before every delivery, and the delivery
 * connects to the address that was checked. Locally (`npm start`, tests) the
 * listener is on this machine, so `localTargets` lets anything through.
 */

/** The instance metadata service of EC2 and Lambda, by IPv4 and IPv6: named, so the refusal says so. */
export const METADATA_ADDRESSES = ['169.254.169.254', 'fd00:ec2::254'] as const;

/** The longest URL a webhook may have. */
export const MAX_URL_LENGTH = 2048;

/** The address ranges (ipaddr.js `range()` names) and what a refusal calls them. */
const refusedRanges: Readonly<Record<string, string>> = {
  private: 'a private address',
  loopback: 'a loopback address',
  linkLocal: 'a link-local address',
  uniqueLocal: 'a unique-local address',
  carrierGradeNat: 'a carrier-grade NAT address',
  unspecified: 'the unspecified address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  reserved: 'a reserved address',
  benchmarking: 'a benchmarking address',
  amt: 'an AMT address',
  as112: 'an AS112 address',
  deprecated: 'a deprecated address',
  orchid2: 'an ORCHID address',
  '6to4': 'a 6to4 address',
  teredo: 'a Teredo address',
  rfc6145: 'an IPv4-translated address',
  discard: 'a discard-only address',
};

/** The well-known NAT64 prefix (RFC 6052): its last 32 bits are the IPv4 address it reaches. */
const NAT64_WELL_KNOWN = ipaddr.parseCIDR('64:ff9b::/96');
/** IPv6 global unicast (RFC 4291 section 2.4): every routable IPv6 address outside it is special. */
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * What `address` (an IPv4 or IPv6 literal) is when a delivery may not go to
 * it ("a private address", "the instance metadata service (IPv4-mapped)"),
 * or undefined when it may: only globally routable unicast passes. An IPv4
 * address inside IPv6 (IPv4-mapped `::ffff:a.b.c.d`, well-known NAT64
 * `64:ff9b::/96`) is judged as the IPv4 address it reaches; any other IPv6
 * address outside global unicast `2000::/3` is refused, whatever ipaddr.js
 * calls its range (IPv4-compatible `::a.b.c.d`, local-use NAT64
 * `64:ff9b:1::/48`, site-local `fec0::/10`, ...).
 */
export function addressKind(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'not an IP address';
  let parsed = ipaddr.parse(address);
  let via = '';
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    const range = v6.range();
    const nat64 = v6.match(NAT64_WELL_KNOWN);
    if (range === 'ipv4Mapped' || nat64) {
      parsed = ipaddr.fromByteArray(v6.toByteArray().slice(12));
      via = nat64 ? ' (NAT64)' : ' (IPv4-mapped)';
    } else if (range === 'rfc6052') {
      return 'a local-use NAT64 address';
    } else if (range === 'unicast' && !v6.match(GLOBAL_UNICAST_V6)) {
      return 'not a global unicast address';
    }
  }
  const normal = parsed.toString();
  if ((METADATA_ADDRESSES as readonly string[]).includes(normal))
    return `the instance metadata service${via}`;
  const range = parsed.range();
  if (range === 'unicast') return undefined;
  return `${refusedRanges[range] ?? `in the ${range} range`}${via}`;
}

/** Why a delivery may not go to `address` ("10.0.0.5 is a private address"), or undefined when it may ({@link addressKind}). */
export function addressRefusal(address: string): string | undefined {
  const kind = addressKind(address);
  return kind === undefined ? undefined : `${address} is ${kind}`;
}

/** The URL of a webhook, parsed, and what must be resolved of it. */
export interface TargetUrl {
  readonly url: URL;
  /** The host to resolve, or the literal address (brackets removed). */
  readonly host: string;
  /** True when the host is an IP literal: no DNS involved. */
  readonly literal: boolean;
  readonly port: number;
}

/**
 * The URL's own refusal (before any DNS): not http(s), credentials in it, not
 * https where `localTargets` is off, too long, no host, port 0. Returns the parsed
 * target or `{ refused }` with a sentence for the 400 and the delivery log.
 */
export function parseTargetUrl(
  raw: string,
  options: { readonly localTargets: boolean },
): TargetUrl | { readonly refused: string } {
  if (raw.length > MAX_URL_LENGTH) return { refused: `must be at most ${MAX_URL_LENGTH} characters` };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { refused: 'is not an absolute URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    return { refused: `must be http or https, not ${url.protocol.replace(/:$/, '')}` };
  if (!options.localTargets && url.protocol !== 'https:') return { refused: 'must use https' };
  if (url.username || url.password) return { refused: 'must not carry credentials (user:password@)' };
  if (!url.hostname) return { refused: 'has no host' };
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
  // Port 0 is no port: nothing listens there, and connecting to it fails.
  if (port === 0) return { refused: 'must name a port from 1 to 65535' };
  return { url, host, literal: ipaddr.isValid(host), port };
}
