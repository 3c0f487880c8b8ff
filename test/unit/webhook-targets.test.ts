import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addressRefusal, parseTargetUrl } from '../../shared/domain/webhook-targets.ts';
import { postToTarget } from '../../shared/webhooks/post.ts';
import type { ResolvedAddress, Resolver } from '../../shared/webhooks/resolver.ts';
import { checkTarget, registrationRefusal } from '../../shared/webhooks/target-guard.ts';

/** A resolver answering from a table, counting its calls; a name it lacks does not resolve. */
function stubResolver(answers: Record<string, readonly string[] | (() => readonly string[])>) {
  const calls: string[] = [];
  const resolver: Resolver = async (host) => {
    calls.push(host);
    const answer = answers[host];
    const addresses = typeof answer === 'function' ? answer() : answer;
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return addresses.map((address): ResolvedAddress => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return { resolver, calls };
}

const aws = (resolver: Resolver) => ({ resolver, localTargets: false });

describe('SSRF guard: addresses', () => {
  it.each([
    ['10.1.2.3', 'a private address'],
    ['172.16.0.1', 'a private address'],
    ['192.168.1.1', 'a private address'],
    ['127.0.0.1', 'a loopback address'],
    ['::1', 'a loopback address'],
    ['169.254.10.10', 'a link-local address'],
    ['fe80::1', 'a link-local address'],
    ['fc00::1', 'a unique-local address'],
    ['100.64.0.1', 'a carrier-grade NAT address'],
    ['0.0.0.0', 'the unspecified address'],
    ['::', 'the unspecified address'],
    ['224.0.0.1', 'a multicast address'],
    ['ff02::1', 'a multicast address'],
    ['255.255.255.255', 'the broadcast address'],
    ['169.254.169.254', 'the instance metadata service'],
    ['fd00:ec2::254', 'the instance metadata service'],
    ['::ffff:127.0.0.1', 'a loopback address (IPv4-mapped)'],
    ['::ffff:169.254.169.254', 'the instance metadata service (IPv4-mapped)'],
    ['64:ff9b::a00:1', 'a private address (NAT64)'],
    ['2002:a00:1::', 'a 6to4 address'],
    ['192.0.2.1', 'a reserved address'],
    // IPv6 outside global unicast 2000::/3, which ipaddr.js calls plain `unicast`
    ['::7f00:1', 'not a global unicast address'],
    ['::a00:1', 'not a global unicast address'],
    ['::2', 'not a global unicast address'],
    ['fec0::1', 'deprecatedSiteLocal'],
    ['64:ff9b:1::808:808', 'a local-use NAT64 address'],
    ['4000::1', 'not a global unicast address'],
  ])('refuses %s: %s', (address, kind) => {
    expect(addressRefusal(address)).toContain(kind);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8', '64:ff9b::808:808'])(
    'allows the public address %s',
    (address) => {
      expect(addressRefusal(address)).toBeUndefined();
    },
  );
});

describe('SSRF guard: URLs', () => {
  const { resolver } = stubResolver({
    'hooks.example.com': ['93.184.216.34'],
    'internal.example.com': ['10.0.0.5'],
    'mixed.example.com': ['93.184.216.34', '127.0.0.1'],
    'metadata.example.com': ['169.254.169.254'],
    'v6.example.com': ['2606:4700:4700::1111'],
  });

  it('refuses other schemes, credentials, plain http in AWS and what is not a URL', async () => {
    expect(parseTargetUrl('ftp://hooks.example.com/x', { localTargets: false })).toEqual({
      refused: 'must be http or https, not ftp',
    });
    expect(parseTargetUrl('file:///etc/passwd', { localTargets: true })).toMatchObject({
      refused: /not file/,
    });
    expect(parseTargetUrl('https://user:pw@hooks.example.com/', { localTargets: false })).toMatchObject({
      refused: /credentials/,
    });
    expect(parseTargetUrl('http://hooks.example.com/', { localTargets: false })).toEqual({
      refused: 'must use https',
    });
    expect(parseTargetUrl('hooks.example.com/x', { localTargets: false })).toEqual({
      refused: 'is not an absolute URL',
    });
    expect(
      parseTargetUrl(`https://hooks.example.com/${'a'.repeat(2048)}`, { localTargets: false }),
    ).toMatchObject({
      refused: /at most 2048/,
    });
  });

  it('refuses hosts resolving to private, metadata or partly private addresses, and unresolvable hosts', async () => {
    expect(await registrationRefusal('https://internal.example.com/hook', aws(resolver))).toBe(
      'has a host that resolves to 10.0.0.5, a private address',
    );
    expect(await registrationRefusal('https://metadata.example.com/', aws(resolver))).toContain(
      'instance metadata service',
    );
    // One private address among public ones refuses the URL: a round-robin answer cannot slip it in.
    expect(await registrationRefusal('https://mixed.example.com/', aws(resolver))).toContain('127.0.0.1');
    expect(await registrationRefusal('https://nowhere.example.com/', aws(resolver))).toContain(
      'does not resolve',
    );
  });

  it('refuses IP literals of those ranges without asking DNS', async () => {
    const { resolver: counted, calls } = stubResolver({});
    expect(await registrationRefusal('https://127.0.0.1/', aws(counted))).toContain('loopback');
    expect(await registrationRefusal('https://[::1]:8443/', aws(counted))).toContain('loopback');
    expect(await registrationRefusal('https://[::ffff:10.0.0.1]/', aws(counted))).toContain('private');
    expect(await registrationRefusal('https://169.254.169.254/latest/meta-data', aws(counted))).toContain(
      'metadata',
    );
    expect(await registrationRefusal('https://0x7f.1/', aws(counted))).toContain('loopback');
    expect(calls).toEqual([]);
  });

  it.each([
    ['https://2130706433/', 'points at 127.0.0.1, a loopback address'],
    ['https://017700000001/', 'points at 127.0.0.1, a loopback address'],
    ['https://0x7f000001/', 'points at 127.0.0.1, a loopback address'],
    ['https://127.1/', 'points at 127.0.0.1, a loopback address'],
    ['https://127.0.0.1./', 'points at 127.0.0.1, a loopback address'],
    ['https://%31%30.0.0.1/', 'points at 10.0.0.1, a private address'],
    ['https://[::ffff:127.0.0.1]/', 'points at ::ffff:7f00:1, a loopback address (IPv4-mapped)'],
    [
      'https://[::ffff:a9fe:a9fe]/',
      'points at ::ffff:a9fe:a9fe, the instance metadata service (IPv4-mapped)',
    ],
    ['https://[::127.0.0.1]/', 'points at ::7f00:1, not a global unicast address'],
    ['https://[fe80::1%25eth0]/', 'is not an absolute URL'],
    ['https://good.example.com@10.0.0.1/', 'must not carry credentials (user:password@)'],
    ['https://10.0.0.1\\@good.example.com/', 'points at 10.0.0.1, a private address'],
    ['https://hooks.example.com:0/', 'must name a port from 1 to 65535'],
    ['https://hooks.example.com:65536/', 'is not an absolute URL'],
    ['javascript:alert(1)', 'must be http or https, not javascript'],
    ['data:text/plain,hi', 'must be http or https, not data'],
  ])('refuses %s in AWS: %s', async (url, reason) => {
    const { resolver: counted, calls } = stubResolver({});
    expect(await registrationRefusal(url, aws(counted))).toBe(reason);
    expect(calls).toEqual([]);
  });

  it('allows https to public hosts, and the address to connect to is the one checked', async () => {
    expect(await checkTarget('https://hooks.example.com/crm?x=1', aws(resolver))).toMatchObject({
      ok: true,
      address: { address: '93.184.216.34', family: 4 },
      target: { host: 'hooks.example.com', port: 443 },
    });
    expect(await checkTarget('https://v6.example.com:8443/', aws(resolver))).toMatchObject({
      ok: true,
      address: { family: 6 },
      target: { port: 8443 },
    });
  });

  it('locally allows http and loopback, and registers without resolving', async () => {
    const { resolver: counted, calls } = stubResolver({});
    expect(
      await registrationRefusal('http://127.0.0.1:4999/hook', { resolver: counted, localTargets: true }),
    ).toBeUndefined();
    expect(
      await registrationRefusal('http://listener.local/hook', { resolver: counted, localTargets: true }),
    ).toBeUndefined();
    expect(calls).toEqual([]);
    expect(
      await registrationRefusal('ftp://127.0.0.1/', { resolver: counted, localTargets: true }),
    ).toContain('ftp');
  });
});

describe('SSRF guard: a slow name server', () => {
  it('refuses a host that does not resolve in time instead of waiting on it', async () => {
    const silent = () => new Promise<never>(() => {});
    expect(
      await checkTarget('https://slow.example.com/', {
        resolver: silent,
        localTargets: false,
        resolveTimeoutMs: 50,
      }),
    ).toEqual({ ok: false, refused: 'has a host that did not resolve within 50 ms' });
  });
});

describe('SSRF guard: DNS rebinding', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];
  beforeAll(async () => {
    server = createServer((request, response) => {
      received.push(`${request.method} ${request.headers.host} ${request.url}`);
      request.resume();
      request.on('end', () => response.writeHead(204).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('refuses at delivery a host that resolved to a public address at registration and to a private one now', async () => {
    let answer = '93.184.216.34';
    const { resolver } = stubResolver({ 'rebind.example.com': () => [answer] });
    expect(await registrationRefusal('https://rebind.example.com/hook', aws(resolver))).toBeUndefined();
    answer = '169.254.169.254';
    expect(await checkTarget('https://rebind.example.com/hook', aws(resolver))).toEqual({
      ok: false,
      refused: 'has a host that resolves to 169.254.169.254, the instance metadata service',
    });
  });

  it('connects to the checked address only: the name is never resolved again when connecting', async () => {
    // `rebind.test` exists in no DNS: were the request to resolve it again it could not connect at all;
    // a rebinding server would answer it with another address. The pinned lookup gives the checked one.
    const { resolver, calls } = stubResolver({ 'rebind.test': ['127.0.0.1'] });
    const check = await checkTarget(`http://rebind.test:${port}/hook?a=1`, { resolver, localTargets: true });
    if (!check.ok) throw new Error(check.refused);
    const outcome = await postToTarget(check, '{}', { 'Content-Type': 'application/json' }, 5000);
    expect(outcome).toMatchObject({ ok: true, statusCode: 204 });
    expect(calls).toEqual(['rebind.test']);
    expect(received).toContain(`POST rebind.test:${port} /hook?a=1`);
  });
});
