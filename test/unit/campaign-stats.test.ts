import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type CampaignCounts,
  campaignCounters,
  campaignStats,
  emptyCounts,
  recipientCounters,
  recipientDeltas,
} from '../../shared/domain/campaign.ts';
import { type Delivery, deliveryStatuses, INTERRUPTED } from '../../shared/domain/delivery.ts';

type Image = Partial<Delivery>;

const at = fc.constant('2026-11-20T10:00:00.000Z');
const maybe = (value: fc.Arbitrary<string>) => fc.option(value, { nil: undefined });

/** Any state a recipient item can be in, including ones only a crash or an out-of-order event leaves. */
const image: fc.Arbitrary<Image> = fc.record({
  status: fc.constantFrom(...deliveryStatuses),
  reason: fc.option(fc.constantFrom(INTERRUPTED, 'no_email', 'MessageRejected'), { nil: undefined }),
  deliveredAt: maybe(at),
  openedAt: maybe(at),
  machineOpenedAt: maybe(at),
  clickedAt: maybe(at),
  bouncedAt: maybe(at),
  complainedAt: maybe(at),
  unsubscribedAt: maybe(at),
  rejectedAt: maybe(at),
});

/** A recipient's history: its images in stream order, the last one possibly a removal. */
const history = fc
  .tuple(fc.array(image, { minLength: 1, maxLength: 8 }), fc.boolean())
  .map(([images, removed]) => (removed ? [...images, undefined] : images));

const add = (counts: CampaignCounts, deltas: Partial<CampaignCounts>) => {
  for (const [counter, delta] of Object.entries(deltas) as [keyof CampaignCounts, number][])
    counts[counter] += delta;
};

/** The invariants the stats promise, each that does not hold (plain checks: this runs thousands of times). */
function violations(counts: CampaignCounts): string[] {
  const stats = campaignStats(counts);
  const checks: [string, boolean][] = [
    ['no counter below 0', campaignCounters.every((counter) => counts[counter] >= 0)],
    ['opened ≤ delivered', counts.opened <= counts.delivered],
    ['clicked ≤ opened', counts.clicked <= counts.opened],
    ['machineOpened ≤ delivered', counts.machineOpened <= counts.delivered],
    ['opened + machineOpened ≤ delivered', counts.opened + counts.machineOpened <= counts.delivered],
    ['delivered + bounced ≤ sent', counts.delivered + counts.bounced <= counts.sent],
    ['complained ≤ sent', counts.complained <= counts.sent],
    ['unsubscribed ≤ sent', counts.unsubscribed <= counts.sent],
    [
      'final statuses ≤ recipients',
      counts.sent + counts.failed + counts.suppressed + counts.canceled <= counts.recipients,
    ],
    [
      'rates within 0..1',
      [
        stats.openRate,
        stats.clickRate,
        stats.clickToOpenRate,
        stats.bounceRate,
        stats.complaintRate,
        stats.unsubscribeRate,
      ].every((rate) => rate >= 0 && rate <= 1),
    ],
  ];
  return checks.filter(([, holds]) => !holds).map(([name]) => name);
}

describe('the campaign stats reducer', () => {
  it('keeps every invariant after any interleaving of any recipients’ changes, and ends where the last states say', () => {
    fc.assert(
      fc.property(
        fc.array(history, { minLength: 1, maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 200 }),
        (histories, order) => {
          const counts = emptyCounts();
          const position = histories.map(() => 0);
          const previous: (Image | undefined)[] = histories.map(() => undefined);
          const step = (recipient: number) => {
            const images = histories[recipient] ?? [];
            const index = position[recipient] ?? 0;
            if (index >= images.length) return;
            const next = images[index];
            add(counts, recipientDeltas(previous[recipient], next));
            previous[recipient] = next;
            position[recipient] = index + 1;
            const broken = violations(counts);
            if (broken.length > 0) throw new Error(`${broken.join(', ')}: ${JSON.stringify(counts)}`);
          };
          for (const pick of order) step(pick % histories.length);
          histories.forEach((images, recipient) => {
            while ((position[recipient] ?? 0) < images.length) step(recipient);
          });
          // Path independence: the totals are those of the recipients' last states.
          const expected = emptyCounts();
          for (const last of previous)
            if (last) for (const counter of recipientCounters(last)) expected[counter] += 1;
          expect(counts).toEqual(expected);
        },
      ),
      { numRuns: 300 },
    );
  }, 60_000);

  it('counts the issue’s inbox: a bounced message whose pixel was fetched opens nothing', () => {
    const counts = emptyCounts();
    const sent = { status: 'sent' as const, sentAt: 't' };
    const recipients: Image[][] = [
      [
        { status: 'pending' },
        sent,
        { ...sent, deliveredAt: 't' },
        { ...sent, deliveredAt: 't', openedAt: 't' },
      ],
      [
        { status: 'pending' },
        sent,
        { ...sent, complainedAt: 't' },
        { ...sent, complainedAt: 't', openedAt: 't' },
      ],
      [{ status: 'pending' }, sent, { ...sent, openedAt: 't' }, { ...sent, openedAt: 't', bouncedAt: 't' }],
    ];
    for (const images of recipients) {
      let before: Image | undefined;
      for (const after of images) {
        add(counts, recipientDeltas(before, after));
        before = after;
      }
    }
    expect(counts).toMatchObject({ sent: 3, delivered: 2, opened: 2, bounced: 1, complained: 1 });
    expect(campaignStats(counts).openRate).toBe(1);
  });

  it('counts an open that arrives before SES’s Delivery event once, as delivered and opened', () => {
    const sent = { status: 'sent' as const };
    const opened = recipientDeltas(sent, { ...sent, openedAt: 't' });
    expect(opened).toEqual({ delivered: 1, opened: 1 });
    expect(recipientDeltas({ ...sent, openedAt: 't' }, { ...sent, openedAt: 't', deliveredAt: 't' })).toEqual(
      {},
    );
  });

  it('counts a recipient once as a machine open, and moves it to human opens when a person opens it later', () => {
    const delivered = { status: 'sent' as const, deliveredAt: 't' };
    const proxied = { ...delivered, machineOpenedAt: 't1' };
    expect(recipientDeltas(delivered, proxied)).toEqual({ machineOpened: 1 });
    expect(recipientDeltas(proxied, { ...proxied, openedAt: 't2' })).toEqual({
      machineOpened: -1,
      opened: 1,
    });
    expect(recipientDeltas(proxied, { ...proxied, clickedAt: 't2' })).toEqual({
      machineOpened: -1,
      opened: 1,
      clicked: 1,
    });
    // A machine's fetch after a person's open is no machine open.
    expect(
      recipientDeltas(
        { ...delivered, openedAt: 't' },
        { ...delivered, openedAt: 't', machineOpenedAt: 't3' },
      ),
    ).toEqual({});
  });

  it('reports human and machine opens apart, click-to-open over human opens, unsubscribes over sent', () => {
    const stats = campaignStats({
      ...emptyCounts(),
      recipients: 10,
      sent: 10,
      delivered: 8,
      opened: 4,
      machineOpened: 3,
      clicked: 1,
      unsubscribed: 2,
    });
    expect(stats).toMatchObject({
      opened: 4,
      humanOpens: 4,
      machineOpens: 3,
      openRate: 0.5,
      clickRate: 0.125,
      clickToOpenRate: 0.25,
      unsubscribeRate: 0.2,
    });
    expect(campaignStats(emptyCounts())).toMatchObject({ clickToOpenRate: 0, unsubscribeRate: 0 });
  });
});
