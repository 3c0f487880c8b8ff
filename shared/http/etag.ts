import { badRequest, preconditionFailed } from './problem.ts';

export const etagOf = (version: number): string => `"${version}"`;

/**
 * The version an `If-Match` header requires, `undefined` when absent or `*`.
 * Weak tags are accepted: versions are exact either way.
 */
export function requiredVersion(header: string | undefined): number | undefined {
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"(\d{1,15})"\s*$/.exec(header);
  if (!match?.[1])
    throw badRequest('If-Match must be an ETag such as "3"', [
      { path: 'If-Match', message: 'must be an ETag' },
    ]);
  return Number(match[1]);
}

export function checkVersion(required: number | undefined, current: number): void {
  if (required !== undefined && required !== current) throw preconditionFailed();
}
