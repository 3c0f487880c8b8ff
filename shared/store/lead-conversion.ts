import { config } from '../config.ts';
import { dealWriteItems } from './deals.ts';
import {
  type Company,
  type Contact,
  companies,
  contacts,
  type Deal,
  type Lead,
  leads,
  type Pipeline,
} from './entities.ts';
import { recordKey } from './keys.ts';
import { createItems, recordExists, searchWordWrites, toItem } from './records.ts';
import { type TransactItem, transact } from './transactions.ts';

/** A record the conversion creates, or an existing one it links (checked to be still live). */
export type Part<T> = { readonly create: T } | { readonly link: T };

export interface ConversionWrite {
  readonly before: Lead;
  readonly after: Lead;
  readonly contact: Part<Contact>;
  readonly company?: Part<Company>;
  readonly deal?: { readonly deal: Deal; readonly pipeline: Pipeline };
}

/**
 * One TransactWriteItems, so a conversion happens whole or not at all:
 *   0      the lead, conditioned on its version and on not being converted yet
 *   1-2    the new contact and its email reservation, or a check that the linked one is live
 *   +0-1   the new company (no domain, so no reservation), or a check that the linked one is live
 *   +0-3   a check that the pipeline is still the version the stage was chosen from,
 *          the deal and its first history entry
 * At most 7 items, then the search words of the records written (records.ts).
 */
export function conversionItems(tenantId: string, write: ConversionWrite, actorId: string): TransactItem[] {
  const leadItem = toItem(leads, tenantId, write.after);
  const lead: TransactItem = {
    Put: {
      TableName: config.tableName,
      Item: leadItem,
      ConditionExpression: 'version = :version AND #status <> :converted',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':version': write.before.version, ':converted': 'converted' },
    },
  };
  const created = {
    contact: 'create' in write.contact ? createItems(contacts, tenantId, write.contact.create) : undefined,
    company:
      write.company && 'create' in write.company
        ? createItems(companies, tenantId, write.company.create)
        : undefined,
  };
  const contact =
    'link' in write.contact
      ? [recordExists(tenantId, contacts.type, write.contact.link.id)]
      : (created.contact?.items ?? []);
  const company =
    write.company && 'link' in write.company
      ? [recordExists(tenantId, companies.type, write.company.link.id)]
      : (created.company?.items ?? []);
  const deal = write.deal
    ? [
        pipelineUnchanged(tenantId, write.deal.pipeline),
        ...dealWriteItems(tenantId, undefined, write.deal, actorId),
      ]
    : [];
  const leadWords = searchWordWrites(leads, tenantId, write.before, { record: write.after, item: leadItem });
  const words = [...(created.contact?.words ?? []), ...(created.company?.words ?? []), ...leadWords];
  return [lead, ...contact, ...company, ...deal, ...words];
}

function pipelineUnchanged(tenantId: string, pipeline: Pipeline): TransactItem {
  return {
    ConditionCheck: {
      TableName: config.tableName,
      Key: recordKey(tenantId, 'PIPELINE', pipeline.id),
      ConditionExpression: 'version = :version AND archived = :false',
      ExpressionAttributeValues: { ':version': pipeline.version, ':false': false },
    },
  };
}

/**
 * Writes the conversion. `false` means a condition failed (the lead changed or
 * converted meanwhile, the email was taken, a linked record went away) and
 * nothing was written: the caller re-reads and decides.
 */
export async function writeConversion(
  tenantId: string,
  write: ConversionWrite,
  actorId: string,
): Promise<boolean> {
  const outcome = await transact(conversionItems(tenantId, write, actorId));
  return outcome.ok;
}
