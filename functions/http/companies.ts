import { companyRoutes } from '#shared/api/companies';
import { customFieldsPatchCheck, newCustomFields } from '#shared/http/custom-fields';
import { httpHandler } from '#shared/http/handler';
import { companyListQuery, listQueryPage } from '#shared/http/list-queries';
import { create, mergePatch, newRecordBase, ownership, recordRoutes, update } from '#shared/http/records';
import { created, ok } from '#shared/http/results';
import { type Company, companies } from '#shared/store/entities';

/** Read, archive and restore behave as for every record. */
const standard = recordRoutes(companies);

export const handler = httpHandler(companyRoutes, {
  async listCompanies({ caller, query, page }) {
    const { limit: _limit, cursor: _cursor, ...filters } = query;
    return listQueryPage(companies, caller, page, await companyListQuery(caller, filters));
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
