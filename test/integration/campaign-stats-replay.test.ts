import { ulid } from 'ulid';
import { beforeAll, describe, expect, it } from 'vitest';
import type { TableChange } from '#functions/stream/pipeline/change';
import { decodeRecords } from '#functions/stream/pipeline/decode';
import type { Delivery } from '#shared/domain/delivery';
import { uniqueTenant } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { streamRecord } from '../support/stream-records.ts';

/**
 * The stream consumer's campaign stats against DynamoDB Local: a stream batch
 * delivered twice (a retry after a partial failure, a replay) counts once.
 */
let stats: typeof import('#functions/stream/consumers/campaign-stats');
let campaigns: typeof import('#shared/store/campaigns');

beforeAll(async () => {
  useTestTable();
  stats = await import('#functions/stream/consumers/campaign-stats');
  campaigns = await import('#shared/store/campaigns');
});

type Image = Partial<Delivery> & Record<string, unknown>;

/** One recipient's life as stream changes: frozen, claimed, sent, delivered, opened, clicked. */
function lifeOf(tenantId: string, campaignId: string, contactId: string, bounced: boolean): TableChange[] {
  const base: Image = {
    entity: 'delivery',
    kind: 'campaign',
    tenantId,
    campaignId,
    contactId,
    email: `${contactId}@example.com`,
  };
  const states: Image[] = [
    { ...base, status: 'pending' },
    { ...base, status: 'sending', claimId: 'c' },
    { ...base, status: 'sent', messageId: `m-${contactId}`, sentAt: '2026-11-20T10:00:00.000Z' },
  ];
  const sent = states[2] as Image;
  if (bounced) states.push({ ...sent, bouncedAt: '2026-11-20T10:00:01.000Z' });
  else {
    states.push({ ...sent, deliveredAt: '2026-11-20T10:00:01.000Z' });
    states.push({ ...(states[3] as Image), openedAt: '2026-11-20T10:05:00.000Z' });
    states.push({ ...(states[4] as Image), clickedAt: '2026-11-20T10:06:00.000Z' });
  }
  const records = states.map((after, index) =>
    streamRecord({ eventId: ulid(), old: states[index - 1], new: after }),
  );
  return decodeRecords(records).changes;
}

describe('campaign stats from the stream', () => {
  it('counts a batch once when the same batch is delivered again, and only the new events of an overlapping one', async () => {
    const tenantId = uniqueTenant();
    const campaignId = ulid();
    const first = [
      ...lifeOf(tenantId, campaignId, ulid(), false),
      ...lifeOf(tenantId, campaignId, ulid(), true),
    ];
    const later = lifeOf(tenantId, campaignId, ulid(), false);

    expect(await stats.applyCampaignStats(first)).toEqual(new Map());
    const once = await campaigns.readCampaignCounts(tenantId, campaignId, true);
    expect(once).toMatchObject({
      recipients: 2,
      sent: 2,
      delivered: 1,
      opened: 1,
      clicked: 1,
      bounced: 1,
      failed: 0,
      suppressed: 0,
    });

    // The same batch again, as a retry would deliver it: nothing moves.
    expect(await stats.applyCampaignStats(first)).toEqual(new Map());
    expect(await campaigns.readCampaignCounts(tenantId, campaignId, true)).toEqual(once);

    // A batch that repeats half of the first and brings new events counts only the new ones.
    const overlapping = [...first.slice(0, 4), ...later];
    expect(await stats.applyCampaignStats(overlapping)).toEqual(new Map());
    expect(await campaigns.readCampaignCounts(tenantId, campaignId, true)).toEqual({
      ...once,
      recipients: 3,
      sent: 3,
      delivered: 2,
      opened: 2,
      clicked: 2,
    });
  });
});
