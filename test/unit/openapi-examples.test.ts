import { describe, expect, it } from 'vitest';
import type * as z from 'zod/mini';
import { httpFunctions } from '../../shared/api/catalogue.ts';
import { ids, users } from '../../shared/api/examples/common.ts';
import { companyExamples, contactExamples, leadExamples } from '../../shared/api/examples/crm.ts';
import { exportExamples, sharedListExamples } from '../../shared/api/examples/data.ts';
import { routeExamples } from '../../shared/api/examples/routes/index.ts';
import { dealExamples } from '../../shared/api/examples/sales.ts';
import { badRequestExample, openApiDocument } from '../../shared/api/openapi.ts';
import type { RouteDef } from '../../shared/api/route.ts';
import {
  CSV_BOM,
  csvLine,
  type ExportEntity,
  type ExportRecord,
  exportCells,
  exportColumns,
  type Person,
  type SharedContact,
  sharedContactCard,
  sharedContactCells,
  sharedListFields,
  vCard,
  vCardPerson,
} from '../../shared/domain/exports/index.ts';
import { canonicalColumns } from '../../shared/domain/imports/columns.ts';
import { forbidden, HttpProblem, notFound, preconditionFailed } from '../../shared/http/problem.ts';
import { parseOrThrow } from '../../shared/http/validation.ts';

const routes = Object.values(httpFunctions).flat() as RouteDef[];

/**
 * Every problem zod finds in `value`, as `path: message` lines, or none. A value that
 * passes must also come out as it went in: a field the schema does not know (which
 * parsing drops) or a value it would rewrite (an email in capitals) is a problem too.
 */
function problems(schema: () => z.ZodMiniType, value: unknown): string[] {
  const result = schema().safeParse(value);
  if (!result.success)
    return result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  return canonical(result.data) === canonical(value) ? [] : [`parsed as ${canonical(result.data)}`];
}

