import * as z from 'zod/mini';
import { httpFunctions } from '../../shared/api/catalogue.ts';
import type { Method, RouteDef } from '../../shared/api/route.ts';

/**
 * Checks a response body against the response schema its route declares
 * (shared/api/*.ts): the zod schema parses it (types, enums, required fields),
 * and its JSON Schema, as the OpenAPI document publishes it, finds every
 * property the schema does not list (`additionalProperties: false`), which a
 * zod parse would silently strip.
 */
type JsonSchema = Record<string, unknown>;

const routes: readonly RouteDef[] = Object.values(httpFunctions).flat();

const templateOf = (route: RouteDef) => new RegExp(`^${route.path.replace(/\{\w+\}/g, '[^/]+')}$`);

/** The route a request reaches: its method and the path template its path matches (query ignored). */
export function routeFor(method: Method, path: string): RouteDef {
  const bare = path.split('?')[0] ?? path;
  const matches = routes.filter((route) => route.method === method && templateOf(route).test(bare));
  // A literal segment wins over a parameter (`/me/notifications/read` over `/me/notifications/{id}`).
  const route = matches.sort((a, b) => b.path.split('{').length - a.path.split('{').length).at(-1);
  if (!route) throw new Error(`no route serves ${method} ${bare}`);
  return route;
}

/** Every way `body` differs from the response schema of `route`, as `path: problem`; empty when it matches. */
export function shapeErrors(route: RouteDef, body: unknown): string[] {
  if (!route.response) return [`${route.method} ${route.path} declares no response schema`];
  const schema = route.response();
  const errors: string[] = [];
  const parsed = z.safeParse(schema, body);
  if (!parsed.success)
    for (const issue of parsed.error.issues)
      errors.push(`${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'output', unrepresentable: 'any' });
  errors.push(...undocumented(json as JsonSchema, json as JsonSchema, body, ''));
  return errors;
}

function resolve(root: JsonSchema, schema: JsonSchema): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  if (ref === '#') return root;
  const name = ref.replace(/^#\/\$defs\//, '');
  return resolve(root, ((root.$defs ?? {}) as Record<string, JsonSchema>)[name] ?? {});
}

const typeOf = (value: unknown): string =>
  value === null
    ? 'null'
    : Array.isArray(value)
      ? 'array'
      : Number.isInteger(value)
        ? 'integer'
        : typeof value;

function typeMatches(schema: JsonSchema, value: unknown): boolean {
  const types = schema.type === undefined ? undefined : ([] as unknown[]).concat(schema.type);
  if (!types) return true;
  const actual = typeOf(value);
  return types.includes(actual) || (actual === 'integer' && types.includes('number'));
}

/** The properties of `value` that `schema` does not allow, at their paths. */
function undocumented(root: JsonSchema, given: JsonSchema, value: unknown, path: string): string[] {
  const schema = resolve(root, given);
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (branches) {
    const fitting = branches.filter((branch) => typeMatches(resolve(root, branch), value));
    if (fitting.length === 0) return [];
    const results = fitting.map((branch) => undocumented(root, branch, value, path));
    return results.find((result) => result.length === 0) ?? results[0] ?? [];
  }
  const all = (schema.allOf as JsonSchema[] | undefined)?.flatMap((part) =>
    undocumented(root, part, value, path),
  );
  if (all?.length) return all;
  if (!typeMatches(schema, value)) return [];
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
  if (Array.isArray(value)) {
    const items = schema.items as JsonSchema | undefined;
    return items ? value.flatMap((item, index) => undocumented(root, items, item, at(index))) : [];
  }
  if (value === null || typeof value !== 'object') return [];
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const extra = schema.additionalProperties;
  const errors: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const declared = Object.hasOwn(properties, key) ? properties[key] : undefined;
    if (declared) errors.push(...undocumented(root, declared, child, at(key)));
    else if (extra === false) errors.push(`${at(key)}: not in the response schema`);
    else if (typeof extra === 'object' && extra !== null)
      errors.push(...undocumented(root, extra as JsonSchema, child, at(key)));
  }
  return errors;
}
