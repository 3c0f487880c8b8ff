import { addressKind, parseTargetUrl, type TargetUrl } from '#shared/domain/webhook-targets';
import type { ResolvedAddress, Resolver } from './resolver.ts';

/**
 * The SSRF guard (rules in shared/domain/webhook-targets.ts), applied at
 * registration and before every delivery. A delivery then connects to the
 * address checked here and no other (shared/webhooks/post.ts pins it), so a
 * host whose DNS answers differently between the check and the connection
 * (DNS rebinding) cannot lead the request anywhere unchecked.
 */

export type TargetCheck =
  | { readonly ok: true; readonly target: TargetUrl; readonly address: ResolvedAddress }
  | { readonly ok: false; readonly refused: string };

export interface GuardOptions {
  readonly resolver: Resolver;
  /** Allow http and any address (`npm start`, tests; config.webhookLocalTargets). */
  readonly localTargets: boolean;
  /** How long the host may take to resolve (ms); default {@link RESOLVE_TIMEOUT_MS}. */
  readonly resolveTimeoutMs?: number;
}

/**
 * How long a host may take to resolve. getaddrinfo retries a silent name
 * server for many seconds, and a tenant chooses the name: unbounded, one slow
 * zone would hold the worker past its own timeout (and the other messages of
 * its batch with it).
 */
export const RESOLVE_TIMEOUT_MS = 5_000;

/** The resolver's answer, or a rejection with code `ETIMEOUT` after `timeoutMs`. */
async function resolveWithin(resolver: Resolver, host: string, timeoutMs: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(
      () => reject(Object.assign(new Error('DNS timeout'), { code: 'ETIMEOUT' })),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([resolver(host), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const refused = (reason: string): TargetCheck => ({ ok: false, refused: reason });

/**
 * Whether a delivery may go to `rawUrl`, and to which address: every address
 * the host resolves to must be allowed (one refused address refuses the URL,
 * so a round-robin answer cannot slip a private address in), and the first is
 * the one to connect to. `refused` is a sentence about the URL ("resolves to
 * 10.0.0.5, a private address").
 */
export async function checkTarget(rawUrl: string, options: GuardOptions): Promise<TargetCheck> {
  const target = parseTargetUrl(rawUrl, { localTargets: options.localTargets });
  if ('refused' in target) return refused(target.refused);
  if (target.literal) {
    const why = options.localTargets ? undefined : addressKind(target.host);
    if (why) return refused(`points at ${target.host}, ${why}`);
    return { ok: true, target, address: { address: target.host, family: target.host.includes(':') ? 6 : 4 } };
  }
  let addresses: readonly ResolvedAddress[];
  try {
    addresses = await resolveWithin(
      options.resolver,
      target.host,
      options.resolveTimeoutMs ?? RESOLVE_TIMEOUT_MS,
    );
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'ETIMEOUT')
      return refused(
        `has a host that did not resolve within ${options.resolveTimeoutMs ?? RESOLVE_TIMEOUT_MS} ms`,
      );
    return refused(`has a host that does not resolve (${code ?? 'DNS error'})`);
  }
  const [first] = addresses;
  if (!first) return refused('has a host that resolves to no address');
  if (!options.localTargets) {
    for (const { address } of addresses) {
      const why = addressKind(address);
      if (why) return refused(`has a host that resolves to ${address}, ${why}`);
    }
  }
  return { ok: true, target, address: first };
}

/**
 * The check made when a webhook is registered or its URL changed: the URL's
 * own rules always; its addresses in AWS (locally a listener may not be up
 * yet, and nothing is refused anyway). Undefined when it may be used.
 */
export async function registrationRefusal(
  rawUrl: string,
  options: GuardOptions,
): Promise<string | undefined> {
  if (options.localTargets) {
    const target = parseTargetUrl(rawUrl, { localTargets: true });
    return 'refused' in target ? target.refused : undefined;
  }
  const check = await checkTarget(rawUrl, options);
  return check.ok ? undefined : check.refused;
}
