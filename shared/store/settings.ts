import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { dynamo } from './client.ts';
import { settingsKey } from './keys.ts';

/**
 * A tenant's settings: one item per kind (`sla`, `alerts`), read consistently
 * (values an admin just saved apply to the very next record or job) and
 * replaced whole by an admin.
 */

/** Who changed a settings item last, and when; absent while the defaults apply. */
export interface SettingsStamp {
  readonly updatedAt?: string;
  readonly updatedBy?: string;
}

/** The stored settings item of a kind (undefined until an admin saves one), and its stamp. */
export async function readSettings(
  tenantId: string,
  kind: string,
): Promise<{ item: Record<string, unknown> | undefined; stamp: SettingsStamp }> {
  const { Item } = await dynamo.send(
    new GetCommand({ TableName: config.tableName, Key: settingsKey(tenantId, kind), ConsistentRead: true }),
  );
  const stamp =
    typeof Item?.updatedAt === 'string'
      ? {
          updatedAt: Item.updatedAt,
          ...(typeof Item.updatedBy === 'string' ? { updatedBy: Item.updatedBy } : {}),
        }
      : {};
  return { item: Item, stamp };
}

/** Replaces a kind's settings with `values`, stamped with who and when; returns the stamp. */
export async function writeSettings(
  tenantId: string,
  kind: string,
  values: Readonly<Record<string, unknown>>,
  updatedBy: string,
): Promise<Required<SettingsStamp>> {
  const updatedAt = new Date().toISOString();
  await dynamo.send(
    new PutCommand({
      TableName: config.tableName,
      Item: { ...settingsKey(tenantId, kind), entity: 'settings', tenantId, ...values, updatedAt, updatedBy },
    }),
  );
  return { updatedAt, updatedBy };
}
