import { activityState } from '../domain/activities.ts';
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
  searchName: (company) => company.name,
  searchEveryWord: true,
};

export const contacts: EntitySpec<Contact> = {
  type: 'CONTACT',
  label: 'contact',
  uniques: [{ name: 'CONTACT_EMAIL', field: 'email' }],
  searchName: (contact) => fullName(contact.firstName, contact.lastName),
  searchEveryWord: true,
  parent: { name: 'COMPANY', field: 'companyId' },
};

export const teams: EntitySpec<Team> = {
  type: 'TEAM',
  label: 'team',
  uniques: [{ name: 'TEAM_NAME', field: 'name' }],
  searchName: (team) => team.name,
};

export const users: EntitySpec<User> = {
  type: 'USER',
  label: 'user',
  uniques: [{ name: 'USER_EMAIL', field: 'email' }],
  searchName: (user) => user.name,
};

export const leads: EntitySpec<Lead> = {
  type: 'LEAD',
  label: 'lead',
  searchName: (lead) => fullName(lead.firstName, lead.lastName),
  searchEveryWord: true,
  // A converted lead is listed under its contact, so that erasing the person finds it.
  parent: { name: 'CONTACT', field: 'contactId' },
};

export const pipelines: EntitySpec<Pipeline> = {
  type: 'PIPELINE',
  label: 'pipeline',
  searchName: (pipeline) => pipeline.name,
};

export const deals: EntitySpec<Deal> = {
  type: 'DEAL',
  label: 'deal',
  searchName: (deal) => deal.name,
  searchEveryWord: true,
  state: (deal) => deal.stageId,
  parent: { name: 'COMPANY', field: 'companyId' },
};

export const products: EntitySpec<Product> = {
  type: 'PRODUCT',
  label: 'product',
  uniques: [{ name: 'PRODUCT_SKU', field: 'sku' }],
  searchName: (product) => product.name,
  searchEveryWord: true,
};

export const quotes: EntitySpec<Quote> = {
  type: 'QUOTE',
  label: 'quote',
  parent: { name: 'DEAL', field: 'dealId' },
};

export const cases: EntitySpec<Case> = {
  type: 'CASE',
  label: 'case',
  searchName: (record) => record.subject,
  state: (record) => record.status,
  parent: { name: 'CONTACT', field: 'contactId' },
};

export const activities: EntitySpec<Activity> = {
  type: 'ACTIVITY',
  label: 'activity',
  searchName: (activity) => activity.subject,
  state: activityState,
  parent: { name: 'RELATED', field: 'relatedKey' },
};
