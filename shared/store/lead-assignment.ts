import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import {
  type AssignmentRule,
  noAssignmentRule,
  pickInRotation,
  planAssignment,
} from '../domain/lead-assignment.ts';
import { dynamo } from './client.ts';
import { users } from './entities.ts';
import { settingsKey } from './keys.ts';
import { getRecord } from './records.ts';
import { updateExpression } from './update-expression.ts';

/**
 * The tenant's lead assignment rule: one settings item, which also holds the
 * round-robin counter (`turns`), so a rule change keeps the rotation going.
 */
const SETTINGS = 'leadAssignment';

export interface StoredAssignmentRule extends AssignmentRule {
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

export async function getAssignmentRule(tenantId: string): Promise<StoredAssignmentRule> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: settingsKey(tenantId, SETTINGS),
      // A rule an admin just saved applies to the very next lead.
      ConsistentRead: true,
    }),
  );
  if (!Item) return noAssignmentRule;
  return {
    strategy: Item.strategy,
    userIds: Item.userIds ?? [],
    countries: Item.countries ?? {},
    ...(Item.updatedAt ? { updatedAt: Item.updatedAt, updatedBy: Item.updatedBy } : {}),
  };
}

/** Replaces the rule; SET leaves the `turns` counter alone. */
export async function putAssignmentRule(
  tenantId: string,
  rule: AssignmentRule,
  updatedBy: string,
): Promise<StoredAssignmentRule> {
  const stored = { ...rule, updatedAt: new Date().toISOString(), updatedBy };
  await dynamo.send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: settingsKey(tenantId, SETTINGS),
      ...updateExpression({
        set: {
          entity: 'settings',
          tenantId,
          strategy: stored.strategy,
          userIds: stored.userIds,
          countries: stored.countries,
          updatedAt: stored.updatedAt,
          updatedBy,
        },
      }),
    }),
  );
  return stored;
}

/** The next turn of the rotation (1, 2, 3, ...): an atomic ADD, so concurrent creations never share one. */
async function takeTurn(tenantId: string): Promise<number> {
  const { Attributes } = await dynamo.send(
    new UpdateCommand({
      TableName: config.tableName,
      Key: settingsKey(tenantId, SETTINGS),
      ...updateExpression({ add: { turns: 1 } }),
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  return Number(Attributes?.turns);
}

/**
 * The owner the rule gives a new lead (with the owner's team), or undefined when
 * the creator owns it. A user deactivated since the rule was saved gets nothing:
 * the creator keeps the lead rather than it going to nobody.
 */
export async function ruleAssignee(
  tenantId: string,
  country: string | undefined,
): Promise<{ ownerId: string; teamId?: string } | undefined> {
  const plan = planAssignment(await getAssignmentRule(tenantId), country);
  if (plan.kind === 'creator') return undefined;
  const userId = plan.kind === 'user' ? plan.userId : pickInRotation(plan.userIds, await takeTurn(tenantId));
  const user = await getRecord(users, tenantId, userId);
  if (!user?.active) return undefined;
  return { ownerId: user.id, ...(user.teamId ? { teamId: user.teamId } : {}) };
}

/** The ids among `userIds` that are not active users of the tenant. */
export async function inactiveUsers(tenantId: string, userIds: readonly string[]): Promise<Set<string>> {
  const distinct = [...new Set(userIds)];
  const found = await Promise.all(distinct.map((id) => getRecord(users, tenantId, id)));
  return new Set(distinct.filter((_, index) => !found[index]?.active));
}
