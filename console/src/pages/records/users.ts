import { api, ok, type paths } from '../../api/client.ts';

export type User = paths['/users']['get']['responses'][200]['content']['application/json']['items'][number];

let cached: Promise<readonly User[]> | undefined;

/** The tenant's active users (first 200), read once per visit: for mentions and names. */
export function loadUsers(): Promise<readonly User[]> {
  cached ??= (async () => {
    const users: User[] = [];
    let cursor: string | undefined;
    do {
      const page = await ok(
        api().GET('/users', { params: { query: { limit: '100', ...(cursor ? { cursor } : {}) } } }),
      );
      users.push(...page.items.filter((user) => user.active && !user.archived));
      cursor = page.nextCursor ?? undefined;
    } while (cursor && users.length < 200);
    return users;
  })().catch((error) => {
    cached = undefined;
    throw error;
  });
  return cached;
}
