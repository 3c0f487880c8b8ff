import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PageKey } from '../store/page.ts';
import { badRequest } from './problem.ts';

/**
 * Cursors carry DynamoDB's LastEvaluatedKey, sealed with an HMAC over the key
 * and what it is bound to (tenant, operation, filters). A changed, foreign or
 * replayed-elsewhere cursor fails the check and answers 400.
 */
function seal(payload: string, binding: string, key: Buffer): string {
  return createHmac('sha256', key).update(`${binding}\n${payload}`).digest('base64url').slice(0, 32);
}

export function encodeCursor(pageKey: PageKey, binding: string, key: Buffer): string {
  const payload = Buffer.from(JSON.stringify(pageKey)).toString('base64url');
  return `${payload}.${seal(payload, binding, key)}`;
}

const invalid = () =>
  badRequest('The cursor is invalid for this query', [{ path: 'cursor', message: 'is invalid' }]);

export function decodeCursor(cursor: string, binding: string, key: Buffer): PageKey {
  const [payload, mac, extra] = cursor.split('.');
  if (!payload || !mac || extra !== undefined) throw invalid();
  const expected = Buffer.from(seal(payload, binding, key));
  const given = Buffer.from(mac);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  try {
    const value: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as PageKey;
  } catch {
    // A sealed payload that does not parse can only come from a key leak; treat it as invalid.
  }
  throw invalid();
}
