import { t } from '../../i18n/index.ts';
import type { CampaignStatus } from './types.ts';

export const campaignStatuses: readonly CampaignStatus[] = [
  'draft',
  'scheduled',
  'sending',
  'sent',
  'paused',
  'canceled',
];

/** A campaign's status as a word with a colour that is not the only cue. */
export function StatusBadge({ status }: { readonly status: CampaignStatus }) {
  return <span class={`status status-${status}`}>{t(`marketing.status.${status}`)}</span>;
}
