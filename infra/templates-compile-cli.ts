import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../shared/config.ts';
import { dynamo } from '../shared/store/client.ts';
import { RECORD_SK } from '../shared/store/keys.ts';
import { backfillCompiledTemplates, type Item } from '../shared/store/template-backfill.ts';

/**
 * `npm run templates:compile`: compiles the template versions, and the content of
 * sending or paused campaigns, stored before templates were compiled when saved
 * (shared/store/template-backfill.ts). Run it once right after deploying that
 * change, with the table's name and credentials that may scan and update it:
 *
 *   TABLE_NAME=<table> AWS_REGION=<region> npm run templates:compile
 *
 * Against `npm start`'s DynamoDB Local add AWS_ENDPOINT_URL_DYNAMODB=http://localhost:<port>.
 * Prints what it compiled and what it left alone (a template that no longer passes
 * the checks must be edited); exits 1 when it left something.
 */
/** The records of one kind across tenants: an operator's one-off Scan, page by page. */
async function* scanRecords(entity: 'template' | 'campaign'): AsyncGenerator<Item> {
  let start: Item | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({
        TableName: config.tableName,
        FilterExpression: 'entity = :entity AND sk = :sk',
        ExpressionAttributeValues: { ':entity': entity, ':sk': RECORD_SK },
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    for (const item of page.Items ?? []) yield item;
    start = page.LastEvaluatedKey;
  } while (start);
}

const report = await backfillCompiledTemplates(scanRecords);
process.stdout.write(`compiled ${report.templates} template(s) and ${report.campaigns} campaign(s)\n`);
for (const line of report.skipped) process.stdout.write(`left alone: ${line}\n`);
process.exitCode = report.skipped.length > 0 ? 1 : 0;
