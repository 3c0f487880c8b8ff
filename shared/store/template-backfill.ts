import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { type StoredSpecs, TemplateError, unpackSpecs } from '../domain/template.ts';
import { compilerRevision, compileSubjectSpec, revisionOf } from '../domain/template-compiler.ts';
import { compileTemplateSpecs, packSpecs } from '../domain/template-save.ts';
import type { Campaign, CampaignCompiled } from './campaigns.ts';
import { dynamo } from './client.ts';
import type { Template } from './templates.ts';

/**
 * The one-off backfill after templates began to be compiled when saved
 * (`npm run templates:compile`): versions saved before have no compiled form,
 * so the senders, which carry only the Handlebars runtime, cannot render them.
 * The same holds for specs written by another compiler revision than the
 * runtime's (a Handlebars upgrade that changes it: the runtime refuses them).
 * It compiles, across all tenants:
 *
 * - every template without a current `compiled` (the version as stored: the write is
 *   conditioned on that version, so a template saved meanwhile, which the
 *   templates function compiled itself, is left alone);
 * - every sending or paused campaign whose frozen content lacks its compiled
 *   template or A/B variant subjects, or has them from another revision
 *   (conditioned on the run it belongs to).
 *
 * Nothing else changes: no version bump, since the compiled form is derived
 * from content that stays as it was. Safe to run again; a second run finds
 * nothing to do. A template that no longer passes the checks (a rule added
 * since it was saved) is reported, not compiled: it must be edited.
 */
export interface BackfillReport {
  templates: number;
  campaigns: number;
  /** `<tenant>/<entity>/<id>: <reason>` for each item left alone. */
  skipped: string[];
}

export type Item = Record<string, unknown>;

/**
 * Every stored record of one kind, across tenants. The operator's command supplies it (a full-table read,
 * infra/templates-compile-cli.ts): a one-off run with an operator's credentials, never a request,
 * stream or schedule path, which may not scan.
 */
export type RecordsOf = (entity: 'template' | 'campaign') => AsyncIterable<Item>;

/** Whether a stored compiled form is there and written by this compiler's revision. */
const current = (stored: StoredSpecs | undefined): boolean =>
  stored !== undefined && revisionOf(unpackSpecs(stored).html) === compilerRevision;

const isConditionFailure = (error: unknown) => (error as Error).name === 'ConditionalCheckFailedException';

const reasonOf = (error: unknown) => (error instanceof TemplateError ? error.message : String(error));

export async function backfillCompiledTemplates(recordsOf: RecordsOf): Promise<BackfillReport> {
  const report: BackfillReport = { templates: 0, campaigns: 0, skipped: [] };
  for await (const item of recordsOf('template')) {
    const template = item as unknown as Template & { tenantId: string };
    if (current(template.compiled)) continue;
    let compiled: CampaignCompiled['template'];
    try {
      compiled = packSpecs(compileTemplateSpecs(template));
    } catch (error) {
      report.skipped.push(`${template.tenantId}/template/${template.id}: ${reasonOf(error)}`);
      continue;
    }
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: config.tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET compiled = :compiled',
          ConditionExpression: 'version = :version',
          ExpressionAttributeValues: { ':compiled': compiled, ':version': template.version },
        }),
      );
      report.templates++;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  for await (const item of recordsOf('campaign')) {
    const campaign = item as unknown as Campaign & { tenantId: string };
    if (campaign.status !== 'sending' && campaign.status !== 'paused') continue;
    if (!campaign.snapshot) continue;
    const variants = campaign.variants ?? [];
    const has = campaign.compiled;
    const subjectsCurrent =
      variants.length === 0 ||
      (has?.variantSubjects?.length === variants.length &&
        has.variantSubjects.every((spec) => revisionOf(spec) === compilerRevision));
    if (current(has?.template) && subjectsCurrent) continue;
    let compiled: CampaignCompiled;
    try {
      compiled = {
        template: current(has?.template)
          ? (has?.template as StoredSpecs)
          : packSpecs(compileTemplateSpecs(campaign.snapshot.template)),
        ...(variants.length > 0
          ? { variantSubjects: variants.map((variant) => compileSubjectSpec(variant.subject)) }
          : {}),
      };
    } catch (error) {
      report.skipped.push(`${campaign.tenantId}/campaign/${campaign.id}: ${reasonOf(error)}`);
      continue;
    }
    try {
      await dynamo.send(
        new UpdateCommand({
          TableName: config.tableName,
          Key: { pk: item.pk, sk: item.sk },
          UpdateExpression: 'SET compiled = :compiled',
          ConditionExpression:
            campaign.runId === undefined ? 'attribute_not_exists(runId)' : 'runId = :runId',
          ExpressionAttributeValues: {
            ':compiled': compiled,
            ...(campaign.runId === undefined ? {} : { ':runId': campaign.runId }),
          },
        }),
      );
      report.campaigns++;
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
    }
  }
  return report;
}
