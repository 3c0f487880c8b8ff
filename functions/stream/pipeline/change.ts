/**
 * The shapes every stream consumer speaks: one decoded change per stream
 * record, and the failures a consumer hands back. Consumers import these and
 * the isolation helpers (isolation.ts), never the entry (tableChanges.ts).
 */

/** A table item as plain values (unmarshalled from the stream's attribute values). */
export type Image = Record<string, unknown>;

/** From the record's eventName (INSERT, MODIFY, REMOVE). */
export type ChangeKind = 'insert' | 'modify' | 'remove';

/** One stream record, decoded once by decode.ts. */
export interface TableChange {
  /** The record's eventID: the unit of idempotence and of failure. */
  readonly eventId: string;
  /** The record's dynamodb.SequenceNumber: what Lambda retries from (batchItemFailures). */
  readonly sequenceNumber: string;
  /** `tenantId` of the new image (the old one for a removal); undefined when it holds no string. */
  readonly tenantId: string | undefined;
  /** `entity` of the same image (contact, deal, delivery, ...). */
  readonly entity: string | undefined;
  /** The item's key (`pk`, `sk`), or undefined when the record carries none that can be read. */
  readonly keys: Image | undefined;
  /** The item before the write; undefined for an insert. */
  readonly old: Image | undefined;
  /** The item after the write; undefined for a removal. */
  readonly new: Image | undefined;
  readonly kind: ChangeKind;
  /** ISO instant of the record's ApproximateCreationDateTime (whole seconds), when it carries one. */
  readonly streamedAt?: string;
}

/** Why each change a consumer could not apply failed, by eventId. */
export type FailedIds = Map<string, unknown>;

/**
 * One step of the pipeline. `apply` gets the whole batch (so it can coalesce
 * writes), must be idempotent (delivery is at least once), must not throw for
 * one record's sake, and returns the changes it could not apply.
 */
export interface Consumer {
  /** What the consumer does, as logs and tests name it. */
  readonly name: string;
  /**
   * The key of its reasons in a set-aside record (set-aside.ts), when not its
   * name: consumers split from one keep the key operators already query.
   */
  readonly reportedAs?: string;
  readonly apply: (changes: readonly TableChange[]) => Promise<FailedIds>;
}
