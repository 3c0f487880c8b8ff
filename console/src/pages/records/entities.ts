import { t } from '../../i18n/index.ts';

/**
 * The five record kinds a record page shows, and what each one's page lists: its built-in fields
 * (with the input each needs) in the order people read them. Custom fields come from
 * `GET /settings/fields/{entity}` at run time.
 */
export type Entity = 'contacts' | 'companies' | 'leads' | 'deals' | 'cases';
/** The singular the API uses in `related` and timelines (`contact:ID`). */
export type RelatedType = 'contact' | 'company' | 'lead' | 'deal' | 'case';

export const singular: Record<Entity, RelatedType> = {
  contacts: 'contact',
  companies: 'company',
  leads: 'lead',
  deals: 'deal',
  cases: 'case',
};

export const pluralOf: Record<RelatedType, Entity> = {
  contact: 'contacts',
  company: 'companies',
  lead: 'leads',
  deal: 'deals',
  case: 'cases',
};

export type CustomValue = string | number | boolean | null | string[];

/** A record as a record page handles it: the fields every entity has, the rest by name. */
export interface RecordData {
  readonly id: string;
  readonly version: number;
  readonly archived: boolean;
  readonly ownerId: string;
  readonly customFields?: Readonly<Record<string, CustomValue>>;
  readonly [field: string]: unknown;
}

export type InputKind =
  | 'text'
  | 'email'
  | 'tel'
  | 'url'
  | 'number'
  | 'date'
  | 'textarea'
  | 'select'
  | 'multiselect'
  | 'boolean'
  | 'list';

export interface FieldSpec {
  readonly key: string;
  readonly kind: InputKind;
  /** For `select`: the values, shown through `records.enum.<value>`. */
  readonly options?: readonly string[];
  /** Shown, never edited here (computed by the API, or changed by its own action). */
  readonly readOnly?: boolean;
  /** Cannot be emptied (the API requires it). */
  readonly required?: boolean;
  /** How to show the value when it is not the plain text. */
  readonly display?: 'money' | 'percent' | 'date' | 'datetime';
}

const sources = ['web', 'referral', 'event', 'campaign', 'cold_call', 'partner', 'other'] as const;

export const fieldsOf: Record<Entity, readonly FieldSpec[]> = {
  contacts: [
    { key: 'firstName', kind: 'text', required: true },
    { key: 'lastName', kind: 'text' },
    { key: 'email', kind: 'email' },
    { key: 'phone', kind: 'tel' },
    { key: 'title', kind: 'text' },
    { key: 'city', kind: 'text' },
    { key: 'country', kind: 'text' },
    {
      key: 'lifecycleStage',
      kind: 'select',
      options: ['subscriber', 'lead', 'opportunity', 'customer', 'evangelist', 'other'],
    },
    { key: 'marketingStatus', kind: 'select', options: ['subscribed', 'unsubscribed'], required: true },
    { key: 'tags', kind: 'list' },
    { key: 'engagementScore', kind: 'number', readOnly: true },
  ],
  companies: [
    { key: 'name', kind: 'text', required: true },
    { key: 'domain', kind: 'text' },
    { key: 'website', kind: 'url' },
    { key: 'industry', kind: 'text' },
    { key: 'size', kind: 'number' },
    { key: 'phone', kind: 'tel' },
    { key: 'city', kind: 'text' },
    { key: 'country', kind: 'text' },
    { key: 'tags', kind: 'list' },
  ],
  leads: [
    { key: 'firstName', kind: 'text', required: true },
    { key: 'lastName', kind: 'text' },
    { key: 'email', kind: 'email' },
    { key: 'phone', kind: 'tel' },
    { key: 'companyName', kind: 'text' },
    { key: 'country', kind: 'text' },
    { key: 'source', kind: 'select', options: sources },
    {
      key: 'status',
      kind: 'select',
      options: ['new', 'contacted', 'qualified', 'disqualified'],
      required: true,
    },
  ],
  deals: [
    { key: 'name', kind: 'text', required: true },
    { key: 'amount', kind: 'number', display: 'money' },
    { key: 'currency', kind: 'text' },
    { key: 'expectedCloseDate', kind: 'date', display: 'date' },
    { key: 'status', kind: 'text', readOnly: true },
    { key: 'probability', kind: 'number', readOnly: true, display: 'percent' },
    { key: 'source', kind: 'select', options: sources },
    { key: 'lostReason', kind: 'text' },
    { key: 'country', kind: 'text' },
  ],
  cases: [
    { key: 'subject', kind: 'text', required: true },
    { key: 'description', kind: 'textarea' },
    {
      key: 'type',
      kind: 'select',
      options: ['service_request', 'complaint', 'return', 'information'],
      required: true,
    },
    { key: 'priority', kind: 'select', options: ['low', 'normal', 'high', 'urgent'], required: true },
    { key: 'channel', kind: 'select', options: ['web', 'email', 'phone', 'in_person', 'chat'] },
    {
      key: 'status',
      kind: 'select',
      options: ['new', 'open', 'pending', 'resolved', 'closed'],
      required: true,
    },
    { key: 'resolution', kind: 'text', readOnly: true },
  ],
};

/** A record's name as people say it. */
export function recordName(entity: Entity, record: RecordData): string {
  const text = (key: string) => (typeof record[key] === 'string' ? (record[key] as string) : '');
  switch (entity) {
    case 'contacts':
    case 'leads':
      return [text('firstName'), text('lastName')].filter(Boolean).join(' ');
    case 'cases':
      return text('subject');
    default:
      return text('name');
  }
}

/** The label of a built-in field. */
export const fieldLabel = (key: string): string => t(`records.field.${key}`);

/** An enum value in words (`records.enum.<value>`), the value itself when it has none. */
export function enumLabel(value: string): string {
  const key = `records.enum.${value}`;
  const text = t(key);
  return text === key ? value : text;
}
