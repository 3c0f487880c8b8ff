import { randomUUID } from 'node:crypto';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import type { DeliveryRef, DeliveryStatus } from '../domain/delivery.ts';
import { dynamo } from './client.ts';
import { conditionHeld } from './conditional.ts';
import { deliveryKey, statusIndex } from './deliveries.ts';
import { type TransactItem, transact } from './transactions.ts';
import { exists, keptIfPresent, type UpdateSpec, updateExpression, verbatim } from './update-expression.ts';

/**
 * Deliveries claimed and settled a batch at a time: one TransactWriteItems per
 * batch (up to 100 actions), each action the very conditional update that
 * deliveries.ts makes one at a time (claimDelivery, markSent, markClaimFailed,
 * releaseClaim), so the status machine and its at-most-once rule are those of
 * shared/domain/delivery.ts. BatchWriteItem cannot carry a condition, so it
 * cannot claim: a claim must fail when someone else holds the delivery.
 *
 * A transaction is all or nothing: when a condition fails (a delivery another
 * sender claimed, an SES event settled), DynamoDB cancels the whole of it and
 * says which action failed; that action is left out (the delivery was not
 * ours to move) and the rest is written again. A lone action goes out as a
 * plain conditional UpdateItem: the same guarantee at half the write units.
 */

/** Actions in one TransactWriteItems (DynamoDB's limit). */
export const MAX_TRANSACTION_ACTIONS = 100;
/** Transactions tried for one batch before giving up (each pass drops the actions whose condition failed). */
const MAX_PASSES = 8;

interface Move {
  readonly ref: DeliveryRef;
  readonly spec: UpdateSpec;
}

const statusChange = (tenantId: string, ref: DeliveryRef, status: DeliveryStatus, now: Date) => ({
  status,
  updatedAt: now.toISOString(),
  ...statusIndex(tenantId, ref, status),
});

const STATUS = { '#status': 'status' };

/** The updates whose condition held (by index); throws when DynamoDB keeps refusing for another reason. */
async function moveAll(tenantId: string, moves: readonly Move[]): Promise<boolean[]> {
  const moved = moves.map(() => false);
  const update = (move: Move) => ({
    TableName: config.tableName,
    Key: deliveryKey(tenantId, move.ref),
    ...updateExpression(move.spec),
  });
  for (let start = 0; start < moves.length; start += MAX_TRANSACTION_ACTIONS) {
    let pending = moves.slice(start, start + MAX_TRANSACTION_ACTIONS).map((_, offset) => start + offset);
    for (let pass = 1; pending.length > 0; pass++) {
      if (pass > MAX_PASSES) throw new Error(`A delivery batch was still refused after ${MAX_PASSES} passes`);
      const only = pending[0] as number;
      if (pending.length === 1) {
        moved[only] = await conditionHeld(() => dynamo.send(new UpdateCommand(update(moves[only] as Move))));
        break;
      }
      const items: TransactItem[] = pending.map((index) => ({ Update: update(moves[index] as Move) }));
      const outcome = await transact(items);
      if (outcome.ok) {
        for (const index of pending) moved[index] = true;
        break;
      }
      const failed = new Set(outcome.failedConditions);
      pending = pending.filter((_, position) => !failed.has(position));
    }
  }
  return moved;
}

export interface BatchClaim {
  readonly ref: DeliveryRef;
  readonly claimId: string;
  readonly claimedAt: Date;
}

/**
 * Claims pending deliveries (with `winner`, an A/B campaign's held ones too,
 * given the winner's variant), as claimDelivery does one at a time. Returns
 * the claims made, in the order of `refs`; a delivery someone else holds or
 * settled is left out: this caller must not send it.
 */
export async function claimDeliveries(
  tenantId: string,
  refs: readonly DeliveryRef[],
  now = new Date(),
  winner?: number,
): Promise<BatchClaim[]> {
  const claims = refs.map((ref) => ({ ref, claimId: randomUUID(), claimedAt: now }));
  const moved = await moveAll(
    tenantId,
    claims.map(({ ref, claimId }) => ({
      ref,
      spec: {
        set: {
          ...statusChange(tenantId, ref, 'sending', now),
          claimId,
          claimedAt: now.toISOString(),
          ...(winner === undefined ? {} : { variant: keptIfPresent(winner) }),
        },
        when: [
          exists('pk'),
          winner === undefined
            ? verbatim('#status = :pending', { names: STATUS, values: { ':pending': 'pending' } })
            : verbatim('#status = :pending OR #status = :held', {
                names: STATUS,
                values: { ':pending': 'pending', ':held': 'held' },
              }),
        ],
      },
    })),
  );
  return claims.filter((_, index) => moved[index]);
}

/** What became of one claimed delivery's send. */
export type ClaimOutcome =
  | { readonly claim: BatchClaim; readonly outcome: 'sent'; readonly messageId: string }
  | { readonly claim: BatchClaim; readonly outcome: 'failed'; readonly reason: string }
  /** Nothing reached SES (throttled, paused, too late): back to pending. */
  | { readonly claim: BatchClaim; readonly outcome: 'released' };

/**
 * Records the outcomes of claimed sends, each conditioned on its claim (as
 * markSent, markClaimFailed and releaseClaim are). Returns, by index, whether
 * each was recorded; false means the claim moved meanwhile (an SES event
 * healed it to `sent`), which leaves it as it is.
 */
export async function settleClaims(
  tenantId: string,
  outcomes: readonly ClaimOutcome[],
  now = new Date(),
): Promise<boolean[]> {
  const at = now.toISOString();
  return moveAll(
    tenantId,
    outcomes.map((entry) => {
      const { ref, claimId } = entry.claim;
      const when = [
        exists('pk'),
        verbatim('#status = :sending AND claimId = :claim', {
          names: STATUS,
          values: { ':sending': 'sending', ':claim': claimId },
        }),
      ];
      if (entry.outcome === 'sent')
        return {
          ref,
          spec: {
            set: { ...statusChange(tenantId, ref, 'sent', now), messageId: entry.messageId, sentAt: at },
            remove: ['claimId'],
            when,
          },
        };
      if (entry.outcome === 'failed')
        return {
          ref,
          spec: {
            set: { ...statusChange(tenantId, ref, 'failed', now), reason: entry.reason, failedAt: at },
            remove: ['claimId'],
            when,
          },
        };
      return {
        ref,
        spec: { set: statusChange(tenantId, ref, 'pending', now), remove: ['claimId', 'claimedAt'], when },
      };
    }),
  );
}
