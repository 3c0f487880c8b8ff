import { customFieldSchemas } from '../schemas/custom-fields.ts';
import { defineRoutes } from './route.ts';

/** What the lists' `customFields.<key>` parameters do (appended to the list routes' summaries). */
export const CUSTOM_FIELD_FILTERS_DOC =
  '. `customFields.<key>=<value>` (up to 10) filters by a custom field defined at `/settings/fields/{entity}` ' +
  '(exact value; a multiselect holding it; `true`/`false`; 400 for a key without a definition)';

/** Custom field definitions per entity (SPEC "Import, export, extensibility"). */
export const fieldRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/settings/fields/{entity}',
    operationId: 'getCustomFields',
    summary:
      'Read the custom field definitions of `contacts`, `companies`, `deals` or `leads` (anyone in the tenant; ' +
      'an empty list until an admin defines some)',
    response: () => customFieldSchemas().settings,
    status: 200,
  },
  {
    method: 'PUT',
    path: '/settings/fields/{entity}',
    operationId: 'putCustomFields',
    role: { least: 'admin' },
    summary:
      'Replace the custom field definitions of an entity (admin): at most 100 `{key, label, type, options?, required?}`; ' +
      'types text, number, date (YYYY-MM-DD), boolean, select and multiselect (both with `options`). Once an entity has ' +
      'definitions every write of its `customFields` is checked against them (400 at `customFields.<key>`); with none ' +
      'they are free-form. Removing a definition keeps its stored values readable (a write may not set them again); ' +
      'changing a type leaves stored values as they are until they are next written',
    body: () => customFieldSchemas().put,
    response: () => customFieldSchemas().settings,
    status: 200,
  },
]);
