import { clip, MAX_NAME } from '../domain/wording.ts';
import { users } from './entities.ts';
import { getRecords } from './records.ts';

/**
 * Users' names by id, as notifications, timelines and comments show them
 * (the name, else the email address, clipped to MAX_NAME). Ids without a
 * USER item (a user made by hand in the user pool) are absent. One
 * BatchGetItem per 100 ids.
 */
export async function userNames(tenantId: string, ids: readonly string[]): Promise<Map<string, string>> {
  const found = await getRecords(users, tenantId, ids);
  return new Map(
    [...found.values()].map((user) => [user.id, clip(user.name || user.email, MAX_NAME)] as const),
  );
}
