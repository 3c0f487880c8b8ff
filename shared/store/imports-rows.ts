import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { config } from '../config.ts';
import { type Actor, canAssignTo, canRead, canWrite } from '../domain/access.ts';
import type { CustomFieldDefinition } from '../domain/custom-fields.ts';
import { canonicalEmail } from '../domain/email.ts';
import { applyMergePatch } from '../domain/merge-patch.ts';
import type { Company, Contact, Lead, StoredRecord } from '../domain/records.ts';
import { emailHash, type SuppressionReason, statusOfSuppressed } from '../domain/suppression.ts';
import { searchKey } from '../domain/text.ts';
import { currentActor } from './actor.ts';
import { dynamo } from './client.ts';
import { newContactConsent } from './contact-consent.ts';
import { companies, contacts, leads, users } from './entities.ts';
import type { ImportEntityName, ImportMode } from './imports.ts';
import type { ColumnMapping, ReadRow, RowError } from './imports-reader.ts';
import { validateRow } from './imports-reader.ts';
import { indexPartition, itemIndexes, lookupPk, suppressionKey, uniqueKey } from './keys.ts';
import { ruleAssignee } from './lead-assignment.ts';
import { queryPages } from './query.ts';
import {
  createItems,
  type EntitySpec,
  getRecords,
  listRecords,
  recordExists,
  replaceItems,
} from './records.ts';
import { liftUnsubscribe } from './suppression.ts';
import type { TransactItem } from './transactions.ts';

/**
 * How the importer turns read rows into records: reference resolution (one
 * batched read per chunk), matching (one batched read per wave of rows), and
 * each row's plan: its outcome and the transaction items that write it, built
 * with the same functions as the API's writes (createItems, replaceItems, the
 * contact consent checks, the lead assignment rule, ownership rules of
 * shared/domain/access.ts), so an imported record is what the API would have
 * written.
 */

export type RowOutcomeKind = 'created' | 'updated' | 'skipped' | 'failed';

/** What one row did (or, in a dry run, would do). */
export interface RowPlan {
  readonly ordinal: number;
  readonly row: number;
  readonly outcome: RowOutcomeKind;
  readonly errors: readonly RowError[];
  /** The row's writes; empty for failed and skipped rows and in a dry run. */
  readonly items: readonly TransactItem[];
  /** A created record's match key and id, so a later duplicate in the same file becomes its update. */
  readonly createdKey?: string;
  readonly createdId?: string;
}

/** The import as its rows are written: who imports, what, how. */
export interface ImportContext {
  readonly tenantId: string;
  readonly actor: Actor;
  readonly entity: ImportEntityName;
  readonly mode: ImportMode;
  readonly dryRun: boolean;
  readonly columns: readonly ColumnMapping[];
  readonly customFields: readonly CustomFieldDefinition[];
}

/** One data row of the chunk: its position among the file's records and what the reader made of it. */
export interface ChunkRow {
  readonly ordinal: number;
  readonly read: ReadRow;
}

/** References resolved for a chunk: each human value to an id, or the reason it does not resolve. */
export interface ChunkReferences {
  readonly companies: ReadonlyMap<string, { id: string } | { reason: string }>;
  readonly owners: ReadonlyMap<string, { ownerId: string; teamId?: string } | { reason: string }>;
}

type Item = Record<string, unknown>;
const ulid = monotonicFactory();

/** Items by key, one BatchGetItem per 100 keys, unprocessed keys retried. */
async function batchGet(keys: readonly { pk: string; sk: string }[]): Promise<Item[]> {
  const found: Item[] = [];
  const distinct = [...new Map(keys.map((key) => [`${key.pk}\n${key.sk}`, key])).values()];
  for (let start = 0; start < distinct.length; start += 100) {
    let batch: Item[] = distinct.slice(start, start + 100);
    for (let attempt = 0; batch.length > 0; attempt++) {
      if (attempt >= 8) throw new Error('DynamoDB kept leaving keys unprocessed');
      if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(50 * 2 ** attempt, 2000)));
      const output = await dynamo.send(
        new BatchGetCommand({ RequestItems: { [config.tableName]: { Keys: batch, ConsistentRead: true } } }),
      );
      found.push(...((output.Responses?.[config.tableName] ?? []) as Item[]));
      batch = (output.UnprocessedKeys?.[config.tableName]?.Keys ?? []) as Item[];
    }
  }
  return found;
}

