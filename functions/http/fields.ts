import { fieldRoutes } from '#shared/api/fields';
import { type CustomFieldEntity, customFieldEntities } from '#shared/domain/custom-fields';
import { httpHandler } from '#shared/http/handler';
import { notFound } from '#shared/http/problem';
import { ok } from '#shared/http/results';
import { requireAdmin } from '#shared/http/roles';
import { readCustomFieldSettings, writeCustomFieldDefinitions } from '#shared/store/custom-fields';

/** The entity of the path; any other segment names no settings (404). */
function entityOf(segment: string): CustomFieldEntity {
  const entity = customFieldEntities.find((name) => name === segment);
  if (!entity) throw notFound('Custom field settings');
  return entity;
}

export const handler = httpHandler(fieldRoutes, {
  async getCustomFields({ caller, params }) {
    return ok(await readCustomFieldSettings(caller.tenantId, entityOf(params.entity)));
  },

  async putCustomFields({ caller, params, body }) {
    requireAdmin(caller);
    const entity = entityOf(params.entity);
    return ok(await writeCustomFieldDefinitions(caller.tenantId, entity, body, caller.userId));
  },
});
