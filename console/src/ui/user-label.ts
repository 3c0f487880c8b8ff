/** A user as lists and pickers name them. */
export interface NamedUser {
  readonly id: string;
  readonly name?: string;
  readonly email: string;
}

/**
 * Each user's label: the name, or "Name (email)" when colleagues share that name, so two
 * "Ana Ruiz" in an owner picker or a mention can be told apart (the email is unique).
 */
export function userLabels(users: readonly NamedUser[]): Map<string, string> {
  const count = new Map<string, number>();
  for (const user of users) {
    const name = user.name?.trim() || user.email;
    count.set(name, (count.get(name) ?? 0) + 1);
  }
  return new Map(
    users.map((user) => {
      const name = user.name?.trim() || user.email;
      return [user.id, (count.get(name) ?? 0) > 1 && name !== user.email ? `${name} (${user.email})` : name];
    }),
  );
}