/** The holders of unique values (`name`, lower-cased value → record id). */
async function holders(
  tenantId: string,
  name: string,
  values: readonly string[],
): Promise<Map<string, string>> {
  const items = await batchGet(values.map((value) => uniqueKey(tenantId, name, value)));
  const keyOf = (key: { pk: unknown; sk: unknown }) => `${String(key.pk)}\n${String(key.sk)}`;
  const byKey = new Map(items.map((item) => [keyOf(item as { pk: unknown; sk: unknown }), item]));
  const found = new Map<string, string>();
  for (const value of values) {
    const item = byKey.get(keyOf(uniqueKey(tenantId, name, value)));
    if (typeof item?.refId === 'string') found.set(value, item.refId);
  }
  return found;
}

/** The records holding each lookup value (`name`, lower-cased value → record ids), one Query per value. */
async function lookupHolders(
  tenantId: string,
  name: string,
  values: readonly string[],
): Promise<Map<string, string[]>> {
  const found = new Map<string, string[]>();
  await Promise.all(
    [...new Set(values)].map(async (value) => {
      const ids: string[] = [];
      for await (const items of queryPages({
        TableName: config.tableName,
        ...indexPartition(itemIndexes.recordsByLookup, lookupPk(tenantId, name, value)),
      }))
        for (const item of items) if (typeof item.refId === 'string') ids.push(item.refId);
      if (ids.length > 0) found.set(value, ids);
    }),
  );
  return found;
}

/** Why each address is suppressed, of those that are (consistent reads). */
async function suppressionReasons(
  tenantId: string,
  emails: readonly string[],
): Promise<Map<string, SuppressionReason>> {
  const keys = emails.map((email) => ({ email, key: suppressionKey(tenantId, emailHash(tenantId, email)) }));
  const items = await batchGet(keys.map((entry) => entry.key));
  const byPk = new Map(items.map((item) => [`${String(item.pk)}\n${String(item.sk)}`, item]));
  const reasons = new Map<string, SuppressionReason>();
  for (const { email, key } of keys) {
    const reason = byPk.get(`${key.pk}\n${key.sk}`)?.reason;
    if (typeof reason === 'string') reasons.set(email, reason as SuppressionReason);
  }
  return reasons;
}

/** The canonical form a row's match key is compared in: emails canonical, domains and ids lower-cased. */
export function matchValue(entity: ImportEntityName, key: string): string {
  return entity === 'contacts' || entity === 'leads'
    ? canonicalEmail(key).toLowerCase()
    : key.trim().toLowerCase();
}

const looksLikeDomain = (value: string) => /^[^\s@]+\.[^\s@]+$/.test(value) && !/\s/.test(value);

/**
 * Resolves the chunk's references in batches: companies by domain (the
 * COMPANY_DOMAIN constraint items) or by exact name (one byName Query per
 * distinct name), owners by email (USER_EMAIL) or user id. A company the
 * importer may not read does not resolve; an owner must be an active user the
 * importer may assign records to (a rep: only themselves).
 */
