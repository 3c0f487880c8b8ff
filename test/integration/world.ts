import { expect } from 'vitest';
import { type ApiClient, api, tokenFor, uniqueTenant } from '../support/api.ts';

export interface Member {
  readonly id: string;
  readonly client: ApiClient;
}

/**
 * A tenant with two teams and people of every role, plus an admin of another
 * tenant: enough to check every route against roles and tenant isolation.
 */
export interface World {
  readonly tenant: string;
  readonly admin: Member;
  readonly managerRed: Member;
  readonly repRed: Member;
  readonly repRed2: Member;
  readonly repBlue: Member;
  readonly stranger: Member;
  readonly teams: { readonly red: string; readonly blue: string };
}

export async function createWorld(): Promise<World> {
  const tenant = uniqueTenant();
  const adminId = `admin-${tenant}`;
  const admin = api(await tokenFor({ tenant, role: 'admin', user: adminId, email: `admin@${tenant}.test` }));
  const team = async (name: string) => {
    const response = await admin.post('/teams', { name });
    expect(response.status).toBe(201);
    return response.body.id as string;
  };
  const red = await team('Red');
  const blue = await team('Blue');
  const member = async (name: string, role: 'manager' | 'rep', teamId: string): Promise<Member> => {
    const email = `${name}@${tenant}.test`;
    const response = await admin.post('/users', { email, name, role, teamId });
    expect(response.status).toBe(201);
    const id = response.body.id as string;
    return { id, client: api(await tokenFor({ tenant, role, user: id, team: teamId, email })) };
  };
  const otherTenant = uniqueTenant();
  return {
    tenant,
    admin: { id: adminId, client: admin },
    managerRed: await member('manager-red', 'manager', red),
    repRed: await member('rep-red', 'rep', red),
    repRed2: await member('rep-red-2', 'rep', red),
    repBlue: await member('rep-blue', 'rep', blue),
    stranger: {
      id: 'stranger',
      client: api(await tokenFor({ tenant: otherTenant, role: 'admin', user: 'stranger' })),
    },
    teams: { red, blue },
  };
}

let counter = 0;
/** Distinct values per test run so unique constraints never collide between tests. */
export const unique = (label: string) => `${label}-${Date.now().toString(36)}-${(counter++).toString(36)}`;
