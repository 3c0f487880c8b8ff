import { type CryptoKey, importPKCS8, importSPKI, type JWTPayload, jwtVerify, SignJWT } from 'jose';
import { type Role, roles } from '#shared/domain/access';
import { loadOrCreateDevTokenKeys } from './dev-secrets.ts';

/**
 * Dev tokens: the local stand-in for Cognito ID tokens. Same claim names and shape
 * (`sub`, `email`, `custom:tenantId`, `custom:teamId`, `cognito:groups`), signed
 * with a key that only exists in the local data folder, so they mean nothing in AWS.
 */
export const LOCAL_TOKEN_ISSUER = 'urn:serverless-crm:local-dev-tokens';
export const LOCAL_TOKEN_AUDIENCE = 'serverless-crm-local';
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;

export const TENANT_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** Ids end up in keys and log lines: no whitespace or control characters. */
const ID_PATTERN = /^[A-Za-z0-9_.:@+-]{1,128}$/;

export interface TokenRequest {
  readonly tenant: string;
  readonly role: Role;
  /** Defaults to `<role>-<tenant>`, so the same flags always mean the same user. */
  readonly user?: string;
  readonly team?: string;
  readonly email?: string;
  readonly ttlSeconds?: number;
}

export function defaultUserId(tenant: string, role: Role): string {
  return `${role}-${tenant}`;
}

/** Returns the problem with a request in words a CLI user understands, or undefined. */
export function tokenRequestProblem(request: TokenRequest): string | undefined {
  if (!TENANT_PATTERN.test(request.tenant)) return 'tenant must match /^[A-Za-z0-9_-]{1,64}$/';
  if (!roles.includes(request.role)) return `role must be one of ${roles.join(', ')}`;
  if (request.user !== undefined && !ID_PATTERN.test(request.user))
    return 'user must be 1-128 characters of [A-Za-z0-9_.:@+-]';
  if (request.team !== undefined && !ID_PATTERN.test(request.team))
    return 'team must be 1-128 characters of [A-Za-z0-9_.:@+-]';
  if (request.email !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(request.email))
    return 'email must be an email address';
  // Tests mint already-expired tokens with a negative TTL; the CLI only accepts positive ones.
  if (request.ttlSeconds !== undefined && !Number.isInteger(request.ttlSeconds))
    return 'ttl must be a whole number of seconds';
  return undefined;
}

interface LoadedKeys {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly publicKey: CryptoKey;
}

const keysByDataDir = new Map<string, Promise<LoadedKeys>>();

function keysFor(dataDir: string): Promise<LoadedKeys> {
  let keys = keysByDataDir.get(dataDir);
  if (!keys) {
    keys = loadOrCreateDevTokenKeys(dataDir).then(async ({ kid, privateKeyPem, publicKeyPem }) => ({
      kid,
      privateKey: await importPKCS8(privateKeyPem, 'RS256'),
      publicKey: await importSPKI(publicKeyPem, 'RS256'),
    }));
    keys.catch(() => keysByDataDir.delete(dataDir));
    keysByDataDir.set(dataDir, keys);
  }
  return keys;
}

export async function mintToken(dataDir: string, request: TokenRequest): Promise<string> {
  const problem = tokenRequestProblem(request);
  if (problem) throw new Error(`Invalid token request: ${problem}`);
  const { kid, privateKey } = await keysFor(dataDir);
  const user = request.user ?? defaultUserId(request.tenant, request.role);
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    email: request.email ?? `${user}@example.com`,
    'custom:tenantId': request.tenant,
    ...(request.team === undefined ? {} : { 'custom:teamId': request.team }),
    'cognito:groups': [request.role],
    'cognito:username': user,
    token_use: 'id',
    auth_time: now,
  })
    .setProtectedHeader({ alg: 'RS256', typ: 'JWT', kid })
    .setSubject(user)
    .setIssuer(LOCAL_TOKEN_ISSUER)
    .setAudience(LOCAL_TOKEN_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + (request.ttlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS))
    .sign(privateKey);
}

/** Verifies like API Gateway's JWT authorizer: signature, issuer, audience, expiry. Throws when invalid. */
export async function verifyToken(dataDir: string, token: string): Promise<JWTPayload> {
  const { publicKey } = await keysFor(dataDir);
  const { payload } = await jwtVerify(token, publicKey, {
    algorithms: ['RS256'],
    issuer: LOCAL_TOKEN_ISSUER,
    audience: LOCAL_TOKEN_AUDIENCE,
    requiredClaims: ['exp', 'sub'],
  });
  return payload;
}
