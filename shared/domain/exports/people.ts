import type { Contact, Lead } from '../records.ts';
import type { ExportReferences } from './cells.ts';
import type { VCardPerson } from './vcard.ts';

export type Person =
  | { readonly entity: 'contacts'; readonly record: Contact }
  | { readonly entity: 'leads'; readonly record: Lead };

/**
 * A contact or lead as a vCard shows them. A contact's organisation is its
 * company's name (blank when the reader may not read the company), a lead's
 * the company name it was captured with.
 */
export function vCardPerson(person: Person, references: Pick<ExportReferences, 'companies'>): VCardPerson {
  const { record } = person;
  const common = {
    uid: record.id,
    fullName: [record.firstName, record.lastName].filter(Boolean).join(' '),
    givenName: record.firstName,
    ...(record.lastName ? { familyName: record.lastName } : {}),
    ...(record.email ? { email: record.email } : {}),
    ...(record.phone ? { phone: record.phone } : {}),
    ...(record.country ? { country: record.country } : {}),
    revision: record.updatedAt,
  };
  if (person.entity === 'leads')
    return { ...common, ...(person.record.companyName ? { organisation: person.record.companyName } : {}) };
  const contact = person.record;
  const organisation = contact.companyId ? references.companies.get(contact.companyId)?.name : undefined;
  return {
    ...common,
    ...(organisation ? { organisation } : {}),
    ...(contact.title ? { title: contact.title } : {}),
    ...(contact.city ? { city: contact.city } : {}),
    ...(contact.tags.length > 0 ? { categories: contact.tags } : {}),
  };
}
