import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { type AttemptOutcome, isSuccessStatus } from '#shared/domain/webhooks';
import type { ResolvedAddress } from './resolver.ts';
import type { TargetCheck } from './target-guard.ts';

/** Sent with every delivery, so receivers and their firewalls can tell these requests apart. */
export const WEBHOOK_USER_AGENT = 'ServerlessCRM-Webhooks/1.0 (+https://github.com/serverless-crm)';

/**
 * A `lookup` that answers the checked address whatever name it is asked for:
 * the connection goes where the guard looked, never to a second DNS answer.
 */
function pinnedLookup(pinned: ResolvedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as LookupFunction;
}

/**
 * POSTs `body` with `headers` to a checked target, connecting only to the
 * checked address (a fresh agent whose `lookup` is pinned to it; TLS still
 * verifies the certificate against the URL's host name). The attempt is
 * settled by the answer's status line: its body is never read (the socket is
 * dropped at once), so an endpoint that answers 2xx and then trickles,
 * stalls or floods its body has still accepted the delivery. Redirects are
 * not followed: a 3xx is a failure. Gives up after `timeoutMs` overall
 * (connection included). Never throws: every failure is an outcome with
 * `error`, which tells a connection that could not be made from one that was
 * dropped before any answer, and both from an answer that is not HTTP (Node's
 * parser codes, `HPE_*`: garbage, headers over its limit).
 */
export function postToTarget(
  check: Extract<TargetCheck, { ok: true }>,
  body: string,
  headers: Readonly<Record<string, string>>,
  timeoutMs: number,
): Promise<AttemptOutcome> {
  const { target, address } = check;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const send = target.url.protocol === 'https:' ? httpsRequest : httpRequest;
  const options: RequestOptions = {
    method: 'POST',
    host: target.host,
    port: target.port,
    path: `${target.url.pathname}${target.url.search}`,
    headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) },
    lookup: pinnedLookup(address),
    // No pooled socket from an earlier connection: each delivery connects where it was checked.
    agent: false,
  };
  return new Promise<AttemptOutcome>((resolve) => {
    let settled = false;
    let connected = false;
    const finish = (outcome: Omit<AttemptOutcome, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...outcome, durationMs: elapsed() });
    };
    const req = send(options, (answer: IncomingMessage) => {
      const status = answer.statusCode ?? 0;
      finish(
        isSuccessStatus(status)
          ? { ok: true, statusCode: status }
          : {
              ok: false,
              statusCode: status,
              error:
                status >= 300 && status < 400
                  ? `answered ${status} (redirects are not followed)`
                  : `answered ${status}`,
            },
      );
      answer.on('error', () => {});
      req.destroy();
    });
    req.on('socket', (socket) => {
      const connectEvent = target.url.protocol === 'https:' ? 'secureConnect' : 'connect';
      socket.once(connectEvent, () => {
        connected = true;
      });
    });
    const timer = setTimeout(() => {
      finish({ ok: false, error: `timed out after ${timeoutMs} ms` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error: NodeJS.ErrnoException) => {
      const code = error.code ?? error.message;
      finish({
        ok: false,
        error: code.startsWith('HPE_')
          ? `answered something that is not HTTP: ${code}`
          : connected
            ? `connection dropped before an answer: ${code}`
            : `could not connect: ${code}`,
      });
    });
    req.end(body);
  });
}
