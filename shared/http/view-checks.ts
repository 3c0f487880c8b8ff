import { activityRoutes } from '../api/activities.ts';
import { caseRoutes } from '../api/cases.ts';
import { companyRoutes } from '../api/companies.ts';
import { contactRoutes } from '../api/contacts.ts';
import { dealRoutes } from '../api/deals.ts';
import { leadRoutes } from '../api/leads.ts';
import type { RouteDef } from '../api/route.ts';
import { CUSTOM_FIELD_PATH, type CustomFieldEntity, customFieldEntities } from '../domain/custom-fields.ts';
import type { ViewEntity } from '../domain/views.ts';
import { readCustomFieldDefinitions } from '../store/custom-fields.ts';
import type { Caller } from './auth.ts';
import { customFieldListFilter } from './custom-fields.ts';
import { type FieldError, HttpProblem, invalidFields } from './problem.ts';
import { fieldErrors } from './validation.ts';

/**
 * A saved view checked against its entity, so that reopening it never meets
 * a 400 the saving did not: `filter` holds exactly the query parameters the
 * entity's list route (`GET /contacts`, ...) accepts, paging aside, validated
 * by that route's own schema and, for `customFields.<key>`, by the list's
 * custom-field check (custom-fields.ts customFieldListFilter); `sort.field`
 * and every column name a field of the entity's record (the schema of
 * `GET /<entity>/{id}`) or `customFields.<key>` of a defined custom field
 * (any key while the entity has none, as writes accept then).
 */

const routesOf: Record<ViewEntity, readonly RouteDef[]> = {
  contacts: contactRoutes,
  companies: companyRoutes,
  leads: leadRoutes,
  deals: dealRoutes,
  activities: activityRoutes,
  cases: caseRoutes,
};

function routeOf(entity: ViewEntity, path: string): RouteDef {
  const route = routesOf[entity].find((candidate) => candidate.method === 'GET' && candidate.path === path);
  if (!route) throw new Error(`No GET ${path} route for ${entity}`);
  return route;
}

/** Paging belongs to a request, not to a view. */
const PAGING = new Set(['limit', 'cursor']);

const shapeKeys = (schema: unknown): string[] =>
  Object.keys((schema as { shape?: Record<string, unknown> }).shape ?? {});

/** The fields of the entity's record, as `GET /<entity>/{id}` describes it. */
function recordFields(entity: ViewEntity): Set<string> {
  const response = routeOf(entity, `/${entity}/{id}`).response;
  return new Set(response ? shapeKeys(response()) : []);
}

const isCustomFieldEntity = (entity: ViewEntity): entity is CustomFieldEntity =>
  (customFieldEntities as readonly string[]).includes(entity);

interface Checked {
  readonly entity: ViewEntity;
  readonly filter?: Readonly<Record<string, string>> | undefined;
  readonly sort?: { readonly field: string } | undefined;
  readonly columns?: readonly string[] | undefined;
}

/** Problems of `filter`, each at `filter.<parameter>`. */
async function filterErrors(caller: Caller, view: Checked): Promise<FieldError[]> {
  const filter = view.filter ?? {};
  const list = routeOf(view.entity, `/${view.entity}`);
  const errors: FieldError[] = [];
  const plain: Record<string, string> = {};
  const custom: Record<string, string> = {};
  for (const name of Object.keys(filter)) {
    const value = filter[name] as string;
    if (PAGING.has(name)) errors.push({ path: `filter.${name}`, message: 'is paging, not a filter' });
    else if (list.queryFilters?.test(name)) custom[name] = value;
    else plain[name] = value;
  }
  const schema = list.query?.();
  const parsed = schema?.safeParse(plain);
  if (parsed && !parsed.success) errors.push(...fieldErrors(parsed.error.issues, plain, 'filter'));
  if (Object.keys(custom).length > 0 && isCustomFieldEntity(view.entity)) {
    try {
      await customFieldListFilter(caller, view.entity, custom);
    } catch (error) {
      if (!(error instanceof HttpProblem) || error.status !== 400) throw error;
      for (const problem of error.errors ?? [])
        errors.push({
          path: problem.path === '(root)' ? 'filter' : `filter.${problem.path}`,
          message: problem.message,
        });
    }
  }
  return errors;
}

/** Problems of `sort.field` and `columns`, at `sort.field` and `columns.<n>`. */
async function fieldNameErrors(caller: Caller, view: Checked): Promise<FieldError[]> {
  const named = [
    ...(view.sort ? [{ path: 'sort.field', name: view.sort.field }] : []),
    ...(view.columns ?? []).map((name, index) => ({ path: `columns.${index}`, name })),
  ];
  if (named.length === 0) return [];
  const fields = recordFields(view.entity);
  const customKeys = named.flatMap(({ name }) => {
    const key = CUSTOM_FIELD_PATH.exec(name)?.[1];
    return key === undefined ? [] : [key];
  });
  const customEntity = isCustomFieldEntity(view.entity) && fields.has('customFields');
  const defined =
    customEntity && customKeys.length > 0
      ? new Set(
          (await readCustomFieldDefinitions(caller.tenantId, view.entity as CustomFieldEntity)).map(
            (f) => f.key,
          ),
        )
      : new Set<string>();
  return named.flatMap(({ path, name }): FieldError[] => {
    const key = CUSTOM_FIELD_PATH.exec(name)?.[1];
    if (key === undefined)
      return fields.has(name) && name !== 'customFields'
        ? []
        : [{ path, message: `is not a field of ${view.entity}` }];
    if (!customEntity) return [{ path, message: `${view.entity} have no custom fields` }];
    // Without definitions the custom fields are free-form, so any key may name one.
    if (defined.size === 0 || defined.has(key)) return [];
    return [{ path, message: `is not a custom field of ${view.entity}` }];
  });
}

/** Every problem of the view's `filter`, `sort` and `columns` for its entity, each at its path. */
export async function viewProblems(caller: Caller, view: Checked): Promise<FieldError[]> {
  return [...(await filterErrors(caller, view)), ...(await fieldNameErrors(caller, view))];
}

/** Throws a 400 listing every problem of the view's `filter`, `sort` and `columns` for its entity. */
export async function checkViewAgainstEntity(caller: Caller, view: Checked): Promise<void> {
  const errors = await viewProblems(caller, view);
  if (errors.length > 0) throw invalidFields(errors);
}

/**
 * The parts of a saved view that no longer apply (a custom field removed or
 * retyped since it was saved), each at its path as a save would report it
 * (`filter.customFields.color`, `sort.field`, `columns.2`), so a client can
 * drop them when it reopens the view; empty when it all still applies.
 */
export const staleParts = (caller: Caller, view: Checked): Promise<FieldError[]> =>
  viewProblems(caller, view);
