import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { config } from '../config.ts';
import { type CampaignCounts, campaignCounters, emptyCounts } from '../domain/campaign.ts';
import { dynamo } from './client.ts';
import { campaignStatsKey } from './keys.ts';

type Item = Record<string, unknown>;

/** Keys per BatchGetItem, DynamoDB's limit. */
const BATCH = 100;

/**
 * Several campaigns' counters items (kept by the stream, campaign-stats.ts),
 * one BatchGetItem per 100 campaigns, unprocessed keys retried with backoff.
 * A campaign without an item (nothing counted yet) gets zeros.
 */
export async function readCampaignCountsOf(
  tenantId: string,
  campaignIds: readonly string[],
): Promise<Map<string, CampaignCounts>> {
  const ids = [...new Set(campaignIds)];
  const counts = new Map<string, CampaignCounts>(ids.map((id) => [id, emptyCounts()]));
  const byPk = new Map(ids.map((id) => [String(campaignStatsKey(tenantId, id).pk), id]));
  for (let start = 0; start < ids.length; start += BATCH) {
    let keys: Item[] = ids.slice(start, start + BATCH).map((id) => campaignStatsKey(tenantId, id));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt >= 8) throw new Error('DynamoDB kept leaving campaign counters unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      const output = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [config.tableName]: { Keys: keys } } }),
      );
      for (const item of output.Responses?.[config.tableName] ?? []) {
        const id = byPk.get(String(item.pk));
        const into = id ? counts.get(id) : undefined;
        if (!into) continue;
        for (const counter of campaignCounters) {
          const value = item[counter];
          if (typeof value === 'number') into[counter] = value;
        }
      }
      keys = (output.UnprocessedKeys?.[config.tableName]?.Keys ?? []) as Item[];
    }
  }
  return counts;
}
