import { createServer } from 'node:net';
import { PortInUseError, StartupError } from './errors.ts';

/** Asks the OS for a TCP port free on every interface (bind to 0, read it, release it). */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * True when nothing listens on `port` on any interface. Checked on the IPv6 wildcard,
 * which on a dual-stack host also conflicts with IPv4 listeners (0.0.0.0, 127.0.0.1),
 * so a program on `localhost` of either family counts as busy.
 */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/**
 * Throws PortInUseError when something already listens on `port` (0 means any free port).
 * Needed before handing a port to a process that cannot tell us it failed to bind in
 * time: DynamoDB Local's readiness probe would otherwise be answered by whoever holds it.
 */
export async function assertPortFree(port: number, envVar: string, what: string): Promise<void> {
  if (port !== 0 && !(await isPortFree(port))) throw new PortInUseError(port, envVar, what);
}

/** Reads a port from the environment; undefined when unset, an error when not a port number. */
export function portFromEnv(name: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StartupError(`${name} must be a port number (0-65535), got "${raw}"`);
  }
  return port;
}

export interface PortRequest {
  /** The variable that pins the port, e.g. `DYNAMODB_PORT`. */
  readonly envVar: string;
  /** Used when the variable is unset and the port is free. */
  readonly defaultPort: number;
  /** Named in messages, e.g. `DynamoDB Local` ("DynamoDB Local port 8000 is in use; ..."). */
  readonly what: string;
}

export interface PortChoice {
  /** 0 when the variable asks for any free port. */
  readonly port: number;
  /** Set when the default was busy and another port was taken instead. */
  readonly movedFrom?: number;
}

/**
 * The port `npm start` gives a service. Pinned by its variable: that port or a clear
 * PortInUseError (0 = any free port). Unset: the default, or, when something else
 * holds it, a free port, reported in `movedFrom` so the caller can say so.
 */
export async function choosePort(
  request: PortRequest,
  env: NodeJS.ProcessEnv = process.env,
): Promise<PortChoice> {
  const pinned = portFromEnv(request.envVar, env);
  if (pinned !== undefined) {
    await assertPortFree(pinned, request.envVar, `${request.what} port`);
    return { port: pinned };
  }
  if (await isPortFree(request.defaultPort)) return { port: request.defaultPort };
  return { port: await findFreePort(), movedFrom: request.defaultPort };
}

/** One plain line about a moved port, or undefined when the default was taken. */
export function movedPortNotice(request: PortRequest, choice: PortChoice): string | undefined {
  if (choice.movedFrom === undefined) return undefined;
  return `${request.what}: port ${choice.movedFrom} is in use, so it runs on port ${choice.port} instead (set ${request.envVar}=... to pin a port)`;
}
