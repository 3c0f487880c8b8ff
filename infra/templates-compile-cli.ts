import { backfillCompiledTemplates } from '../shared/store/template-backfill.ts';

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
const report = await backfillCompiledTemplates();
process.stdout.write(`compiled ${report.templates} template(s) and ${report.campaigns} campaign(s)\n`);
for (const line of report.skipped) process.stdout.write(`left alone: ${line}\n`);
process.exitCode = report.skipped.length > 0 ? 1 : 0;
