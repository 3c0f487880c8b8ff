import type { Delivery } from './delivery.ts';

/** What the pixel request says about who fetched it (API Gateway's `requestContext.http`). */
export interface OpenRequest {
  readonly userAgent?: string | undefined;
  /** The client's address as API Gateway saw it (IPv4 or IPv6). */
  readonly sourceIp?: string | undefined;
}

/**
 * Why an open was taken for a machine's:
 * - `privacy_proxy`: Apple Mail Privacy Protection, which fetches every image of
 *   a message on arrival, from Apple's network, whether anyone reads it or not;
 * - `image_proxy`: a mailbox provider's image proxy named in the user agent
 *   (Gmail's GoogleImageProxy, Yahoo's YahooMailProxy), which hides the reader
 *   and caches the pixel, so its fetch is not a person's open one can count;
 * - `scanner`: security gateways and HTTP libraries that fetch links and
 *   images to inspect them;
 * - `prefetch`: any fetch within seconds of delivery (MACHINE_OPEN_WINDOW_MS).
 */
export type MachineOpenReason = 'privacy_proxy' | 'image_proxy' | 'scanner' | 'prefetch';

export type OpenVerdict =
  | { readonly machine: false }
  | { readonly machine: true; readonly reason: MachineOpenReason };

/**
 * An open counts as a person's only if it comes later than a mail-privacy
 * proxy would fetch the pixel: Apple Mail Privacy Protection and similar
 * prefetch images within seconds of delivery.
 */
export const MACHINE_OPEN_WINDOW_MS = 10_000;

/**
 * Apple's network, 17.0.0.0/8 (ARIN's allocation to Apple Inc.), from which
 * Mail Privacy Protection fetches with the bare user agent `Mozilla/5.0`.
 */
const isAppleNetwork = (ip: string | undefined): boolean =>
  ip !== undefined && /^17\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(ip);

/** The bare agent Mail Privacy Protection sends, with nothing after the product token. */
const isBareMozilla = (agent: string): boolean => agent.trim() === 'Mozilla/5.0';

/** Mailbox providers' image proxies, as they name themselves in the user agent. */
const imageProxyAgents = [/GoogleImageProxy/i, /via ggpht\.com/i, /YahooMailProxy/i];

/**
 * Security scanners and HTTP libraries: mail gateways that fetch a message's
 * images and links to inspect them, and programs rather than mail clients.
 */
const scannerAgents = [
  /Barracuda/i,
  /Mimecast/i,
  /Proofpoint/i,
  /Symantec/i,
  /Trend ?Micro/i,
  /Forcepoint/i,
  /HeadlessChrome/i,
  /PhantomJS/i,
  /\b(bot|crawler|spider|scanner)\b/i,
  /^curl\//i,
  /^Wget\//i,
  /^python-requests\//i,
  /^python-urllib/i,
  /^Go-http-client\//i,
  /^Java\//i,
  /^okhttp\//i,
  /^axios\//i,
  /^node-fetch/i,
];

/**
 * Whether a tracked click is a scanner's: a security gateway or an HTTP
 * library following the message's links to inspect them. They are known by
 * their user agent, or by timing when they pose as a browser: they fetch
 * every link as the message arrives, within MACHINE_OPEN_WINDOW_MS of
 * delivery, before a person could have read it. A click is otherwise a
 * person's: mail clients and webmail hand links to a browser. Pure:
 * `clickedAt` is the request's time.
 */
export function classifyClick(
  request: OpenRequest,
  delivery: Pick<Delivery, 'deliveredAt' | 'sentAt'>,
  clickedAt: Date,
): OpenVerdict {
  const agent = request.userAgent ?? '';
  if (scannerAgents.some((pattern) => pattern.test(agent))) return { machine: true, reason: 'scanner' };
  return arrivedWithMessage(delivery, clickedAt) ? { machine: true, reason: 'prefetch' } : { machine: false };
}

/** Whether a fetch came within seconds of delivery, or before the message was sent at all. */
function arrivedWithMessage(delivery: Pick<Delivery, 'deliveredAt' | 'sentAt'>, at: Date): boolean {
  const since = delivery.deliveredAt ?? delivery.sentAt;
  return !since || at.getTime() - Date.parse(since) < MACHINE_OPEN_WINDOW_MS;
}

/**
 * Whether a tracked open is a person's or a machine's, and why (see
 * MachineOpenReason). Machines are recognised by their network (Apple's, with
 * Mail Privacy Protection's bare agent), by their user agent (image proxies,
 * scanners, HTTP libraries) and by timing (within MACHINE_OPEN_WINDOW_MS of
 * delivery, or before the message was sent at all). A missing user agent is
 * no evidence either way. Pure: `openedAt` is the request's time.
 */
export function classifyOpen(
  request: OpenRequest,
  delivery: Pick<Delivery, 'deliveredAt' | 'sentAt'>,
  openedAt: Date,
): OpenVerdict {
  const agent = request.userAgent ?? '';
  if (isAppleNetwork(request.sourceIp) && (agent === '' || isBareMozilla(agent)))
    return { machine: true, reason: 'privacy_proxy' };
  if (imageProxyAgents.some((pattern) => pattern.test(agent)))
    return { machine: true, reason: 'image_proxy' };
  if (scannerAgents.some((pattern) => pattern.test(agent))) return { machine: true, reason: 'scanner' };
  // An open before the email went out cannot be a person's.
  return arrivedWithMessage(delivery, openedAt) ? { machine: true, reason: 'prefetch' } : { machine: false };
}
