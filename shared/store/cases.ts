import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { type SlaHours, slaHoursOf } from '../domain/cases.ts';
import { currentActor } from './actor.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { cases, type User, users } from './entities.ts';
import { recordKey } from './keys.ts';
import { listRecords } from './records.ts';
import { readSettings, type SettingsStamp, writeSettings } from './settings.ts';
import { absent, equals, exists, incremented, updateExpression } from './update-expression.ts';

const SETTINGS = 'sla';

export interface StoredSlaSettings extends SlaHours, SettingsStamp {}

/** The tenant's SLA hours per priority; defaults until an admin sets them (they apply to the very next case). */
export async function getSlaSettings(tenantId: string): Promise<StoredSlaSettings> {
  const { item, stamp } = await readSettings(tenantId, SETTINGS);
  return { ...slaHoursOf(item?.hours), ...stamp };
}

export async function putSlaSettings(
  tenantId: string,
  hours: SlaHours,
  updatedBy: string,
): Promise<StoredSlaSettings> {
  return { ...hours, ...(await writeSettings(tenantId, SETTINGS, { hours: { ...hours } }, updatedBy)) };
}

export interface CsatAnswer {
  readonly score: number;
  readonly comment?: string;
}

/**
 * Records a satisfaction score on the case the link was issued for, once: the
 * write is conditioned on the link's nonce still being on the case and no
 * score yet, and removes the nonce. False when the link is unknown or used.
 */
export async function recordCsat(
  tenantId: string,
  caseId: string,
  nonce: string,
  answer: CsatAnswer,
  now = new Date(),
): Promise<boolean> {
  const at = now.toISOString();
  return conditionHeld(() =>
    dynamo.send(
      new UpdateCommand({
        TableName: config.tableName,
        Key: recordKey(tenantId, cases.type, caseId),
        ...updateExpression({
          set: {
            csatScore: answer.score,
            csatAt: at,
            updatedAt: at,
            updatedBy: currentActor(),
            version: incremented(1),
            ...(answer.comment ? { csatComment: answer.comment } : {}),
          },
          remove: ['csatNonce'],
          when: [exists('pk'), equals('csatNonce', nonce), absent('csatScore')],
        }),
      }),
    ),
  );
}

/** Managers per notification: generous for any real team, and a bound on what one check reads. */
const MANAGER_PAGE = 100;
const MANAGER_PAGES = 3;

/**
 * The active managers of a team, through the team index of users (gsi5) with a
 * role filter: a bounded number of Queries in the tenant's own partition.
 */
export async function teamManagers(tenantId: string, teamId: string | undefined): Promise<User[]> {
  if (!teamId) return [];
  const found: User[] = [];
  let startKey: Awaited<ReturnType<typeof listRecords>>['lastKey'];
  for (let page = 0; page < MANAGER_PAGES; page++) {
    const result = await listRecords(users, tenantId, {
      archived: false,
      limit: MANAGER_PAGE,
      startKey,
      via: { pattern: 'byTeam', teamId },
      filter: { equals: { role: 'manager' } },
    });
    found.push(...result.items.filter((user) => user.active));
    startKey = result.lastKey;
    if (!startKey) break;
  }
  return found;
}