export async function resolveReferences(
  context: ImportContext,
  rows: readonly ChunkRow[],
): Promise<ChunkReferences> {
  const { tenantId, actor } = context;
  const companyValues = [
    ...new Set(
      rows.flatMap((row) => (row.read.references.company ? [row.read.references.company.trim()] : [])),
    ),
  ];
  const ownerValues = [
    ...new Set(rows.flatMap((row) => (row.read.references.owner ? [row.read.references.owner.trim()] : []))),
  ];

  const companyRefs = new Map<string, { id: string } | { reason: string }>();
  const domains = companyValues.filter(looksLikeDomain).map((value) => value.toLowerCase());
  const byDomain = await holders(tenantId, 'COMPANY_DOMAIN', domains);
  const names = companyValues.filter((value) => !byDomain.has(value.toLowerCase()));
  const byName = new Map<string, Company[]>();
  await Promise.all(
    names.map(async (name) => {
      const page = await listRecords(companies, tenantId, {
        archived: false,
        limit: 20,
        startKey: undefined,
        via: { pattern: 'byName', prefix: name },
      });
      const wanted = searchKey(name);
      byName.set(
        name,
        page.items.filter((company) => searchKey(company.name) === wanted),
      );
    }),
  );
  const companyRecords = await getRecords(companies, tenantId, [...byDomain.values()]);
  for (const value of companyValues) {
    const id = byDomain.get(value.toLowerCase());
    const record = id ? companyRecords.get(id) : undefined;
    const candidates = record ? [record] : (byName.get(value) ?? []);
    const visible = candidates.filter((company) => !company.archived && canRead(actor, company));
    if (visible.length === 1) companyRefs.set(value, { id: (visible[0] as Company).id });
    else if (visible.length > 1)
      companyRefs.set(value, {
        reason: `${visible.length} companies have this name; give the company's domain instead`,
      });
    else companyRefs.set(value, { reason: 'no company of this tenant has this domain or name' });
  }

  const ownerRefs = new Map<string, { ownerId: string; teamId?: string } | { reason: string }>();
  const emails = ownerValues.filter((value) => value.includes('@')).map((value) => value.toLowerCase());
  const byEmail = await holders(tenantId, 'USER_EMAIL', emails);
  const ids = ownerValues.map((value) => byEmail.get(value.toLowerCase()) ?? value);
  const userRecords = await getRecords(
    users,
    tenantId,
    ids.filter((id) => /^[A-Za-z0-9_-]{1,128}$/.test(id)),
  );
  for (const [index, value] of ownerValues.entries()) {
    const user = userRecords.get(ids[index] as string);
    if (!user?.active) ownerRefs.set(value, { reason: 'is not an active user of this tenant' });
    else if (!canAssignTo(actor, { userId: user.id, ...(user.teamId ? { teamId: user.teamId } : {}) }))
      ownerRefs.set(value, {
        reason:
          actor.role === 'rep'
            ? 'a rep can only import records they own'
            : 'a manager can only assign records to members of their team',
      });
    else ownerRefs.set(value, { ownerId: user.id, ...(user.teamId ? { teamId: user.teamId } : {}) });
  }
  return { companies: companyRefs, owners: ownerRefs };
}

const columnOf = (context: ImportContext, field: string) =>
  context.columns.find((column) => column.field === field)?.column ?? field;

const rowError = (
  context: ImportContext,
  row: ReadRow,
  field: string,
  value: string,
  reason: string,
): RowError => ({
  row: row.row,
  column: columnOf(context, field),
  value,
  reason,
});

const failed = (row: ChunkRow, errors: readonly RowError[]): RowPlan => ({
  ordinal: row.ordinal,
  row: row.read.row,
  outcome: 'failed',
  errors,
  items: [],
});

/** The ids the row's references resolve to, or the errors of those that do not. */
function resolvedOf(
  context: ImportContext,
  row: ChunkRow,
  references: ChunkReferences,
): { resolved: Record<string, unknown>; owner?: { ownerId: string; teamId?: string }; errors: RowError[] } {
  const errors: RowError[] = [];
  const resolved: Record<string, unknown> = {};
  let owner: { ownerId: string; teamId?: string } | undefined;
  const company = row.read.references.company?.trim();
  if (company && (context.entity === 'contacts' || context.entity === 'deals')) {
    const ref = references.companies.get(company);
    if (ref && 'id' in ref) resolved.companyId = ref.id;
    else errors.push(rowError(context, row.read, 'company', company, ref?.reason ?? 'does not resolve'));
  }
  const ownerValue = row.read.references.owner?.trim();
  if (ownerValue) {
    const ref = references.owners.get(ownerValue);
    if (ref && 'ownerId' in ref) {
      owner = ref;
      resolved.ownerId = ref.ownerId;
    } else errors.push(rowError(context, row.read, 'owner', ownerValue, ref?.reason ?? 'does not resolve'));
  }
  return { resolved, ...(owner ? { owner } : {}), errors };
}

/** Fields of a record a row's values are compared on: an upsert that changes none of them is skipped. */
const SYSTEM_FIELDS = new Set([
  'id',
  'createdAt',
  'updatedAt',
  'createdBy',
  'updatedBy',
  'version',
  'archived',
]);
const sameData = (a: object, b: object) => {
  const strip = (value: object) =>
    JSON.stringify(
      Object.entries(value)
        .filter(([key]) => !SYSTEM_FIELDS.has(key))
        .sort(([x], [y]) => (x < y ? -1 : 1)),
    );
  return strip(a) === strip(b);
};

