import type { Role } from '../domain/access.ts';
import {
  type ActivityStatus,
  type ActivityType,
  activityState,
  type Related,
  type ReminderState,
} from '../domain/activities.ts';
import type { CaseChannel, CasePriority, CaseStatus, CaseType } from '../domain/cases.ts';
import type { DealState } from '../domain/deal.ts';
import type { Stage } from '../domain/pipeline.ts';
import type { QuoteLine } from '../domain/quote-totals.ts';
import type { QuoteStatus } from '../domain/quotes.ts';
import { fullName } from '../domain/text.ts';
import type { CompanyCreate } from '../schemas/companies.ts';
import type { ContactCreate, MarketingStatus } from '../schemas/contacts.ts';
import type { EntitySpec, StoredRecord } from './records.ts';

type CustomFields = Record<string, unknown>;

export type Company = StoredRecord &
  Omit<CompanyCreate, 'ownerId' | 'tags' | 'customFields'> & { tags: string[]; customFields: CustomFields };

export type Contact = StoredRecord &
  Omit<ContactCreate, 'ownerId' | 'tags' | 'customFields' | 'marketingStatus'> & {
    tags: string[];
    customFields: CustomFields;
    marketingStatus: MarketingStatus;
    /** Kept by the stream from activities (functions/stream/contact-activity.ts), outside `version`. */
    lastActivityAt?: string;
  };

export type Team = StoredRecord & { name: string };

export type User = StoredRecord & { email: string; name: string; role: Role; active: boolean };

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

export type LeadStatus = 'new' | 'contacted' | 'qualified' | 'disqualified' | 'converted';
export type LeadSource = 'web' | 'referral' | 'event' | 'campaign' | 'cold_call' | 'partner' | 'other';

export type Lead = StoredRecord & {
  firstName: string;
  lastName?: string;
  email?: string;
  companyName?: string;
  phone?: string;
  source?: LeadSource;
  country?: string;
  status: LeadStatus;
  /** Set when converted: what the conversion created or linked. */
  convertedAt?: string;
  contactId?: string;
  companyId?: string;
  dealId?: string;
};

export type Pipeline = StoredRecord & { name: string; stages: Stage[] };

export type Deal = StoredRecord &
  DealState & {
    name: string;
    /** Decimal with at most two fraction digits, in `currency`. */
    amount?: number;
    currency?: string;
    companyId?: string;
    contactIds: string[];
    productIds: string[];
    expectedCloseDate?: string;
  };

export const leads: EntitySpec<Lead> = {
  type: 'LEAD',
  label: 'lead',
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
  accessPatterns: {
    byParent: { parent: 'COMPANY', field: 'companyId' },
    byState: { state: (deal) => deal.stageId },
    byName: { name: (deal) => deal.name, everyWord: true },
  },
};

/** A price-list entry: tenant-wide configuration, read by everyone, changed by admins and managers. */
export type Product = StoredRecord & {
  name: string;
  sku?: string;
  /** Decimal with at most three fraction digits, in `currency`. */
  unitPrice: number;
  currency: string;
  description?: string;
};

/** A deal's quote; `ownerId`/`teamId` are the deal's, so it lists and indexes with its deal. */
export type Quote = StoredRecord & {
  dealId: string;
  status: QuoteStatus;
  currency: string;
  lines: QuoteLine[];
  subtotal: number;
  discount: number;
  total: number;
  validUntil?: string;
  sentAt?: string;
  acceptedAt?: string;
  rejectedAt?: string;
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

/**
 * A service case. `assigneeId` is the owner (`ownerId`), so rights and team
 * follow the assignee. `csatNonce` binds the current satisfaction link and is
 * never shown to clients.
 */
export type Case = StoredRecord & {
  subject: string;
  description?: string;
  type: CaseType;
  priority: CasePriority;
  channel?: CaseChannel;
  status: CaseStatus;
  contactId: string;
  companyId?: string;
  assigneeId: string;
  /** The SLA clock: started at creation or the last reopening; due `hours[priority]` later. */
  slaStartAt: string;
  slaDueAt: string;
  slaBreachedAt?: string;
  resolution?: string;
  resolvedAt?: string;
  closedAt?: string;
  reopenedAt?: string;
  csatNonce?: string;
  csatScore?: number;
  csatComment?: string;
  csatAt?: string;
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

/**
 * A task, call, meeting, logged email or note. `assigneeId` is the owner
 * (`ownerId`), so rights and team follow the assignee. `relatedKey`
 * (`contact:<id>`) is derived from `related` and lists the activities of a
 * record (gsi3); the state `<status>#<assignee>` (gsi6) makes `open#<me>` the
 * caller's agenda.
 */
export type Activity = StoredRecord & {
  type: ActivityType;
  subject: string;
  body?: string;
  dueAt?: string;
  remindAt?: string;
  durationMin?: number;
  assigneeId: string;
  related?: Related;
  relatedKey?: string;
  status: ActivityStatus;
  completedAt?: string;
  reminderState: ReminderState;
  /** When the reminder for the current `remindAt` went out. */
  remindedAt?: string;
};

export const activities: EntitySpec<Activity> = {
  type: 'ACTIVITY',
  label: 'activity',
  accessPatterns: {
    byParent: { parent: 'RELATED', field: 'relatedKey' },
    byState: { state: activityState },
    byName: { name: (activity) => activity.subject },
  },
};
