import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { config } from '../config.ts';
import { type Actor, canAssignTo, canRead, canWrite } from '../domain/access.ts';
import { type MarketingStatus, marketingStatusRefusal } from '../domain/contacts.ts';
import { type CustomFieldDefinition, withCustomGroups } from '../domain/custom-fields.ts';
import { newDeal, revisedDeal, withAttributedCampaign } from '../domain/deal-changes.ts';
import { canonicalEmail } from '../domain/email.ts';
import { applyMergePatch } from '../domain/merge-patch.ts';
import { entryStage, type Stage } from '../domain/pipeline.ts';
import type { Company, Contact, Deal, Lead, Pipeline, StoredRecord } from '../domain/records.ts';
import { emailHash, type SuppressionReason, statusOfSuppressed } from '../domain/suppression.ts';
import { searchKey } from '../domain/text.ts';
import { dynamo } from './client.ts';
import { newContactConsent } from './contact-consent.ts';
import { dealWrites } from './deals.ts';
import { companies, contacts, deals, leads, pipelines, users } from './entities.ts';
import type { ImportEntityName, ImportMode } from './imports.ts';
import type { ColumnMapping, CsvDelimiter, ReadRow, RowError } from './imports-reader.ts';
import { validateRow } from './imports-reader.ts';
import { indexPartition, itemIndexes, lookupPk, suppressionKey, uniqueKey } from './keys.ts';
import { ruleAssignee } from './lead-assignment.ts';
import { defaultPipeline } from './pipelines.ts';
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
  /** What a written row left out (an owner who is not a user here, a company or contact not found), for the error CSV. */
  readonly notes?: readonly RowError[];
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
  /** The file's delimiter (a `;` file writes the decimal comma). */
  readonly delimiter?: CsvDelimiter;
}

/** One data row of the chunk: its position among the file's records and what the reader made of it. */
export interface ChunkRow {
  readonly ordinal: number;
  readonly read: ReadRow;
}

/** A contact a deal row names by email: its id and its last campaign click (the deal's attribution). */
type ContactRef = Pick<Contact, 'id' | 'lastClickedCampaignId' | 'lastClickedAt'>;

/**
 * A reference that does not resolve: why, and whether the thing it names is
 * simply not there (`missing`: the row is written without it, with a note)
 * rather than refused (ambiguous, archived, not the importer's to give: the
 * row fails).
 */
export interface Unresolved {
  readonly reason: string;
  readonly missing?: boolean;
}

/** References resolved for a chunk: each human value to an id, or why it does not resolve. */
export interface ChunkReferences {
  /** By domain or name; with the company's country, a new deal's default. */
  readonly companies: ReadonlyMap<string, { id: string; country?: string } | Unresolved>;
  readonly owners: ReadonlyMap<string, { ownerId: string; teamId?: string } | Unresolved>;
  /** Deals: pipelines by name or id. */
  readonly pipelines: ReadonlyMap<string, { id: string } | Unresolved>;
  /** Deals: contacts by email (canonical, lower case). */
  readonly contacts: ReadonlyMap<string, ContactRef | Unresolved>;
  /** Deals: the pipelines read so far by id (named ones, the default, those of matched deals). */
  readonly pipelineRecords: Map<string, Pipeline>;
  /** Deals: the tenant's default pipeline (POST /deals without a pipelineId). */
  readonly defaultPipelineId?: string;
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
 * importer may not read, and an owner who is not an active user of the
 * tenant, are `missing` (the row is written without them, with a note); an
 * owner the importer may not assign records to (a rep: anyone but
 * themselves) is refused.
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

