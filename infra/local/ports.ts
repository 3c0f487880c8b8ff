import { createServer } from 'node:net';
import { StartupError } from './errors.ts';

/** Asks the OS for a free TCP port (bind to 0, read it, release it). */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** True when nothing listens on `port` (checked on every interface, as DynamoDB Local binds them all). */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}

/**
 * A fixed port keeps URLs stable between runs (inbox bookmark, `--endpoint-url`);
 * when something else holds it, any free port will do for these internal services.
 */
export async function preferredPort(preferred: number): Promise<number> {
  return (await isPortFree(preferred)) ? preferred : findFreePort();
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
