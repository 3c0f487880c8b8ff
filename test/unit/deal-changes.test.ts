import { describe, expect, it } from 'vitest';
import { newDeal, revisedDeal, withAttributedCampaign } from '#shared/domain/deal-changes';
import type { Deal, StoredRecord } from '#shared/domain/records';
import { renewals, sales } from '../support/pipelines.ts';

const base: StoredRecord = {
  id: 'D1',
  createdAt: '2026-03-01T10:00:00.000Z',
  updatedAt: '2026-03-01T10:00:00.000Z',
  version: 1,
  archived: false,
  ownerId: 'u1',
};

const created = (input: Record<string, unknown>, stageId = 's1', company?: { country?: string }) => {
  const move = newDeal(base, { name: 'Deal', ...input }, sales, stageId, company);
  if (!move.ok) throw new Error(move.message);
  return move.deal;
};

describe('a new deal', () => {
  it('takes status and probability from its stage, entered when created, with no contacts or products', () => {
    expect(created({ ownerId: 'ignored', pipelineId: 'ignored', amount: 10, currency: 'EUR' })).toEqual({
      ...base,
      name: 'Deal',
      amount: 10,
      currency: 'EUR',
      pipelineId: 'P1',
      stageId: 's1',
      status: 'open',
      probability: 10,
      stageEnteredAt: base.createdAt,
      contactIds: [],
      productIds: [],
    });
  });

  it('closes in a won stage, needs a reason in a lost one, and refuses a stage of another pipeline', () => {
    expect(created({}, 'won')).toMatchObject({ status: 'won', probability: 100, closedAt: base.createdAt });
    expect(newDeal(base, { name: 'Deal' }, sales, 'lost')).toEqual({
      ok: false,
      path: 'lostReason',
      message: 'is required to enter a lost stage',
    });
    expect(created({ lostReason: 'price' }, 'lost')).toMatchObject({ status: 'lost', lostReason: 'price' });
    expect(newDeal(base, { name: 'Deal' }, sales, 'r1')).toMatchObject({ ok: false, path: 'stageId' });
  });

  it("takes its company's country unless given one", () => {
    expect(created({}, 's1', { country: 'ES' }).country).toBe('ES');
    expect(created({ country: 'PT' }, 's1', { country: 'ES' }).country).toBe('PT');
    expect(created({}, 's1', {}).country).toBeUndefined();
  });

  it("is attributed to its first contact's last click before it was created, unless given a campaign", () => {
    const deal = created({ contactIds: ['c1', 'c2'] });
    const click = { lastClickedCampaignId: 'K1', lastClickedAt: '2026-02-28T00:00:00.000Z' };
    expect(withAttributedCampaign(deal, click).campaignId).toBe('K1');
    expect(
      withAttributedCampaign(deal, { ...click, lastClickedAt: '2026-03-02T00:00:00.000Z' }).campaignId,
    ).toBeUndefined();
    expect(withAttributedCampaign({ ...deal, campaignId: 'K0' }, click).campaignId).toBe('K0');
    expect(withAttributedCampaign(created({}), click).campaignId).toBeUndefined();
  });
});

describe('a changed deal', () => {
  const now = '2026-03-05T00:00:00.000Z';
  const current = created({ amount: 10, currency: 'EUR' });
  const revise = (
    patch: Partial<Deal> & Record<string, unknown>,
    to = sales,
    company?: { country?: string },
  ) => revisedDeal(current, { ...current, ...patch } as Deal, patch, to, now, company);

  it('moves with a stage change: status, probability, entry time and closing follow the stage', () => {
    expect(revise({ stageId: 's2' })).toEqual({
      ok: true,
      deal: { ...current, stageId: 's2', probability: 50, stageEnteredAt: now },
    });
    expect(revise({ stageId: 'won' })).toMatchObject({ ok: true, deal: { status: 'won', closedAt: now } });
    expect(revise({ stageId: 'lost' })).toMatchObject({ ok: false, path: 'lostReason' });
  });

  it('stays put when no stage changes, and needs a stage to change pipeline', () => {
    expect(revise({ name: 'Renamed' })).toEqual({ ok: true, deal: { ...current, name: 'Renamed' } });
    expect(revise({ pipelineId: 'P2' }, renewals)).toEqual({
      ok: false,
      path: 'stageId',
      message: 'is required when the deal changes pipeline',
    });
    expect(revise({ pipelineId: 'P2', stageId: 'r1' }, renewals)).toMatchObject({
      ok: true,
      deal: { pipelineId: 'P2', stageId: 'r1', probability: 40 },
    });
  });

  it('needs a currency with an amount, and takes a new company country unless the patch gives one', () => {
    expect(revise({ currency: undefined })).toEqual({
      ok: false,
      path: 'currency',
      message: 'is required with an amount',
    });
    expect(revise({ companyId: 'C1' }, sales, { country: 'ES' })).toMatchObject({ deal: { country: 'ES' } });
    expect(revise({ companyId: 'C1', country: 'PT' }, sales, { country: 'ES' })).toMatchObject({
      deal: { country: 'PT' },
    });
  });
});
