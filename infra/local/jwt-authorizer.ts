import type { JWTPayload } from 'jose';
import { bearerChallenge } from '#shared/http/bearer-challenge';

/**
 * The local stand-in for API Gateway's JWT authorizer: takes the token from
 * `Authorization` (`Bearer <jwt>` or the bare token, as the identity source
 * `$request.header.Authorization` allows), verifies it, and on refusal says why in
 * `WWW-Authenticate` (RFC 6750 §3) the way API Gateway does, while the body stays
 * API Gateway's fixed `{"message":"Unauthorized"}`.
 */
export type Authorization = { readonly claims: JWTPayload } | { readonly challenge: string };

/** Why a token was refused, in API Gateway's wording where AWS documents it (the audience). */
export const refusalReasons = {
  malformed: 'the token is malformed',
  signature: 'the token does not have a valid signature',
  algorithm: 'the token is not signed with an allowed algorithm',
  expired: 'the token has expired',
  notYetValid: 'the token is not valid yet',
  issuer: 'the token does not have a valid issuer',
  audience: 'the token does not have a valid audience',
  claims: 'the token does not have the required claims',
} as const;

export type RefusalReason = keyof typeof refusalReasons;

/** Maps a verification error (jose's `code` and `claim`) to the reason a client is told. */
export function refusalReason(error: unknown): RefusalReason {
  const { code, claim } = (error ?? {}) as { code?: unknown; claim?: unknown };
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'expired';
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'signature';
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'algorithm';
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'iss') return 'issuer';
      if (claim === 'aud') return 'audience';
      if (claim === 'nbf' || claim === 'iat') return 'notYetValid';
      return 'claims';
    default:
      // ERR_JWS_INVALID, ERR_JWT_INVALID and anything unforeseen: not a token we can read.
      return 'malformed';
  }
}

export async function authorize(
  header: string | undefined,
  verify: (token: string) => Promise<JWTPayload>,
): Promise<Authorization> {
  const token = header?.replace(/^Bearer(?:\s+|$)/i, '').trim();
  if (!token) return { challenge: bearerChallenge() };
  try {
    return { claims: await verify(token) };
  } catch (error) {
    return { challenge: bearerChallenge(refusalReasons[refusalReason(error)]) };
  }
}
