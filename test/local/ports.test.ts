import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { PortInUseError, StartupError } from '../../infra/local/errors.ts';
import { choosePort, findFreePort, movedPortNotice, type PortRequest } from '../../infra/local/ports.ts';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
});

/** Holds a port the way another program would, on the given interface (default: all of them). */
async function hold(host?: string, port = 0): Promise<number> {
  const server = createServer();
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (host) server.listen(port, host, resolve);
    else server.listen(port, resolve);
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : 0;
}

const request = (defaultPort: number): PortRequest => ({
  envVar: 'DYNAMODB_PORT',
  defaultPort,
  what: 'DynamoDB Local',
});

describe('choosing the ports npm start takes', () => {
  it('stops with one clear line when a pinned port is in use', async () => {
    const busy = await hold();
    const failure = await choosePort(request(8000), { DYNAMODB_PORT: String(busy) }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(PortInUseError);
    expect((failure as Error).message).toBe(
      `DynamoDB Local port ${busy} is in use; set DYNAMODB_PORT=... to use another port`,
    );
  });

  it('counts a port held on the IPv4 loopback only as in use', async () => {
    const busy = await hold('127.0.0.1');
    await expect(choosePort(request(8000), { DYNAMODB_PORT: String(busy) })).rejects.toThrow(PortInUseError);
    const moved = await choosePort(request(busy), {});
    expect(moved.movedFrom).toBe(busy);
  });

  it('counts a port held on the IPv6 loopback only as in use (localhost may resolve there)', async (context) => {
    const busy = await hold('::1').catch(() => undefined);
    if (busy === undefined) return context.skip('no IPv6 loopback on this machine');
    await expect(choosePort(request(8000), { DYNAMODB_PORT: String(busy) })).rejects.toThrow(PortInUseError);
  });

  it('takes a pinned port that is free, and 0 as "any free port"', async () => {
    const free = await findFreePort();
    expect(await choosePort(request(8000), { DYNAMODB_PORT: String(free) })).toEqual({ port: free });
    expect(await choosePort(request(8000), { DYNAMODB_PORT: '0' })).toEqual({ port: 0 });
  });

  it('refuses a pinned value that is not a port', async () => {
    for (const value of ['abc', '-1', '65536', '80.5']) {
      const failure = await choosePort(request(8000), { DYNAMODB_PORT: value }).catch((e: unknown) => e);
      expect(failure, value).toBeInstanceOf(StartupError);
      expect((failure as Error).message, value).toBe(
        `DYNAMODB_PORT must be a port number (0-65535), got "${value}"`,
      );
    }
  });

  it('takes the default when it is free, with nothing to say', async () => {
    const free = await findFreePort();
    const choice = await choosePort(request(free), {});
    expect(choice).toEqual({ port: free });
    expect(movedPortNotice(request(free), choice)).toBeUndefined();
  });

  it('moves off a busy default to a free port and says so plainly', async () => {
    const busy = await hold();
    const choice = await choosePort(request(busy), {});
    expect(choice.movedFrom).toBe(busy);
    expect(choice.port).not.toBe(busy);
    expect(choice.port).toBeGreaterThan(0);
    // The port it moved to can really be taken.
    await hold(undefined, choice.port);
    expect(movedPortNotice(request(busy), choice)).toBe(
      `DynamoDB Local: port ${busy} is in use, so it runs on port ${choice.port} instead (set DYNAMODB_PORT=... to pin a port)`,
    );
  });
});
