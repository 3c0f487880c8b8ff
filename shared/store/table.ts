/**
 * The single table's shape. The CDK data stack and the local runtime both build
 * the table from this object, so the deployed table and the local one cannot drift.
 */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: string;
  readonly sortKey: string;
}

export const tableDefinition = {
  partitionKey: 'pk',
  sortKey: 'sk',
  /** Epoch seconds; DynamoDB TTL removes idempotency records and stream markers. */
  timeToLiveAttribute: 'expiresAt',
  stream: 'NEW_AND_OLD_IMAGES',
  /**
   * Overloaded GSIs, all projecting every attribute:
   * - gsi1: a tenant's live records of one type (`T#t#CONTACT`), archived ones apart.
   * - gsi2: records by owner.
   * - gsi3: records by parent (contacts of a company, ...).
   * - gsi4: name-prefix search on a normalised name.
   * - gsi5: records by team, so a rep's list reads their team's records only.
   * - gsi6: records by state (a deal's stage, ...), sparse.
   */
  indexes: [
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
    { name: 'gsi5', partitionKey: 'gsi5pk', sortKey: 'gsi5sk' },
    { name: 'gsi6', partitionKey: 'gsi6pk', sortKey: 'gsi6sk' },
  ] as const satisfies readonly IndexDefinition[],
} as const;

export type IndexName = (typeof tableDefinition.indexes)[number]['name'];
