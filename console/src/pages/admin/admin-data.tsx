import { ok } from '../../api/client.ts';
import { t } from '../../i18n/index.ts';

export interface User {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly role: 'admin' | 'manager' | 'rep';
  readonly teamId?: string;
  readonly active: boolean;
  readonly version: number;
}
export interface Team {
  readonly id: string;
  readonly name: string;
  readonly version: number;
}

/**
 * Every page of a cursor-paged list (users and teams are few, and the admin pages show them all).
 * Stops after 20 pages so a runaway cursor cannot loop.
 */
export async function loadAll<T>(
  page: (
    cursor: string | undefined,
  ) => Promise<{ data?: { items: T[]; nextCursor: string | null }; error?: unknown; response: Response }>,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  for (let count = 0; count < 20; count++) {
    const answer = await ok(page(cursor));
    items.push(...answer.items);
    if (!answer.nextCursor) break;
    cursor = answer.nextCursor;
  }
  return items;
}

/** What a manager or rep sees on an admin page: they may look, only an admin may change. */
export function AdminOnly() {
  return (
    <p class="banner banner-info" role="note">
      {t('admin.adminOnly')}
    </p>
  );
}
