import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sesModule from 'aws-ses-v2-local';
import { PortInUseError } from './errors.ts';

// A CommonJS module with `exports.default`: Node's ESM loader hands over the exports
// object, bundlers the function itself.
const startSesServer = (sesModule as unknown as { default?: typeof sesModule }).default ?? sesModule;

/**
 * aws-ses-v2-local in this process: the SES v2 API the handlers send through
 * (AWS_ENDPOINT_URL_SESV2) and a web inbox at its root URL showing every message.
 */
export interface RunningSesLocal {
  readonly endpoint: string;
  readonly inboxUrl: string;
  readonly port: number;
  stop(): Promise<void>;
}

/** How long an idle keep-alive connection stays open (as API Gateway's 65 s in http-server.ts). */
export const KEEP_ALIVE_MS = 65_000;

export async function startSesLocal(options: {
  port: number;
  portEnvVar?: string;
}): Promise<RunningSesLocal> {
  const server: Server = await startSesServer({ host: '127.0.0.1', port: options.port });
  // Its listen callback also fires on a listen error, so "not listening" is how a busy port shows.
  if (!server.listening) {
    server.close();
    throw new PortInUseError(options.port, options.portEnvVar ?? 'SES_PORT', 'SES port');
  }
  // Longer than a client's idle keep-alive socket lives: else a send written just as the server
  // closes the socket fails with ECONNRESET, an outcome the sender must treat as unknown.
  server.keepAliveTimeout = KEEP_ALIVE_MS;
  server.headersTimeout = KEEP_ALIVE_MS + 1_000;
  const port = (server.address() as AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    inboxUrl: `http://localhost:${port}/`,
    port,
    stop: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
