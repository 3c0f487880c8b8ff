import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { type Role, roles } from '../domain/access.ts';
import { unauthorized } from './problem.ts';

/** Who is calling, from the claims API Gateway's JWT authorizer verified. */
export interface Caller {
  readonly tenantId: string;
  readonly userId: string;
  readonly role: Role;
  readonly teamId?: string;
  readonly email?: string;
}

const safeId = /^[A-Za-z0-9_-]{1,128}$/;

/** API Gateway flattens array claims to `[a b]`; a raw JWT keeps the array. */
function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== 'string') return [];
  return claim
    .replace(/^\[|\]$/g, '')
    .split(/[\s,]+/)
    .filter(Boolean);
}

export function callerFrom(event: APIGatewayProxyEventV2WithJWTAuthorizer): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const tenantId = claims['custom:tenantId'];
  const userId = claims.sub;
  const teamId = claims['custom:teamId'];
  const email = claims.email;
  // Tenant and user ids become key prefixes, so they must be plain identifiers.
  if (typeof tenantId !== 'string' || !safeId.test(tenantId))
    throw unauthorized('The token carries no valid tenant');
  if (typeof userId !== 'string' || !safeId.test(userId))
    throw unauthorized('The token carries no valid subject');
  const groups = groupsOf(claims['cognito:groups']);
  // The most privileged role wins if a user sits in several groups.
  const role = roles.find((candidate) => groups.includes(candidate));
  if (!role) throw unauthorized('The token carries no role');
  return {
    tenantId,
    userId,
    role,
    ...(typeof teamId === 'string' && safeId.test(teamId) ? { teamId } : {}),
    ...(typeof email === 'string' && email ? { email } : {}),
  };
}
