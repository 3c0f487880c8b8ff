import type { ExportEntity } from '../domain/exports/index.ts';
import { exportColumns } from '../domain/exports/index.ts';

/**
 * The CSV header of an entity's export: the import's canonical columns, then
 * id, createdAt and updatedAt.
 */
const canonical: Readonly<Record<ExportEntity, readonly string[]>> = {
  contacts: [
    'firstName',
    'lastName',
    'email',
    'phone',
    'company',
    'title',
    'country',
    'city',
    'tags',
    'lifecycleStage',
    'marketingStatus',
    'owner',
  ],
  companies: ['name', 'domain', 'industry', 'size', 'country', 'city', 'phone', 'website', 'tags', 'owner'],
  leads: ['firstName', 'lastName', 'email', 'companyName', 'phone', 'source', 'country', 'owner'],
  deals: [
    'name',
    'amount',
    'currency',
    'pipeline',
    'stage',
    'lostReason',
    'company',
    'contacts',
    'expectedCloseDate',
    'owner',
    'source',
  ],
};

export async function exportHeader(_tenantId: string, entity: ExportEntity): Promise<string[]> {
  return exportColumns(canonical[entity]);
}