interface EntityRules<T extends StoredRecord> {
  readonly spec: EntitySpec<T>;
  /** The unique constraint a match key is held by. */
  readonly uniqueName?: string;
  /** Or the lookup that finds the records holding it (several may: then the row cannot be matched). */
  readonly lookupName?: string;
  readonly matchField: string;
  readonly label: string;
  /** The new record of a validated create input. */
  build(
    context: ImportContext,
    input: Record<string, unknown>,
    owner: { ownerId: string; teamId?: string },
    suppressed?: SuppressionReason,
  ): T | RowError[];
  /** Conditions written with a new record (a contact's consent, its company's existence). */
  createChecks(context: ImportContext, record: T, explicitStatus: boolean): TransactItem[];
  /** Conditions written with an update. */
  updateChecks(context: ImportContext, before: T, after: T): TransactItem[];
  /** Why an update of `current` with `input` is refused (a bounced address re-subscribed, a converted lead). */
  refuseUpdate?(current: T, input: Record<string, unknown>): string | undefined;
  /** The owner of a new record without an owner column (default: the importer). */
  defaultOwner?(
    context: ImportContext,
    input: Record<string, unknown>,
  ): Promise<{ ownerId: string; teamId?: string } | undefined>;
}

const importerOwner = (context: ImportContext) => ({
  ownerId: context.actor.userId,
  ...(context.actor.teamId ? { teamId: context.actor.teamId } : {}),
});

function newBase(owner: { ownerId: string; teamId?: string }): StoredRecord {
  const now = new Date().toISOString();
  const actor = currentActor();
  return {
    id: ulid(),
    createdAt: now,
    updatedAt: now,
    createdBy: actor,
    updatedBy: actor,
    version: 1,
    archived: false,
    ...owner,
  };
}

const companyCheck = (
  context: ImportContext,
  before: { companyId?: string } | undefined,
  after: { companyId?: string },
) =>
  after.companyId && after.companyId !== before?.companyId
    ? [recordExists(context.tenantId, 'COMPANY', after.companyId)]
    : [];

const contactRules: EntityRules<Contact> = {
  spec: contacts,
  uniqueName: 'CONTACT_EMAIL',
  matchField: 'email',
  label: 'contact',
  build(_context, input, owner, suppressed) {
    const {
      ownerId: _owner,
      tags,
      customFields,
      marketingStatus,
      ...fields
    } = input as Partial<Contact> & Record<string, unknown>;
    if (marketingStatus === 'subscribed' && suppressed && suppressed !== 'unsubscribed')
      return [
        {
          row: 0,
          column: 'marketingStatus',
          value: 'subscribed',
          reason: 'cannot be subscribed: the address bounced, complained or was erased',
        },
      ];
    return {
      ...newBase(owner),
      ...(fields as object),
      tags: (tags as string[] | undefined) ?? [],
      customFields: (customFields as Record<string, unknown> | undefined) ?? {},
      marketingStatus:
        (marketingStatus as Contact['marketingStatus'] | undefined) ??
        (suppressed ? statusOfSuppressed(suppressed) : 'subscribed'),
    } as Contact;
  },
  createChecks(context, record, explicitStatus) {
    return [
      ...companyCheck(context, undefined, record),
      ...newContactConsent(context.tenantId, record, explicitStatus).map((check) => check.item),
    ];
  },
  updateChecks(context, before, after) {
    return [
      ...companyCheck(context, before, after),
      ...(after.marketingStatus === 'subscribed' && before.marketingStatus !== 'subscribed' && after.email
        ? [liftUnsubscribe(context.tenantId, after.email)]
        : []),
    ];
  },
  refuseUpdate(current, input) {
    const suppressed = current.marketingStatus === 'bounced' || current.marketingStatus === 'complained';
    if (input.marketingStatus && suppressed && input.marketingStatus !== current.marketingStatus)
      return `this address is ${current.marketingStatus}; only new email events can change that`;
    return undefined;
  },
};

const companyRules: EntityRules<Company> = {
  spec: companies,
  uniqueName: 'COMPANY_DOMAIN',
  matchField: 'domain',
  label: 'company',
  build(_context, input, owner) {
    const {
      ownerId: _owner,
      tags,
      customFields,
      ...fields
    } = input as Partial<Company> & Record<string, unknown>;
    return {
      ...newBase(owner),
      ...(fields as object),
      tags: (tags as string[] | undefined) ?? [],
      customFields: (customFields as Record<string, unknown> | undefined) ?? {},
    } as Company;
  },
  createChecks: () => [],
  updateChecks: () => [],
};