  const companyRefs = new Map<string, { id: string; country?: string } | Unresolved>();
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
    const [only] = visible;
    if (visible.length === 1 && only)
      companyRefs.set(value, { id: only.id, ...(only.country ? { country: only.country } : {}) });
    else if (visible.length > 1)
      companyRefs.set(value, {
        reason: `${visible.length} companies have this name; give the company's domain instead`,
      });
    else
      companyRefs.set(value, { reason: 'no company of this tenant has this domain or name', missing: true });
  }

  const ownerRefs = new Map<string, { ownerId: string; teamId?: string } | Unresolved>();
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
    if (!user?.active)
      ownerRefs.set(value, { reason: 'is not an active user of this tenant', missing: true });
    else if (!canAssignTo(actor, { userId: user.id, ...(user.teamId ? { teamId: user.teamId } : {}) }))
      ownerRefs.set(value, {
        reason:
          actor.role === 'rep'
            ? 'a rep can only import records they own'
            : 'a manager can only assign records to members of their team',
      });
    else ownerRefs.set(value, { ownerId: user.id, ...(user.teamId ? { teamId: user.teamId } : {}) });
  }
  const deals =
    context.entity === 'deals'
      ? await resolveDealReferences(context, rows)
      : { pipelines: new Map(), contacts: new Map(), pipelineRecords: new Map() };
  return { companies: companyRefs, owners: ownerRefs, ...deals };
}

const ID = /^[0-9A-HJKMNP-TV-Z]{26}$/i;

/**
 * A deal chunk's pipelines (by id, one BatchGetItem, or by exact name
 * without case, one byName Query per distinct name; archived ones refused,
 * as POST /deals refuses them), the tenant's default pipeline (created on
 * first use, as POST /deals does) and contacts by email (CONTACT_EMAIL
 * holders, then their records in one BatchGetItem, for campaign attribution).
 */
async function resolveDealReferences(
  context: ImportContext,
  rows: readonly ChunkRow[],
): Promise<Pick<ChunkReferences, 'pipelines' | 'contacts' | 'pipelineRecords' | 'defaultPipelineId'>> {
  const { tenantId } = context;
  const records = new Map<string, Pipeline>();
  const fallback = await defaultPipeline(tenantId, context.actor.userId);
  records.set(fallback.id, fallback);
  const values = [
    ...new Set(
      rows.flatMap((row) => (row.read.references.pipeline ? [row.read.references.pipeline.trim()] : [])),
    ),
  ];
  const byId = await getRecords(
    pipelines,
    tenantId,
    values.filter((value) => ID.test(value)).map((value) => value.toUpperCase()),
  );
  for (const pipeline of byId.values()) records.set(pipeline.id, pipeline);
  const refs = new Map<string, { id: string } | Unresolved>();
  await Promise.all(
    values.map(async (value) => {
      const found = byId.get(value.toUpperCase());
      const candidates = found
        ? [found]
        : (
            await listRecords(pipelines, tenantId, {
              archived: false,
              limit: 50,
              startKey: undefined,
              via: { pattern: 'byName', prefix: value },
            })
          ).items.filter((pipeline) => searchKey(pipeline.name) === searchKey(value));
      // Pipelines are not archived through the API; one that is takes no deals, as POST /deals has it.
      const live = candidates.filter((pipeline) => !pipeline.archived);
      const [only] = live;
      if (live.length === 1 && only) {
        records.set(only.id, only);
        refs.set(value, { id: only.id });
      } else
        refs.set(value, {
          reason:
            live.length > 1
              ? `${live.length} pipelines have this name; give the pipeline's id instead`
              : 'no pipeline of this tenant has this name or id',
        });
    }),
  );

  const emails = [
    ...new Set(
      rows.flatMap((row) =>
        (row.read.references.contacts ?? []).map((email) => matchValue('contacts', email)),
      ),
    ),
  ];
  const held = await holders(tenantId, 'CONTACT_EMAIL', emails);
  const found = await getRecords(contacts, tenantId, [...held.values()]);
  const contactRefs = new Map<string, ContactRef | Unresolved>();
  for (const email of emails) {
    const contact = found.get(held.get(email) ?? '');
    contactRefs.set(
      email,
      contact && !contact.archived
        ? {
            id: contact.id,
            ...(contact.lastClickedCampaignId
              ? { lastClickedCampaignId: contact.lastClickedCampaignId }
              : {}),
            ...(contact.lastClickedAt ? { lastClickedAt: contact.lastClickedAt } : {}),
          }
        : contact
          ? { reason: 'the contact with this email is archived' }
          : { reason: 'no contact of this tenant has this email', missing: true },
    );
  }
  return { pipelines: refs, contacts: contactRefs, pipelineRecords: records, defaultPipelineId: fallback.id };
}

