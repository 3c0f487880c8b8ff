import { formatDate, formatRelative } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';

export interface SlaCase {
  readonly status: string;
  readonly slaDueAt: string;
  readonly slaBreachedAt?: string;
  readonly resolvedAt?: string;
}

export type SlaState = 'met' | 'breached' | 'due';

/** Where a case stands against its SLA: resolved in time or not, past due, or still due. */
export function slaState(item: SlaCase, now = Date.now()): SlaState {
  const settled = item.status === 'resolved' || item.status === 'closed';
  const dueAt = new Date(item.slaDueAt).getTime();
  const endedAt = settled && item.resolvedAt ? new Date(item.resolvedAt).getTime() : now;
  if (item.slaBreachedAt || endedAt > dueAt) return 'breached';
  return settled ? 'met' : 'due';
}

/** The SLA in words (never by colour alone): "Breached: was due 3 hours ago". */
export function slaText(item: SlaCase, now = Date.now()): string {
  const state = slaState(item, now);
  if (state === 'breached') return t('records.slaBreached', { when: formatRelative(item.slaDueAt, now) });
  if (state === 'met') return t('records.slaMet', { when: formatDate(item.resolvedAt, true) });
  return t('records.slaDue', { when: formatRelative(item.slaDueAt, now) });
}

/** The SLA as a badge: a word and an icon-like mark as well as a colour. */
export function SlaBadge({ item }: { readonly item: SlaCase }) {
  const state = slaState(item);
  const mark = state === 'breached' ? '⚠' : state === 'met' ? '✓' : '⏱';
  return (
    <span class={`sla sla-${state}`}>
      <span aria-hidden="true">{mark} </span>
      {slaText(item)}
    </span>
  );
}
