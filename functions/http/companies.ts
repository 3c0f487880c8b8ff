import { companyRoutes } from '#shared/api/companies';
import { customFieldListFilter, customFieldsPatchCheck, newCustomFields } from '#shared/http/custom-fields';
import { httpHandler } from '#shared/http/handler';
import {
  byNameOrOwner,
  create,
  listPage,
  mergePatch,
  newRecordBase,
  ownership,
  recordRoutes,
  update,
} from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import { type Company, companies } from '#shared/store/entities';

/** Read, archive and restore behave as for every record. */
const standard = recordRoutes(companies);

export const handler = httpHandler(companyRoutes, {
  async listCompanies({ caller, query, page }) {
    const { q, ownerId, tag, country, archived } = query;
    const { via, filter } = byNameOrOwner(q, ownerId);
    const custom = await customFieldListFilter(caller, 'companies', query);
    return listPage(companies, caller, page, {
      archived,
      via,
      filter: {
        equals: { ...filter.equals, ...(country ? { country } : {}) },
        contains: tag ? { tags: tag } : {},
        nested: custom.nested,
      },
    });
  },

  async createCompany({ caller, body }) {
    const { ownerId, tags, customFields, ...fields } = body;
    const custom = await newCustomFields(caller, 'companies', customFields);
    const company: Company = {
      ...newRecordBase(await ownership(caller, ownerId)),
      ...fields,
      tags: tags ?? [],
      ...custom,
    };
    await create(companies, caller, company);
    return created(company, `/companies/${company.id}`);
  },

  getCompany: standard.get,

  async updateCompany({ caller, params, body, ifMatch }) {
    const checkCustomFields = await customFieldsPatchCheck(caller, 'companies', body);
    const company = await update(companies, caller, params.id, {
      ifMatch,
      change: async (current) => {
        return checkCustomFields(current, await mergePatch(caller, current, body));
      },
    });
    return ok(company);
  },

  archiveCompany: standard.archive,

  restoreCompany: standard.restore,
});
