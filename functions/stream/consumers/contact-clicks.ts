import { lastClickUpdate } from '#shared/domain/campaign-attribution';
import { moveForward } from '#shared/store/forward-stamps';
import { perRecordConsumer } from '../pipeline/per-record.ts';

/** Contacts' last campaign click (shared/domain/campaign-attribution.ts), moved forward only. */
export const contactClicks = perRecordConsumer('contact clicks', lastClickUpdate, (click) =>
  moveForward({
    tenantId: click.tenantId,
    type: 'CONTACT',
    id: click.contactId,
    clock: 'lastClickedAt',
    fields: { lastClickedCampaignId: click.campaignId, lastClickedAt: click.at },
  }),
);
