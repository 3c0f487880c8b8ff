import { activityState, agendaKey } from '../domain/activities.ts';
import type {
  Activity,
  Case,
  Company,
  Contact,
  Deal,
  Lead,
  Pipeline,
  Product,
  Quote,
  Team,
  User,
} from '../domain/records.ts';
import { fullName } from '../domain/text.ts';
import type { EntitySpec } from './records.ts';

// The record types are the domain's (shared/domain/records.ts); here is how each maps onto the table.
export type { Activity, Case, Company, Contact, Deal, Lead, Pipeline, Product, Quote, Team, User };

export const companies: EntitySpec<Company> = {
  type: 'COMPANY',
  label: 'company',
  uniques: [{ name: 'COMPANY_DOMAIN', field: 'domain' }],
  accessPatterns: {
    byName: { name: (company) => company.name, everyWord: true },
  },
};

export const contacts: EntitySpec<Contact> = {
  type: 'CONTACT',
  label: 'contact',
  uniques: [{ name: 'CONTACT_EMAIL', field: 'email' }],
  accessPatterns: {
    byParent: { parent: 'COMPANY', field: 'companyId' },
    byName: { name: (contact) => fullName(contact.firstName, contact.lastName), everyWord: true },
  },
};

export const teams: EntitySpec<Team> = {
  type: 'TEAM',
  label: 'team',
  uniques: [{ name: 'TEAM_NAME', field: 'name' }],
  accessPatterns: {
    byName: { name: (team) => team.name },
  },
};

export const users: EntitySpec<User> = {
  type: 'USER',
  label: 'user',
  uniques: [{ name: 'USER_EMAIL', field: 'email' }],
  accessPatterns: {
    byName: { name: (user) => user.name },
  },
};

export const leads: EntitySpec<Lead> = {
  type: 'LEAD',
  label: 'lead',
  // Several leads may share an email; an import's upsert finds them by it.
  lookups: [{ name: 'LEAD_EMAIL', field: 'email' }],
  accessPatterns: {
    // A converted lead is listed under its contact, so that erasing the person finds it.
    byParent: { parent: 'CONTACT', field: 'contactId' },
    byName: { name: (lead) => fullName(lead.firstName, lead.lastName), everyWord: true },
  },
};

export const pipelines: EntitySpec<Pipeline> = {
  type: 'PIPELINE',
  label: 'pipeline',
  accessPatterns: {
    byName: { name: (pipeline) => pipeline.name },
  },
};

export const deals: EntitySpec<Deal> = {
  type: 'DEAL',
  label: 'deal',
  // An id from the system a deal came from: imports upsert by it.
  uniques: [{ name: 'DEAL_EXTERNAL_ID', field: 'externalId' }],
  accessPatterns: {
    byParent: { parent: 'COMPANY', field: 'companyId' },
    byState: { state: (deal) => deal.stageId },
    byName: { name: (deal) => deal.name, everyWord: true },
  },
};

export const products: EntitySpec<Product> = {
  type: 'PRODUCT',
  label: 'product',
  uniques: [{ name: 'PRODUCT_SKU', field: 'sku' }],
  accessPatterns: {
    byName: { name: (product) => product.name, everyWord: true },
  },
};

export const quotes: EntitySpec<Quote> = {
  type: 'QUOTE',
  label: 'quote',
  accessPatterns: {
    byParent: { parent: 'DEAL', field: 'dealId' },
  },
};

export const cases: EntitySpec<Case> = {
  type: 'CASE',
  label: 'case',
  accessPatterns: {
    byParent: { parent: 'CONTACT', field: 'contactId' },
    byState: { state: (record) => record.status },
    byName: { name: (record) => record.subject },
  },
};

export const activities: EntitySpec<Activity> = {
  type: 'ACTIVITY',
  label: 'activity',
  accessPatterns: {
    byParent: { parent: 'RELATED', field: 'relatedKey' },
    // Due time first within a status and assignee: `open#<me>` read forwards is the agenda.
    byState: { state: activityState, order: agendaKey },
    byName: { name: (activity) => activity.subject },
  },
};
