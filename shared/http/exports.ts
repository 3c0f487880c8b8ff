import { type Actor, canRead } from '../domain/access.ts';
import {
  ExportDocument,
  type ExportEntity,
  type ExportFormat,
  type ExportRecord,
  type ExportReferences,
} from '../domain/exports/index.ts';
import {
  type Company,
  type Contact,
  companies,
  contacts,
  deals,
  leads,
  pipelines,
  users,
} from '../store/entities.ts';
import type { ExportSource } from '../store/exports.ts';
import { getRecords } from '../store/records.ts';
import { resolveSegment } from '../store/segment-resolution.ts';
import { segments } from '../store/segments.ts';
import type { Caller } from './auth.ts';
import { exportHeader } from './export-columns.ts';
import {
  type CompanyFilters,
  type ContactFilters,
  companyListQuery,
  contactListQuery,
  type DealFilters,
  dealListQuery,
  type LeadFilters,
  leadListQuery,
  listQueryRecords,
} from './list-queries.ts';
import { actorOf, readable } from './records.ts';

/**
 * Exports: a record list (with the list route's filters) or a segment's
 * contacts, read with the reader's rights and written as CSV, JSON or vCard
 * one page at a time. The HTTP function streams a small export into its
 * response; the export worker writes a large one to the exports bucket.
 * Both read through {@link exportPieces}, so they write the same file.
 */

/** Records read per Query (fewer round trips than a list page; a Query still stops at 1 MB). */
export const EXPORT_PAGE_SIZE = 500;

/**
 * The most an export answered in the response may hold. API Gateway and
 * Lambda cap a response at 6 MB (the body JSON-escaped inside Lambda's
 * response object) and 29 s. 1,000 contacts with typical fields take 257 KiB
 * as CSV, 343 KiB as vCard and 661 KiB (744 KiB escaped) as JSON, read in 10
 * Queries and a few BatchGetItems: well inside both, so rows bind first and
 * bytes only for records with large custom fields. `ms` bounds a sparse
 * filter over a large tenant (many Queries for few rows) well before 29 s.
 */
export const STREAM_LIMITS = { rows: 1000, bytes: 5 * 1024 * 1024, ms: 12_000 } as const;

/** Whether the export is a shared list link's file (its own fields: shared/domain/exports/shared-list.ts). */
export const isSharedList = (source: ExportSource): boolean =>
  source.kind === 'segment' && source.sharedList === true;

/**
 * The CSV header of an export: the entity's columns (export-columns.ts
 * exportHeader), none for JSON, vCard and a shared list, which has its own.
 */
export const headerOf = (tenantId: string, source: ExportSource, format: ExportFormat): Promise<string[]> =>
  format === 'csv' && !isSharedList(source)
    ? exportHeader(tenantId, sourceEntity(source))
    : Promise.resolve([]);

/** The exported records' entity: a segment holds contacts. */
export const sourceEntity = (source: ExportSource): ExportEntity =>
  source.kind === 'segment' ? 'contacts' : source.entity;

/**
 * A job's stored filters as the list query takes them. They were validated
 * by the export route's schema (the list's, shared/schemas/exports.ts) when
 * the job was asked for, and are kept as given, so the worker reads them as
 * they are (no zod in the worker's bundle).
 */
const asFilters = <F>(filters: Readonly<Record<string, string>>): F => filters as unknown as F;

/** Pages of the records a source holds that `reader` may read, in the list's order (a segment's: by id). */
async function* recordPages(reader: Caller, source: ExportSource): AsyncGenerator<ExportRecord[]> {
  if (source.kind === 'segment') {
    // 404 unless the reader may read the segment, as its preview.
    const segment = await readable(segments, reader, source.segmentId);
    // One range read in id order, so a rerun of a job writes the same file.
    yield* resolveSegment(reader.tenantId, segment.filter, { reader: actorOf(reader), parallelism: 1 });
    return;
  }
  const { filters } = source;
  switch (source.entity) {
    case 'contacts': {
      const query = await contactListQuery(reader, asFilters<ContactFilters>(filters));
      yield* listQueryRecords(contacts, reader, query, EXPORT_PAGE_SIZE);
      return;
    }
    case 'companies': {
      const query = await companyListQuery(reader, asFilters<CompanyFilters>(filters));
      yield* listQueryRecords(companies, reader, query, EXPORT_PAGE_SIZE);
      return;
    }
    case 'leads': {
      const query = await leadListQuery(reader, asFilters<LeadFilters>(filters));
      yield* listQueryRecords(leads, reader, query, EXPORT_PAGE_SIZE);
      return;
    }
    case 'deals': {
      const query = await dealListQuery(reader, asFilters<DealFilters>(filters));
      yield* listQueryRecords(deals, reader, query, EXPORT_PAGE_SIZE);
      return;
    }
  }
}

