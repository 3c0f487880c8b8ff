/**
 * Where a page of a query ended: DynamoDB's `LastEvaluatedKey`, the key attributes (table and
 * index keys) of the last item read, passed back as `ExclusiveStartKey` for the next page.
 * The HTTP layer seals it into a cursor (shared/http/cursor.ts).
 */
export type PageKey = Record<string, string | number>;
