import * as z from 'zod/mini';
import { exportFormats } from '../domain/exports/index.ts';
import { companySchemas } from './companies.ts';
import { contactSchemas } from './contacts.ts';
import { dealSchemas } from './deals.ts';
import { lazy } from './lazy.ts';
import { leadSchemas } from './leads.ts';

/** What every export takes beside the list's filters. */
const exportOptions = () => ({
  /** Default `csv`; `vcf` only for people (contacts, leads, segments). */
  format: z.optional(z.enum(exportFormats)),
  /** `true`: always answer with an export job (202), even for a list small enough to stream. */
  async: z.optional(z.enum(['true', 'false'])),
});

/**
 * A list route's query without paging (an export reads every page), plus the
 * export's options. `customFields.<key>` filters pass beside it as the list's
 * do (the route's `queryFilters`).
 */
function exportQueryOf<S extends { limit: unknown; cursor: unknown }>(shape: S) {
  const { limit: _limit, cursor: _cursor, ...filters } = shape;
  return z.strictObject({ ...(filters as Omit<S, 'limit' | 'cursor'>), ...exportOptions() });
}

export const exportSchemas = /* @__PURE__ */ lazy(() => ({
  contactsQuery: exportQueryOf(contactSchemas().listQuery.shape),
  companiesQuery: exportQueryOf(companySchemas().listQuery.shape),
  leadsQuery: exportQueryOf(leadSchemas().listQuery.shape),
  dealsQuery: exportQueryOf(dealSchemas().listQuery.shape),
  segmentQuery: z.strictObject(exportOptions()),
  /** An export job, as `GET /exports/{id}` and a 202 show it. */
  job: z.object({
    id: z.string(),
    status: z.enum(['processing', 'done', 'failed']),
    format: z.enum(exportFormats),
    entity: z.optional(z.enum(['contacts', 'companies', 'leads', 'deals'])),
    segmentId: z.optional(z.string()),
    /** The list's filters as given. */
    filters: z.optional(z.record(z.string(), z.string())),
    href: z.string(),
    createdAt: z.string(),
    rows: z.optional(z.number()),
    /** Size of the file, in bytes. */
    bytes: z.optional(z.number()),
    finishedAt: z.optional(z.string()),
    /** Presigned GET of the file, valid 15 minutes from this answer; only when done. */
    downloadUrl: z.optional(z.string()),
    /** Why it failed. */
    error: z.optional(z.string()),
  }),
}));

type Schemas = ReturnType<typeof exportSchemas>;
export type ExportJobView = z.output<Schemas['job']>;
