import type { Role } from './access.ts';
import type { ActivityStatus, ActivityType, Related, ReminderState } from './activities.ts';
import type { CaseChannel, CasePriority, CaseStatus, CaseType } from './cases.ts';
import type { LifecycleStage, MarketingStatus } from './contacts.ts';
import type { DealState } from './deal.ts';
import type { MarketingConsent, Utm } from './forms.ts';
import type { LeadSource, LeadStatus } from './leads.ts';
import type { Stage } from './pipeline.ts';
import type { QuoteLine } from './quote-totals.ts';
import type { QuoteStatus } from './quotes.ts';

/**
 * The records the CRM keeps, as stored and as clients see them (without the
 * table's attributes). The store maps them onto the table (shared/store/entities.ts),
 * the schemas validate what clients send for them, the rules here reason on them.
 */

/** Fields every record carries. */
export interface StoredRecord {
  id: string;
  createdAt: string;
  updatedAt: string;
  /** Stamped on every write from the acting user (see shared/store/actor.ts). */
  createdBy?: string;
  updatedBy?: string;
  version: number;
  ownerId: string;
  teamId?: string;
  archived: boolean;
}

/**
 * Attributes an item carries for the table, not for clients: keys, index keys, the entity type,
 * the tenant and the expiry. Rules that read stored images (timelines, notifications) skip them;
 * the store strips them from what clients see. Their values are built by shared/store/keys.ts.
 */
export const storageAttributes = [
  'pk',
  'sk',
  'gsi1pk',
  'gsi1sk',
  'gsi2pk',
  'gsi2sk',
  'gsi3pk',
  'gsi3sk',
  'gsi4pk',
  'gsi4sk',
  'gsi5pk',
  'gsi5sk',
  'gsi6pk',
  'gsi6sk',
  'entity',
  'tenantId',
  'expiresAt',
] as const;

/**
 * Fields a tenant adds to companies, contacts, leads and deals: free-form until the
 * entity has definitions (shared/domain/custom-fields.ts), then checked on every write.
 */
export type CustomFields = Record<string, unknown>;

/** A record's report groups by custom field key: the option(s), or `true`/`false`. */
export type CustomGroups = Record<string, string[]>;

export type Company = StoredRecord & {
  name: string;
  domain?: string;
  industry?: string;
  /** Number of employees. */
  size?: number;
  country?: string;
  city?: string;
  phone?: string;
  website?: string;
  tags: string[];
  customFields: CustomFields;
};

export type Contact = StoredRecord & {
  firstName: string;
  lastName?: string;
  email?: string;
  phone?: string;
  companyId?: string;
  title?: string;
  country?: string;
  city?: string;
  tags: string[];
  lifecycleStage?: LifecycleStage;
  marketingStatus: MarketingStatus;
  customFields: CustomFields;
  /** Kept by the stream from activities (functions/stream/consumers/contact-activity.ts), outside `version`. */
  lastActivityAt?: string;
  /** The campaign whose email the contact last clicked, and when: kept by the stream (contact-clicks.ts), outside `version`. */
  lastClickedCampaignId?: string;
  lastClickedAt?: string;
};

export type Team = StoredRecord & { name: string };

export type User = StoredRecord & { email: string; name: string; role: Role; active: boolean };

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
  /** The campaign the lead came from; its deal is attributed to it on conversion. */
  campaignId?: string;
  /** The web-to-lead form it was submitted through (shared/domain/forms.ts). */
  formId?: string;
  /** The UTM parameters of that submission. */
  utm?: Utm;
  /** The page the form was sent from. */
  referrer?: string;
  /** What a form asked of marketing consent and what the person answered (forms.ts MarketingConsent). */
  marketingConsent?: MarketingConsent;
  /** Absent on leads stored before leads had custom fields. */
  customFields?: CustomFields;
  /** Derived by the write path for reports (custom-fields.ts customFieldGroups); never shown to clients. */
  customGroups?: CustomGroups;
};

export type Pipeline = StoredRecord & { name: string; stages: Stage[] };

export type Deal = StoredRecord &
  DealState & {
    name: string;
    /** The deal's id in another system; unique per tenant (DEAL_EXTERNAL_ID), compared without case. */
    externalId?: string;
    /** Decimal with at most two fraction digits, in `currency`. */
    amount?: number;
    currency?: string;
    companyId?: string;
    contactIds: string[];
    productIds: string[];
    expectedCloseDate?: string;
    /** Where the business came from (the leads' vocabulary); conversion copies the lead's. */
    source?: LeadSource;
    /** ISO 3166 alpha-2; defaults to the company's country. */
    country?: string;
    /** Set when a quote is accepted: its lines that name a product (for sales by product). */
    productLines?: DealProductLine[];
    /** The campaign the deal is attributed to (campaign ROI). */
    campaignId?: string;
    /** Absent on deals stored before deals had custom fields. */
    customFields?: CustomFields;
    /** Derived by the write path for reports (custom-fields.ts customFieldGroups); never shown to clients. */
    customGroups?: CustomGroups;
  };

/** One product line of a deal's accepted quote: quantity and line total after the line's discount. */
export interface DealProductLine {
  productId: string;
  quantity: number;
  /** Decimal, in the deal's currency. */
  total: number;
}

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
  /** `Q-<year>-<nnnn>`, per tenant and year, given at creation (shared/domain/quote-number.ts). */
  number?: string;
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
  /** For a logged email or call: `inbound` when the contact reached out (a reply). */
  direction?: 'inbound' | 'outbound';
  /**
   * For an activity about a contact, deal or case: that record's company when
   * the activity was related to it, so the company's customer report counts it
   * (see shared/domain/reports/customers.ts).
   */
  companyId?: string;
  status: ActivityStatus;
  completedAt?: string;
  reminderState: ReminderState;
  /** When the reminder for the current `remindAt` went out. */
  remindedAt?: string;
  /** For an email logged from the logging address (inbound-email.ts): the message it came from. */
  email?: LoggedEmail;
};

/** What an activity keeps of a received message (shared/domain/inbound-email.ts). */
export interface LoggedEmail {
  /** The Message-ID, without angle brackets. */
  messageId?: string;
  from: { address: string; name?: string };
  to: string[];
  cc: string[];
  /** The message's Date header, ISO 8601. */
  date?: string;
  /** The HTML part, sanitised (shared/mail/inbound-message.ts). */
  html?: string;
  /** Listed only: the files stay in the raw message, which expires with its bucket's lifecycle. */
  attachments: { filename?: string; contentType: string; size: number }[];
}
