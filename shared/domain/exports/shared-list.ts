import type { Contact } from '../records.ts';
import type { ExportReferences } from './cells.ts';
import type { VCardPerson } from './vcard.ts';

/**
 * What a shared list link (`/l/<token>`) gives a partner: the contact data a
 * mailing needs and nothing internal (no ids, owners, teams, authors,
 * versions, archive flags, marketing or lifecycle state, custom fields). One
 * set of fields for CSV, JSON and vCard alike, in this order; `company` is
 * the company's name, blank when the link's creator may not read it.
 */
export const sharedListFields = [
  'firstName',
  'lastName',
  'email',
  'phone',
  'company',
  'title',
  'city',
  'country',
  'tags',
] as const;
export type SharedListField = (typeof sharedListFields)[number];

/** A contact as a shared link shows it: only {@link sharedListFields}, absent values left out (`tags` always there). */
export type SharedContact = Partial<Record<Exclude<SharedListField, 'tags'>, string>> & {
  readonly tags: readonly string[];
};

export function sharedContact(
  contact: Contact,
  references: Pick<ExportReferences, 'companies'>,
): SharedContact {
  const company = contact.companyId ? references.companies.get(contact.companyId)?.name : undefined;
  return {
    firstName: contact.firstName,
    ...(contact.lastName ? { lastName: contact.lastName } : {}),
    ...(contact.email ? { email: contact.email } : {}),
    ...(contact.phone ? { phone: contact.phone } : {}),
    ...(company ? { company } : {}),
    ...(contact.title ? { title: contact.title } : {}),
    ...(contact.city ? { city: contact.city } : {}),
    ...(contact.country ? { country: contact.country } : {}),
    tags: contact.tags ?? [],
  };
}

/** A shared contact's CSV cells under {@link sharedListFields} (tags joined with `;`). */
export const sharedContactCells = (contact: SharedContact): string[] =>
  sharedListFields.map((field) => (field === 'tags' ? contact.tags.join(';') : (contact[field] ?? '')));

/** A shared contact as a vCard: the same fields, without the record's id (UID) or revision. */
export function sharedContactCard(contact: SharedContact): VCardPerson {
  return {
    fullName: [contact.firstName, contact.lastName].filter(Boolean).join(' '),
    ...(contact.firstName ? { givenName: contact.firstName } : {}),
    ...(contact.lastName ? { familyName: contact.lastName } : {}),
    ...(contact.email ? { email: contact.email } : {}),
    ...(contact.phone ? { phone: contact.phone } : {}),
    ...(contact.company ? { organisation: contact.company } : {}),
    ...(contact.title ? { title: contact.title } : {}),
    ...(contact.city ? { city: contact.city } : {}),
    ...(contact.country ? { country: contact.country } : {}),
    ...(contact.tags.length > 0 ? { categories: contact.tags } : {}),
  };
}