const leadRules: EntityRules<Lead> = {
  spec: leads,
  // Leads may share an email (POST /leads allows it): only an upsert matches them, by their lookup.
  lookupName: 'LEAD_EMAIL',
  matchField: 'email',
  label: 'lead',
  build(_context, input, owner) {
    const { ownerId: _owner, ...fields } = input;
    return { ...newBase(owner), ...(fields as object), status: 'new' } as Lead;
  },
  createChecks: () => [],
  updateChecks: () => [],
  refuseUpdate: (current) =>
    current.status === 'converted' ? 'a converted lead cannot be changed' : undefined,
  // As POST /leads: without an owner, the tenant's assignment rule may hand the lead to anyone it names.
  defaultOwner: async (context, input) =>
    ruleAssignee(context.tenantId, typeof input.country === 'string' ? input.country : undefined),
};

const rulesOf = (entity: ImportEntityName): EntityRules<StoredRecord> | undefined =>
  (entity === 'contacts'
    ? contactRules
    : entity === 'companies'
      ? companyRules
      : entity === 'leads'
        ? leadRules
        : undefined) as EntityRules<StoredRecord> | undefined;

/** Whether the importer can match rows of this entity on their key (upsert). */
export const canMatch = (entity: ImportEntityName): boolean => {
  const rules = rulesOf(entity);
  return rules?.uniqueName !== undefined || rules?.lookupName !== undefined;
};

/** Whether rows of this entity can be imported at all. */
export const canImport = (entity: ImportEntityName): boolean => rulesOf(entity) !== undefined;

/**
 * Plans a wave of rows (no two share a match key): reads the records their
 * keys match and, for new contacts, the suppression list, in batches; then
 * decides each row's outcome and builds its writes. `dryCreated`: keys a dry
 * run has counted as created (a later duplicate counts as an update);
 * `createdEarlier`: keys earlier waves created, with the record's id.
 */