/** JSON with every object's keys sorted, as the document would carry the value. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_, item) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => a.localeCompare(b)))
      : item,
  );

describe.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))('%s', (_, route) => {
  const examples = routeExamples[route.operationId] ?? {};

  it('has an example of each part it has, and none of a part it lacks', () => {
    expect(examples.request !== undefined, 'request example iff a body').toBe(
      route.body !== undefined || route.readsBody !== undefined,
    );
    expect(examples.response !== undefined, 'response example iff a response').toBe(
      route.response !== undefined,
    );
    expect(examples.accepted !== undefined, '202 example iff accepted').toBe(route.accepted !== undefined);
    expect(examples.location !== undefined, 'Location iff it redirects').toBe(
      route.redirect !== undefined || route.status === 302,
    );
    expect(Object.keys(examples.media ?? {}).sort()).toEqual(
      Object.keys(route.responseMediaTypes ?? {}).sort(),
    );
  });

  it('has examples that pass its own schemas', () => {
    if (route.body) expect(problems(route.body, examples.request), 'request').toEqual([]);
    if (route.readsBody) expect(problems(route.readsBody.schema, examples.request), 'request').toEqual([]);
    if (route.response) expect(problems(route.response, examples.response), 'response').toEqual([]);
    if (route.accepted) expect(problems(route.accepted.response, examples.accepted), '202').toEqual([]);
    if (examples.location) expect(new URL(examples.location).protocol).toBe('https:');
  });

  it('shows each media type as it is sent', () => {
    for (const [type, body] of Object.entries(examples.media ?? {})) {
      if (type === 'image/gif') expect(Buffer.from(body, 'base64').subarray(0, 6).toString()).toBe('GIF89a');
      if (type === 'text/html') expect(body.startsWith('<!doctype html>')).toBe(true);
      if (type === 'text/csv') expect(body.startsWith('\uFEFF') && body.endsWith('\r\n')).toBe(true);
      if (type === 'text/vcard')
        expect(body).toMatch(/^BEGIN:VCARD\r\nVERSION:4\.0\r\n[\s\S]*END:VCARD\r\n$/);
    }
  });
});

describe('the examples by operationId (shared/api/examples/routes/)', () => {
  it('each name a route of the catalogue, so none is left behind when a route goes', () => {
    const operations = new Set(routes.map((route) => route.operationId));
    expect(Object.keys(routeExamples).filter((operationId) => !operations.has(operationId))).toEqual([]);
  });
});

describe('the examples in the OpenAPI document', () => {
  const document = openApiDocument('https://api.crm.example') as {
    paths: Record<string, Record<string, Operation>>;
    components: { responses: Record<string, Response> };
  };
  type Response = { content?: Content; headers?: Record<string, { example?: unknown }>; $ref?: string };
  type Content = Record<string, { example?: unknown }>;
  type Operation = {
    requestBody?: { content: Content };
    responses: Record<string, Response>;
  };
  /** The operation, each answer it names by `$ref` (the shared errors) looked up. */
  const operationOf = (route: RouteDef): Operation => {
    const operation = document.paths[route.path]?.[route.method.toLowerCase()] as Operation;
    const responses = Object.entries(operation.responses).map(([status, response]) => [
      status,
      response.$ref
        ? document.components.responses[response.$ref.replace('#/components/responses/', '')]
        : response,
    ]);
    return { ...operation, responses: Object.fromEntries(responses) };
  };

  it.each(routes.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s: shows the route’s own examples, and a 400 worded as its validation words it',
    (_, route) => {
      const operation = operationOf(route);
      const examples = routeExamples[route.operationId] ?? {};
      const success = operation.responses[String(route.status)];
      if (route.body)
        expect(operation.requestBody?.content['application/json']?.example).toEqual(examples.request);
      if (route.response) expect(success?.content?.['application/json']?.example).toEqual(examples.response);
      for (const [type, body] of Object.entries(examples.media ?? {}))
        expect(success?.content?.[type]?.example).toBe(body);
      if (route.accepted)
        expect(operation.responses['202']?.content?.['application/json']?.example).toEqual(examples.accepted);
      if (examples.location)
        expect(operation.responses[String(route.redirect?.status ?? 302)]?.headers?.Location?.example).toBe(
          examples.location,
        );

      const invalid = badRequestExample(route);
      expect(invalid !== undefined, 'a 400 example iff it validates input').toBe(
        Boolean(route.body || route.query),
      );
      if (!invalid) return;
      const { body, query } = invalid.input as { body?: unknown; query?: unknown };
      const schema = body === undefined ? route.query : route.body;
      let thrown: unknown;
      try {
        parseOrThrow((schema as () => z.ZodMiniType)(), body ?? query);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(HttpProblem);
      expect(invalid.problem).toEqual((thrown as HttpProblem).toJSON());
      expect(operation.responses['400']?.content?.['application/problem+json']?.example).toEqual(
        invalid.problem,
      );
    },
  );

  it('shows each error the way the API sends it', () => {
    const update = operationOf(routes.find((route) => route.operationId === 'updateContact') as RouteDef);
    const problem = (status: string) =>
      update.responses[status]?.content?.['application/problem+json']?.example;
    expect(problem('404')).toEqual(notFound().toJSON());
    expect(problem('412')).toEqual(preconditionFailed().toJSON());
    expect(problem('403')).toEqual(forbidden().toJSON());
    expect(update.responses['401']?.content?.['application/json']?.example).toEqual({
      message: 'Unauthorized',
    });
    const click = operationOf(routes.find((route) => route.operationId === 'trackClick') as RouteDef);
    expect(click.responses['404']?.content?.['application/problem+json']?.example).toEqual(
      notFound('Link').toJSON(),
    );
  });
});

describe('the file examples', () => {
  const references = {
    companies: new Map([[ids.company, { name: 'Northwind Traders', domain: 'northwind-traders.example' }]]),
    owners: new Map([[users.rep.id, users.rep.email]]),
    pipelines: new Map([
      [ids.pipeline, { name: 'New business', stages: new Map([[ids.stageProposal, 'Proposal']]) }],
    ]),
    contacts: new Map([[ids.contact, contactExamples.create.email]]),
  };
  const csv = (entity: ExportEntity, record: unknown) => {
    const columns = exportColumns(canonicalColumns(entity, []));
    return CSV_BOM + csvLine(columns) + csvLine(exportCells(record as ExportRecord, columns, references));
  };

  it('are what an export writes for the records of the examples', () => {
    expect(exportExamples.contactsCsv).toBe(csv('contacts', contactExamples.record));
    expect(exportExamples.companiesCsv).toBe(csv('companies', companyExamples.record));
    expect(exportExamples.leadsCsv).toBe(csv('leads', leadExamples.record));
    expect(exportExamples.dealsCsv).toBe(csv('deals', dealExamples.record));
    const card = (entity: 'contacts' | 'leads', record: unknown) =>
      vCard(vCardPerson({ entity, record } as Person, references));
    expect(exportExamples.contactsVcard).toBe(card('contacts', contactExamples.record));
    expect(exportExamples.leadsVcard).toBe(card('leads', leadExamples.record));
  });

  it("are what a shared list's link answers", () => {
    const [contact] = sharedListExamples.contacts as SharedContact[];
    expect(sharedListExamples.csv).toBe(
      CSV_BOM + csvLine([...sharedListFields]) + csvLine(sharedContactCells(contact as SharedContact)),
    );
    expect(sharedListExamples.vcard).toBe(vCard(sharedContactCard(contact as SharedContact)));
  });
});
