import { recipientFields, recipientStatus } from '#shared/domain/delivery';
import { eventMoments } from '#shared/domain/domain-event-rules';
import { type DomainEvent, domainEventId } from '#shared/domain/domain-events';
import { campaigns } from '#shared/store/campaigns';
import { toDelivery } from '#shared/store/deliveries';
import { cases, companies, contacts, deals, leads, quotes } from '#shared/store/entities';
import { clientView, type EntitySpec, type StoredRecord, toRecord } from '#shared/store/records';
import type { Image, TableChange } from '../pipeline/change.ts';

/**
 * The domain events one table change means (which ones: the rules of
 * shared/domain/domain-event-rules.ts, their docstring lists every type and
 * what is not an update), each as the SPEC's envelope:
 * - `id`: domainEventId(change.eventId, type), so a replayed record yields the same ids;
 * - `tenantId`: the item's tenant;
 * - `occurredAt`: the record's own timestamp of the moment (createdAt,
 *   updatedAt, closedAt, acceptedAt, resolvedAt, csatAt, bouncedAt, ...), else
 *   the stream record's creation time, else the item's `updatedAt`;
 * - `data`: the record as the API shows it after the change (for a
 *   `*.deleted` by archiving, as it was shown then), without the table's
 *   attributes (keys, index keys, entity, tenant) nor what the API keeps to
 *   itself (a case's CSAT nonce, a campaign's run lease), plus what the type
 *   adds (`previousStageId`, `changedFields`). A contact's erasure carries
 *   `{id, erased: true}` only: the event must not send the erased person's
 *   data anywhere. A delivery's `email.*` event carries the recipient as the
 *   campaign's recipient list shows it, with what it belongs to (`kind`,
 *   `campaignId`, or `sequenceId` and `step`).
 * Items of no tenant, and every item no rule speaks of, yield nothing.
 */
export function domainEventsOf(change: TableChange): DomainEvent[] {
  const { tenantId, entity, old: before, new: after } = change;
  if (!tenantId) return [];
  const image = after ?? before;
  if (!image) return [];
  return eventMoments(entity, before, after).map((moment) => ({
    id: domainEventId(change.eventId, moment.type),
    type: moment.type,
    tenantId,
    occurredAt: moment.at ?? change.streamedAt ?? String(image.updatedAt ?? image.createdAt ?? ''),
    data: moment.erased
      ? { id: image.id, erased: true }
      : { ...shownAs(String(entity), image), ...(moment.adds ?? {}) },
  }));
}

const recordSpecs: Readonly<Record<string, EntitySpec<StoredRecord>>> = {
  contact: contacts as unknown as EntitySpec<StoredRecord>,
  company: companies as unknown as EntitySpec<StoredRecord>,
  lead: leads as unknown as EntitySpec<StoredRecord>,
  deal: deals as unknown as EntitySpec<StoredRecord>,
  quote: quotes as unknown as EntitySpec<StoredRecord>,
  case: cases as unknown as EntitySpec<StoredRecord>,
  campaign: campaigns as unknown as EntitySpec<StoredRecord>,
};

/** What a delivery adds to the recipient list's fields: the campaign or sequence step it belongs to. */
const deliveryFields: ReadonlySet<string> = new Set([
  'kind',
  'campaignId',
  'sequenceId',
  'step',
  ...recipientFields,
]);

/** The item as the API shows its record (store mappers: toRecord + clientView; cases without their CSAT nonce). */
function shownAs(entity: string, item: Image): Record<string, unknown> {
  if (entity === 'delivery') {
    const fields = deliveryFields;
    const delivery = toDelivery(item);
    const shown: Record<string, unknown> = { ...delivery, status: recipientStatus(delivery) };
    return Object.fromEntries(Object.entries(shown).filter(([name]) => fields.has(name)));
  }
  const spec = recordSpecs[entity];
  if (!spec) return {};
  const record = clientView(spec, toRecord<StoredRecord>(item)) as unknown as Record<string, unknown>;
  if (entity === 'case') {
    const { csatNonce: _nonce, ...shown } = record;
    return shown;
  }
  return record;
}