/** Caches hold at most this many entries each; past it they start over (memory flat in the export's size). */
const MAX_CACHED = 20_000;

function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(key, value);
}

/**
 * Reads what a page's references name, with the reader's rights: a company or
 * contact they may not read (or an archived one) stays unnamed, as
 * readableReference leaves it out of any response; users and pipelines are
 * tenant configuration everyone reads. One BatchGetItem per kind and 100 new
 * ids; ids seen on earlier pages are not read again.
 */
class ReferenceReader {
  private readonly companies = new Map<string, { name: string; domain?: string } | null>();
  private readonly owners = new Map<string, string | null>();
  private readonly pipelines = new Map<string, { name: string; stages: Map<string, string> } | null>();
  private readonly contacts = new Map<string, string | null>();

  constructor(
    private readonly reader: Caller,
    private readonly needs: { company: boolean; owner: boolean; pipeline: boolean; contacts: boolean },
    /** Rights a referenced record must also pass (the plan's alsoReadableBy), as the records do. */
    private readonly also?: Actor,
  ) {}

  async of(records: readonly ExportRecord[]): Promise<ExportReferences> {
    const fields = records as unknown as readonly Record<string, unknown>[];
    const idsOf = (field: string) => [
      ...new Set(
        fields.flatMap((record) => {
          const value = record[field];
          return (Array.isArray(value) ? value : [value]).filter(
            (id): id is string => typeof id === 'string',
          );
        }),
      ),
    ];
    const wanted = {
      companies: this.needs.company ? idsOf('companyId') : [],
      owners: this.needs.owner ? idsOf('ownerId') : [],
      pipelines: this.needs.pipeline ? idsOf('pipelineId') : [],
      contacts: this.needs.contacts ? idsOf('contactIds') : [],
    };
    const tenantId = this.reader.tenantId;
    const actor = actorOf(this.reader);
    const also = this.also;
    const visible = (record: { archived: boolean; ownerId: string; teamId?: string }) =>
      !record.archived && canRead(actor, record) && (!also || canRead(also, record));
    await Promise.all([
      this.load(wanted.companies, this.companies, async (batch) => {
        const found = await getRecords(companies, tenantId, batch);
        return (id) => {
          const company: Company | undefined = found.get(id);
          return company && visible(company)
            ? { name: company.name, ...(company.domain ? { domain: company.domain } : {}) }
            : null;
        };
      }),
      this.load(wanted.owners, this.owners, async (batch) => {
        const found = await getRecords(users, tenantId, batch);
        // An owner without a user item (an admin made by hand in the user pool) is named by id.
        return (id) => found.get(id)?.email ?? id;
      }),
      this.load(wanted.pipelines, this.pipelines, async (batch) => {
        const found = await getRecords(pipelines, tenantId, batch);
        return (id) => {
          const pipeline = found.get(id);
          return pipeline
            ? { name: pipeline.name, stages: new Map(pipeline.stages.map((stage) => [stage.id, stage.name])) }
            : null;
        };
      }),
      this.load(wanted.contacts, this.contacts, async (batch) => {
        const found = await getRecords(contacts, tenantId, batch);
        return (id) => {
          const contact: Contact | undefined = found.get(id);
          // A contact without an email is named by its id, so the link is not dropped silently.
          return contact && visible(contact) ? (contact.email ?? contact.id) : null;
        };
      }),
    ]);
    return {
      companies: named(wanted.companies, this.companies),
      owners: named(wanted.owners, this.owners),
      pipelines: named(wanted.pipelines, this.pipelines),
      contacts: named(wanted.contacts, this.contacts),
    };
  }