/** A stage of `pipeline` by id or by name (names are unique in a pipeline without case). */
const stageOf = (pipeline: Pipeline, value: string): Stage | undefined =>
  pipeline.stages.find((stage) => stage.id === value.toUpperCase()) ??
  pipeline.stages.find((stage) => stage.name.toLowerCase() === value.toLowerCase());

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

/** A written row's plan with the notes of what it left out (a failed row's errors say enough). */
const noted = (plan: RowPlan, notes: readonly RowError[]): RowPlan =>
  plan.outcome === 'failed' || notes.length === 0 ? plan : { ...plan, notes };

const failed = (row: ChunkRow, errors: readonly RowError[]): RowPlan => ({
  ordinal: row.ordinal,
  row: row.read.row,
  outcome: 'failed',
  errors,
  items: [],
});

/**
 * What a row's note says of a reference it names that is not there: the
 * record is written without it. Owners: as if the row named none (a new
 * record is the importer's, or a lead the tenant's assignment rule's; an
 * updated one keeps its owner).
 */
function noteOf(
  context: ImportContext,
  field: 'owner' | 'company' | 'contacts',
  value: string,
  updating: boolean,
) {
  const label = context.entity === 'contacts' ? 'contact' : context.entity.replace(/s$/, '');
  if (field === 'owner')
    return `owner "${value}" is not an active user here; ${
      updating
        ? 'the record keeps its owner'
        : context.entity === 'leads'
          ? 'the lead is assigned as if the row named no owner'
          : 'the record is yours'
    }`;
  if (field === 'company')
    return `company "${value}" not found; the ${label} is imported without it (import companies first to link them)`;
  return `contact "${value}" not found; the deal is imported without it (import contacts first to link them)`;
}

/**
 * The ids the row's references resolve to; the errors of those refused (the
 * row fails) and the notes of those not found (the row is written without
 * them). A deal's stage is looked up in the pipeline the row names, else in
 * the pipeline of the deal it updates (`current`), else in the default
 * pipeline; a new deal gets the pipeline's id even when the row names none.
 */
function resolvedOf(
  context: ImportContext,
  row: ChunkRow,
  references: ChunkReferences,
  current?: StoredRecord,
): {
  resolved: Record<string, unknown>;
  owner?: { ownerId: string; teamId?: string };
  errors: RowError[];
  notes: RowError[];
} {
  const errors: RowError[] = [];
  const notes: RowError[] = [];
  const resolved: Record<string, unknown> = {};
  const unresolved = (field: 'owner' | 'company', value: string, ref: Unresolved | undefined) => {
    if (ref?.missing)
      notes.push(
        rowError(context, row.read, field, value, noteOf(context, field, value, current !== undefined)),
      );
    else errors.push(rowError(context, row.read, field, value, ref?.reason ?? 'does not resolve'));
  };
  let owner: { ownerId: string; teamId?: string } | undefined;
  const company = row.read.references.company?.trim();
  if (company && (context.entity === 'contacts' || context.entity === 'deals')) {
    const ref = references.companies.get(company);
    if (ref && 'id' in ref) resolved.companyId = ref.id;
    else unresolved('company', company, ref);
  }
  const ownerValue = row.read.references.owner?.trim();
  if (ownerValue) {
    const ref = references.owners.get(ownerValue);
    if (ref && 'ownerId' in ref) {
      owner = ref;
      resolved.ownerId = ref.ownerId;
    } else unresolved('owner', ownerValue, ref);
  }
  if (context.entity === 'deals')
    errors.push(...resolveDealRow(context, row, references, current, resolved, notes));
  return { resolved, ...(owner ? { owner } : {}), errors, notes };
}

/**
 * resolvedOf's part for deals: pipeline, stage and contacts into `resolved`;
 * the errors of those that fail; a note for each contact not found (the deal
 * links the others; none found: an update keeps its contacts).
 */
