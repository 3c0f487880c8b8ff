import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { config } from '../config.ts';
import { defaultStageSpecs } from '../domain/pipeline.ts';
import { dynamo } from './client.ts';
import { type Pipeline, pipelines } from './entities.ts';
import { settingsKey } from './keys.ts';
import { getRecord, searchWordWrites, toItem } from './records.ts';
import { transact } from './transactions.ts';

const ulid = monotonicFactory();
const DEFAULT_PIPELINE = 'defaultPipeline';

async function defaultPipelineId(tenantId: string): Promise<string | undefined> {
  const { Item } = await dynamo.send(
    new GetCommand({
      TableName: config.tableName,
      Key: settingsKey(tenantId, DEFAULT_PIPELINE),
      ConsistentRead: true,
    }),
  );
  return typeof Item?.pipelineId === 'string' ? Item.pipelineId : undefined;
}

/**
 * The tenant's default pipeline, created on first use. The pointer item and the
 * pipeline are written in one transaction conditioned on the pointer being
 * absent, so two first requests racing still leave exactly one default.
 */
export async function defaultPipeline(tenantId: string, createdBy: string): Promise<Pipeline> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const existingId = await defaultPipelineId(tenantId);
    if (existingId) {
      const existing = await getRecord(pipelines, tenantId, existingId, true);
      if (existing) return existing;
    }
    const now = new Date().toISOString();
    const pipeline: Pipeline = {
      id: ulid(),
      createdAt: now,
      updatedAt: now,
      version: 1,
      ownerId: createdBy,
      archived: false,
      name: 'Sales',
      stages: defaultStageSpecs.map((stage) => ({ ...stage, id: ulid() })),
    };
    const item = toItem(pipelines, tenantId, pipeline);
    const outcome = await transact([
      {
        Put: {
          TableName: config.tableName,
          Item: {
            ...settingsKey(tenantId, DEFAULT_PIPELINE),
            entity: 'settings',
            tenantId,
            pipelineId: pipeline.id,
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        },
      },
      { Put: { TableName: config.tableName, Item: item } },
      ...searchWordWrites(pipelines, tenantId, undefined, { record: pipeline, item }),
    ]);
    if (outcome.ok) return pipeline;
  }
  throw new Error('Could not create or read the default pipeline');
}

/** A pipeline by id, or the default one when no id is given. */
export async function pipelineOrDefault(tenantId: string, pipelineId: string | undefined, caller: string) {
  return pipelineId ? getRecord(pipelines, tenantId, pipelineId) : defaultPipeline(tenantId, caller);
}

export const isDefaultPipeline = async (tenantId: string, pipelineId: string) =>
  (await defaultPipelineId(tenantId)) === pipelineId;