export async function planRows(
  context: ImportContext,
  rows: readonly ChunkRow[],
  references: ChunkReferences,
  dryCreated: ReadonlyMap<string, number> = new Map(),
  createdEarlier: ReadonlyMap<string, string> = new Map(),
): Promise<RowPlan[]> {
  const rules = rulesOf(context.entity);
  if (!rules)
    return rows.map((row) =>
      failed(row, [rowError(context, row.read, '', '', `${context.entity} cannot be imported yet`)]),
    );
  const keyOf = (row: ChunkRow) =>
    row.read.matchKey ? matchValue(context.entity, row.read.matchKey) : undefined;
  const keys = rows.flatMap((row) => (keyOf(row) ? [keyOf(row) as string] : []));
  const held = rules.uniqueName
    ? await holders(context.tenantId, rules.uniqueName, keys)
    : new Map<string, string>();
  const shared =
    rules.lookupName && context.mode === 'upsert'
      ? await lookupHolders(context.tenantId, rules.lookupName, keys)
      : new Map<string, string[]>();
  for (const [key, ids] of shared) if (ids.length === 1) held.set(key, ids[0] as string);
  // Created by an earlier wave of this chunk: an index may not show it yet.
  for (const key of keys) {
    const id = createdEarlier.get(key);
    if (id && !held.has(key) && !shared.has(key)) held.set(key, id);
  }
  const matched = await getRecords(rules.spec, context.tenantId, [...held.values()]);
  const suppressed =
    context.entity === 'contacts'
      ? await suppressionReasons(
          context.tenantId,
          keys.filter((key) => !held.has(key)),
        )
      : new Map<string, SuppressionReason>();

  const plans: RowPlan[] = [];
  for (const row of rows) {
    if (row.read.errors.length > 0) {
      plans.push(failed(row, row.read.errors));
      continue;
    }
    const { resolved, owner, errors } = resolvedOf(context, row, references);
    if (errors.length > 0) {
      plans.push(failed(row, errors));
      continue;
    }
    const key = keyOf(row);
    const several = key ? (shared.get(key)?.length ?? 0) : 0;
    if (several > 1) {
      const reason = `${several} ${rules.label}s have this ${rules.matchField}; change them in the app`;
      plans.push(
        failed(row, [rowError(context, row.read, rules.matchField, row.read.matchKey ?? '', reason)]),
      );
      continue;
    }
    const id = key ? held.get(key) : undefined;
    const current = id ? matched.get(id) : undefined;
    const keyValue = row.read.matchKey ?? '';
    if (current || (key && dryCreated.has(key))) {
      if (context.mode === 'create') {
        plans.push(
          failed(row, [
            rowError(
              context,
              row.read,
              rules.matchField,
              keyValue,
              `a ${rules.label} with this ${rules.matchField} already exists`,
            ),
          ]),
        );
        continue;
      }
      if (!current) {
        // A dry run's earlier row of the same key: counted as the update it would be.
        plans.push({ ordinal: row.ordinal, row: row.read.row, outcome: 'updated', errors: [], items: [] });
        continue;
      }
      plans.push(planUpdate(context, rules, row, current, resolved, owner));
      continue;
    }
    const validated = validateRow(
      context.entity,
      context.columns,
      row.read,
      resolved,
      'create',
      context.customFields,
    );
    if (!validated.ok) {
      plans.push(failed(row, validated.errors));
      continue;
    }
    let recordOwner = owner;
    if (!recordOwner && rules.defaultOwner) {
      recordOwner = await rules.defaultOwner(context, validated.input);
    }
    const built = rules.build(
      context,
      validated.input,
      recordOwner ?? importerOwner(context),
      key ? suppressed.get(key) : undefined,
    );
    if (Array.isArray(built)) {
      plans.push(
        failed(
          row,
          built.map((error) => ({ ...error, row: row.read.row, column: columnOf(context, error.column) })),
        ),
      );
      continue;
    }
    const explicitStatus =
      validated.input.marketingStatus !== undefined || (key !== undefined && suppressed.has(key));
    const { items, words } = createItems(rules.spec, context.tenantId, built);
    plans.push({
      ordinal: row.ordinal,
      row: row.read.row,
      outcome: 'created',
      errors: [],
      items: context.dryRun
        ? []
        : [...items, ...rules.createChecks(context, built, explicitStatus), ...words],
      ...(key ? { createdKey: key, createdId: built.id } : {}),
    });
  }
  return plans;
}

function planUpdate(
  context: ImportContext,
  rules: EntityRules<StoredRecord>,
  row: ChunkRow,
  current: StoredRecord,
  resolved: Record<string, unknown>,
  owner: { ownerId: string; teamId?: string } | undefined,
): RowPlan {
  const keyValue = row.read.matchKey ?? '';
  const refuse = (reason: string) =>
    failed(row, [rowError(context, row.read, rules.matchField, keyValue, reason)]);
  if (!canWrite(context.actor, current))
    return refuse(
      canRead(context.actor, current)
        ? `you may not change this ${rules.label}: it belongs to another user`
        : `a ${rules.label} with this ${rules.matchField} exists that you may not change`,
    );
  if (current.archived)
    return refuse(`the ${rules.label} with this ${rules.matchField} is archived; restore it first`);
  const validated = validateRow(
    context.entity,
    context.columns,
    row.read,
    resolved,
    'update',
    context.customFields,
  );
  if (!validated.ok) return failed(row, validated.errors);
  const { ownerId: _owner, ...patch } = validated.input;
  const refused = rules.refuseUpdate?.(current, patch);
  if (refused) return refuse(refused);
  let next = applyMergePatch(current, patch) as StoredRecord;
  if (owner && owner.ownerId !== current.ownerId) {
    const { teamId: _team, ...rest } = next;
    next = { ...rest, ...owner };
  }
  if (sameData(current, next))
    return { ordinal: row.ordinal, row: row.read.row, outcome: 'skipped', errors: [], items: [] };
  const after = {
    ...next,
    id: current.id,
    createdAt: current.createdAt,
    version: current.version + 1,
    updatedAt: new Date().toISOString(),
    updatedBy: context.actor.userId,
  };
  const { items } = replaceItems(
    rules.spec,
    context.tenantId,
    current,
    after,
    rules.updateChecks(context, current, after),
  );
  return {
    ordinal: row.ordinal,
    row: row.read.row,
    outcome: 'updated',
    errors: [],
    items: context.dryRun ? [] : items,
  };
}