function resolveDealRow(
  context: ImportContext,
  row: ChunkRow,
  references: ChunkReferences,
  current: StoredRecord | undefined,
  resolved: Record<string, unknown>,
  notes: RowError[],
): RowError[] {
  const errors: RowError[] = [];
  const { pipeline: named, stage: stageValue, contacts: emails } = row.read.references;
  let pipeline: Pipeline | undefined;
  if (named?.trim()) {
    const ref = references.pipelines.get(named.trim());
    if (ref && 'id' in ref) {
      pipeline = references.pipelineRecords.get(ref.id);
      resolved.pipelineId = ref.id;
    } else errors.push(rowError(context, row.read, 'pipeline', named, ref?.reason ?? 'does not resolve'));
  } else {
    const id = current ? (current as Deal).pipelineId : references.defaultPipelineId;
    pipeline = id ? references.pipelineRecords.get(id) : undefined;
    if (!current && pipeline) resolved.pipelineId = pipeline.id;
  }
  if (stageValue?.trim() && pipeline) {
    const stage = stageOf(pipeline, stageValue.trim());
    if (stage) resolved.stageId = stage.id;
    else
      errors.push(
        rowError(context, row.read, 'stage', stageValue, `is not a stage of the pipeline "${pipeline.name}"`),
      );
  }
  if (emails && emails.length > 0) {
    const ids: string[] = [];
    for (const email of emails) {
      const ref = references.contacts.get(matchValue('contacts', email));
      if (ref && 'id' in ref) ids.push(ref.id);
      else if (ref?.missing)
        notes.push(
          rowError(
            context,
            row.read,
            'contacts',
            email,
            noteOf(context, 'contacts', email, current !== undefined),
          ),
        );
      else errors.push(rowError(context, row.read, 'contacts', email, ref?.reason ?? 'does not resolve'));
    }
    if (ids.length > 0 || !current) resolved.contactIds = [...new Set(ids)];
  }
  return errors;
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
    extras: { suppressed?: SuppressionReason; references: ChunkReferences },
  ): T | RowError[];
  /** The writes of a new record, its checks aside (default: createItems' record, reservations and search words). */
  writeNew?(context: ImportContext, record: T, references: ChunkReferences): TransactItem[];
  /** The record after the row's merge patch, as the API's change would write it (a deal's stage move), or why not. */
  revise?(
    context: ImportContext,
    current: T,
    next: T,
    patch: Record<string, unknown>,
    references: ChunkReferences,
  ): T | RowError[];
  /** The writes of a change, its checks aside (default: replaceItems'). */
  writeChange?(context: ImportContext, before: T, after: T, references: ChunkReferences): TransactItem[];
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

