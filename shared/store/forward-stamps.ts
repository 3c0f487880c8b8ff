import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { recordKey } from './keys.ts';
import { updateSearchWords } from './records.ts';

/**
 * A time-stamped fact the stream keeps on a record outside the user's fields
 * (a contact's or deal's `lastActivityAt`, a contact's last campaign click):
 * `fields` are set when `fields[clock]` is later than what the record holds.
 */
export interface ForwardStamp {
  readonly tenantId: string;
  /** The record's type as keys name it. */
  readonly type: 'CONTACT' | 'DEAL';
  readonly id: string;
  /** The ISO time attribute that orders the stamps (e.g. `lastActivityAt`); it must be among `fields`. */
  readonly clock: string;
  readonly fields: Readonly<Record<string, string>>;
}

/**
 * Writes a stamp onto its record and the record's search-word copies.
 * Conditional, so it never moves back, never recreates a deleted record, and
 * a replayed stream record changes nothing. `version` stays as it is: this is
 * not the user's edit, and must not make their next `If-Match` fail.
 */
export async function moveForward(stamp: ForwardStamp): Promise<void> {
  const names = Object.keys(stamp.fields);
  const input: UpdateCommandInput = {
    TableName: config.tableName,
    Key: recordKey(stamp.tenantId, stamp.type, stamp.id),
    UpdateExpression: `SET ${names.map((_, index) => `#f${index} = :f${index}`).join(', ')}`,
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(#clock) OR #clock < :clock)',
    ExpressionAttributeNames: {
      '#clock': stamp.clock,
      ...Object.fromEntries(names.map((name, index) => [`#f${index}`, name])),
    },
    ExpressionAttributeValues: {
      ':clock': stamp.fields[stamp.clock],
      ...Object.fromEntries(names.map((name, index) => [`:f${index}`, stamp.fields[name]])),
    },
  };
  await conditionHeld(() => dynamo.send(new UpdateCommand(input)));
  // Also when the record was already past it: a retry finishes copies a failure left behind.
  await updateSearchWords(input);
}
