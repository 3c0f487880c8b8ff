import { lookup } from 'node:dns/promises';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  readonly address: string;
  readonly family: 4 | 6;
}

/**
 * The DNS port of the SSRF guard: every address `host` resolves to (A and
 * AAAA), or a rejection when it resolves to none. Tests stub it, so a
 * resolver that answers one thing at the check and another at the connection
 * (DNS rebinding) can be played without a DNS server.
 */
export type Resolver = (host: string) => Promise<readonly ResolvedAddress[]>;

/** The system resolver (getaddrinfo), every address, in the order it gives them. */
export const systemResolver: Resolver = async (host) =>
  (await lookup(host, { all: true, verbatim: true })).map((entry) => ({
    address: entry.address,
    family: entry.family === 6 ? 6 : 4,
  }));