  /** Reads the ids the cache does not know, in one call of `read` per 100. */
  private async load<V>(
    ids: readonly string[],
    cache: Map<string, V | null>,
    read: (batch: string[]) => Promise<(id: string) => V | null>,
  ): Promise<void> {
    const missing = ids.filter((id) => !cache.has(id));
    for (let start = 0; start < missing.length; start += 100) {
      const batch = missing.slice(start, start + 100);
      const nameOf = await read(batch);
      for (const id of batch) remember(cache, id, nameOf(id));
    }
  }
}

/** What the page's ids name, without those known to name nothing readable. */
function named<V>(ids: readonly string[], cache: ReadonlyMap<string, V | null>): Map<string, V> {
  const result = new Map<string, V>();
  for (const id of ids) {
    const value = cache.get(id);
    if (value !== undefined && value !== null) result.set(id, value);
  }
  return result;
}

/** What one export writes. */
export interface ExportPlan {
  /** Whose rights the export reads with (the caller, or a job's requester as they stand now). */
  readonly reader: Caller;
  readonly format: ExportFormat;
  readonly source: ExportSource;
  /** The CSV header: canonical column names then id, createdAt, updatedAt (see exportColumns). */
  readonly columns: readonly string[];
  /**
   * A job's requester as their token was when they asked: a record goes into
   * the file only if they could read it then too, so a job never holds more
   * than the list its requester saw (see shared/http/export-jobs.ts).
   */
  readonly alsoReadableBy?: Actor;
}

/** Rows and bytes (UTF-8) written so far, kept up to date by {@link exportPieces}. */
export interface ExportProgress {
  rows: number;
  bytes: number;
}

/**
 * The export file as text pieces, first to last, one piece per page of
 * records: never more than a page held. Throws the 404 problem when a
 * segment source is not readable by the reader.
 */
export async function* exportPieces(plan: ExportPlan, progress: ExportProgress): AsyncGenerator<string> {
  const entity = sourceEntity(plan.source);
  const sharedList = isSharedList(plan.source);
  const document = new ExportDocument({ format: plan.format, entity, columns: plan.columns, sharedList });
  // A shared list names only companies, in every format.
  const csv = plan.format === 'csv' && !sharedList;
  const references = new ReferenceReader(
    plan.reader,
    {
      company: (csv && plan.columns.includes('company')) || plan.format === 'vcf' || sharedList,
      owner: csv && plan.columns.includes('owner'),
      pipeline: csv && (plan.columns.includes('pipeline') || plan.columns.includes('stage')),
      contacts: csv && plan.columns.includes('contacts'),
    },
    plan.alsoReadableBy,
  );
  const emit = (text: string) => {
    progress.bytes += Buffer.byteLength(text);
    return text;
  };
  const pages = recordPages(plan.reader, plan.source);
  // The first read comes before any output, so an unreadable segment fails before a byte is written.
  let next = await pages.next();
  yield emit(document.start());
  while (!next.done) {
    const also = plan.alsoReadableBy;
    const records = also ? next.value.filter((record) => canRead(also, record)) : next.value;
    const text = document.page(
      records,
      plan.format === 'json' && !sharedList ? noReferences : await references.of(records),
    );
    progress.rows += records.length;
    yield emit(text);
    next = await pages.next();
  }
  yield emit(document.end());
}

const noReferences: ExportReferences = {
  companies: new Map(),
  owners: new Map(),
  pipelines: new Map(),
  contacts: new Map(),
};

/**
 * The whole export as one text if it stays within `limits`: rows, bytes of
 * the text as Lambda's response carries it (JSON-escaped inside the response
 * object, where a quote or line break takes two bytes) and milliseconds of
 * reading; reads no further than one page past them. Undefined when it does
 * not fit (the pages read are dropped and the reading stops).
 */
export async function collectWithin(
  pieces: AsyncIterable<string>,
  progress: Readonly<ExportProgress>,
  limits: { readonly rows: number; readonly bytes: number; readonly ms: number },
  now: () => number = Date.now,
): Promise<string | undefined> {
  const kept: string[] = [];
  const deadline = now() + limits.ms;
  let encoded = 0;
  for await (const piece of pieces) {
    kept.push(piece);
    encoded += Buffer.byteLength(JSON.stringify(piece)) - 2;
    if (progress.rows > limits.rows || encoded > limits.bytes || now() > deadline) return undefined;
  }
  return kept.join('');
}