/** A new record's base, stamped with the importing user as its writer (as the API stamps its caller, and as updates here are). */
function newBase(context: ImportContext, owner: { ownerId: string; teamId?: string }): StoredRecord {
  const now = new Date().toISOString();
  const actor = context.actor.userId;
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
  build(context, input, owner, { suppressed }) {
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
      ...newBase(context, owner),
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
  refuseUpdate: (current, input) =>
    marketingStatusRefusal(current.marketingStatus, input.marketingStatus as MarketingStatus | undefined),
};

const companyRules: EntityRules<Company> = {
  spec: companies,
  uniqueName: 'COMPANY_DOMAIN',
  matchField: 'domain',
  label: 'company',
  build(context, input, owner) {
    const {
      ownerId: _owner,
      tags,
      customFields,
      ...fields
    } = input as Partial<Company> & Record<string, unknown>;
    return {
      ...newBase(context, owner),
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
  build(context, input, owner) {
    const { ownerId: _owner, customFields, ...fields } = input;
    const lead = {
      ...newBase(context, owner),
      ...(fields as object),
      customFields: (customFields as Record<string, unknown> | undefined) ?? {},
      status: 'new',
    } as Lead;
    return withCustomGroups('leads', context.customFields, lead);
  },
  createChecks: () => [],
  updateChecks: () => [],
  refuseUpdate: (current) =>
    current.status === 'converted' ? 'a converted lead cannot be changed' : undefined,
  // As POST /leads: without an owner, the tenant's assignment rule may hand the lead to anyone it names.
  defaultOwner: async (context, input) =>
    ruleAssignee(context.tenantId, typeof input.country === 'string' ? input.country : undefined),
};

/** An API field of a deal as the import's column it comes from (`stageId` is the `stage` column). */
const dealColumn = (path: string) =>
  path === 'stageId'
    ? 'stage'
    : path === 'pipelineId'
      ? 'pipeline'
      : path === 'contactIds'
        ? 'contacts'
        : path;

/** Existence checks of the company and contacts a deal newly names, as POST and PATCH /deals write them. */
function dealChecks(context: ImportContext, before: Deal | undefined, after: Deal): TransactItem[] {
  const added = after.contactIds.filter((id) => !before?.contactIds.includes(id));
  return [
    ...companyCheck(context, before, after),
    ...added.map((id) => recordExists(context.tenantId, 'CONTACT', id)),
  ];
}

/** The resolved company (with its country) or contact (with its last click) a row's id came from. */
function resolvedRecord<T extends { id: string }>(
  refs: ReadonlyMap<string, T | Unresolved>,
  id: unknown,
): T | undefined {
  if (typeof id !== 'string') return undefined;
  for (const ref of refs.values()) if ('id' in ref && ref.id === id) return ref;
  return undefined;
}

const pipelineOf = (references: ChunkReferences, id: string): Pipeline => {
  const pipeline = references.pipelineRecords.get(id);
  if (!pipeline) throw new Error(`The pipeline ${id} of a deal was not read with its chunk`);
  return pipeline;
};

/**
 * Deals, created and changed through the same rules as POST and PATCH
 * /deals (shared/domain/deal-changes.ts newDeal, revisedDeal, withAttributedCampaign;
 * shared/store/deals.ts dealWrites for the record, its externalId, history
 * entry and search words) and matched by externalId (DEAL_EXTERNAL_ID).
 */
const dealRules: EntityRules<Deal> = {
  spec: deals,
  uniqueName: 'DEAL_EXTERNAL_ID',
  matchField: 'externalId',
  label: 'deal',
  build(context, input, owner, { references }) {
    const pipeline = pipelineOf(references, input.pipelineId as string);
    const stageId = (input.stageId as string | undefined) ?? entryStage(pipeline)?.id;
    const error = (column: string, reason: string): RowError[] => [{ row: 0, column, value: '', reason }];
    if (!stageId) return error('pipeline', 'the pipeline has no open stage');
    const company = resolvedRecord(references.companies, input.companyId);
    const placed = newDeal(
      newBase(context, owner),
      {
        ...(input as { name: string }),
        customFields: (input.customFields as Record<string, unknown> | undefined) ?? {},
      },
      pipeline,
      stageId,
      company,
    );
    if (!placed.ok) return error(dealColumn(placed.path), placed.message);
    const attributed = withAttributedCampaign(
      placed.deal,
      resolvedRecord(references.contacts, placed.deal.contactIds[0]),
    );
    return withCustomGroups('deals', context.customFields, attributed);
  },
  writeNew(context, record, references) {
    const pipeline = pipelineOf(references, record.pipelineId);
    return dealWrites(context.tenantId, undefined, { deal: record, pipeline }, context.actor.userId).items;
  },
  createChecks: (context, record) => dealChecks(context, undefined, record),
  updateChecks: (context, before, after) => dealChecks(context, before, after),
  revise(context, current, next, patch, references) {
    const to = pipelineOf(references, next.pipelineId);
    const company = resolvedRecord(references.companies, patch.companyId);
    const revised = revisedDeal(current, next, patch, to, new Date().toISOString(), company);
    if (!revised.ok)
      return [{ row: 0, column: dealColumn(revised.path), value: '', reason: revised.message }];
    return patch.customFields === undefined
      ? revised.deal
      : withCustomGroups('deals', context.customFields, revised.deal);
  },
  writeChange(context, before, after, references) {
    return dealWrites(
      context.tenantId,
      { deal: before, pipeline: pipelineOf(references, before.pipelineId) },
      { deal: after, pipeline: pipelineOf(references, after.pipelineId) },
      context.actor.userId,
    ).items;
  },
};

const rulesOf = (entity: ImportEntityName): EntityRules<StoredRecord> | undefined =>
  (entity === 'contacts'
    ? contactRules
    : entity === 'companies'
      ? companyRules
      : entity === 'leads'
        ? leadRules
        : entity === 'deals'
          ? dealRules
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
  if (context.entity === 'deals') {
    // The pipelines matched deals are in, for their stage moves and history entries.
    const missing = [...matched.values()]
      .map((record) => (record as Deal).pipelineId)
      .filter((id) => !references.pipelineRecords.has(id));
    for (const pipeline of (await getRecords(pipelines, context.tenantId, [...new Set(missing)])).values())
      references.pipelineRecords.set(pipeline.id, pipeline);
  }
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
    const { resolved, owner, errors, notes } = resolvedOf(
      context,
      row,
      references,
      context.mode === 'upsert' ? current : undefined,
    );
    if (errors.length > 0) {
      plans.push(failed(row, errors));
      continue;
    }
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
        plans.push(
          noted(
            { ordinal: row.ordinal, row: row.read.row, outcome: 'updated', errors: [], items: [] },
            notes,
          ),
        );
        continue;
      }
      plans.push(noted(planUpdate(context, rules, row, current, resolved, owner, references), notes));
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
    const built = rules.build(context, validated.input, recordOwner ?? importerOwner(context), {
      ...(key && suppressed.has(key) ? { suppressed: suppressed.get(key) } : {}),
      references,
    });
    if (Array.isArray(built)) {
      plans.push(failed(row, located(context, row, built)));
      continue;
    }
    const explicitStatus =
      validated.input.marketingStatus !== undefined || (key !== undefined && suppressed.has(key));
    const writes = () => {
      const checks = rules.createChecks(context, built, explicitStatus);
      if (rules.writeNew) return [...rules.writeNew(context, built, references), ...checks];
      const { items, words } = createItems(rules.spec, context.tenantId, built);
      return [...items, ...checks, ...words];
    };
    plans.push({
      ordinal: row.ordinal,
      row: row.read.row,
      outcome: 'created',
      errors: [],
      items: context.dryRun ? [] : writes(),
      ...(notes.length > 0 ? { notes } : {}),
      ...(key ? { createdKey: key, createdId: built.id } : {}),
    });
  }
  return plans;
}

/** Errors of a row's rules (named by field, without the row) at the row's columns and cells. */
const located = (context: ImportContext, row: ChunkRow, errors: readonly RowError[]): RowError[] =>
  errors.map((error) => {
    const column = columnOf(context, error.column);
    return { ...error, row: row.read.row, column, value: error.value || (row.read.cells[column] ?? '') };
  });

function planUpdate(
  context: ImportContext,
  rules: EntityRules<StoredRecord>,
  row: ChunkRow,
  current: StoredRecord,
  resolved: Record<string, unknown>,
  owner: { ownerId: string; teamId?: string } | undefined,
  references: ChunkReferences,
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
  if (rules.revise) {
    const revised = rules.revise(context, current, next, patch, references);
    if (Array.isArray(revised)) return failed(row, located(context, row, revised));
    next = revised;
  } else if (patch.customFields !== undefined)
    next = withCustomGroups(
      context.entity,
      context.customFields,
      next as StoredRecord & { customFields?: Record<string, unknown> },
    );
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
  const checks = rules.updateChecks(context, current, after);
  const items = rules.writeChange
    ? [...rules.writeChange(context, current, after, references), ...checks]
    : replaceItems(rules.spec, context.tenantId, current, after, checks).items;
  return {
    ordinal: row.ordinal,
    row: row.read.row,
    outcome: 'updated',
    errors: [],
    items: context.dryRun ? [] : items,
  };
}
