import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import type { ApiClient } from '../support/api.ts';
import { useTestTable } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

let world: World;
let scriptKid: string;
let blueContact: string;

const template = async (client: ApiClient, body: Record<string, unknown> = {}) => {
  const response = await client.post('/templates', {
    name: unique('Welcome'),
    subject: 'Welcome, {{contact.firstName}}',
    html: '<p>Hello {{contact.firstName}} {{contact.lastName}} of {{company.name}}</p><p><a href="{{unsubscribeUrl}}">Unsubscribe</a></p>',
    ...body,
  });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; version: number };
};

beforeAll(async () => {
  world = await createWorld();
  const company = await world.repRed.client.post('/companies', { name: 'Fish & Chips <Ltd>' });
  const kid = await world.repRed.client.post('/contacts', {
    firstName: '<script>alert(1)</script>',
    lastName: '"Bobby" & Tables',
    companyId: company.body.id,
  });
  expect(kid.status).toBe(201);
  scriptKid = kid.body.id;
  blueContact = (await world.repBlue.client.post('/contacts', { firstName: 'Blue' })).body.id;
});

describe('templates', () => {
  it('creates, reads, patches, archives and restores a template', async () => {
    const created = await world.repRed.client.post('/templates', {
      name: 'Spring news',
      subject: 'News for {{contact.firstName}}',
      html: '<h1>Hi {{contact.firstName}}</h1>',
      text: 'Hi {{contact.firstName}}',
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/templates/${created.body.id}`);
    expect(created.body).toMatchObject({
      name: 'Spring news',
      ownerId: world.repRed.id,
      teamId: world.teams.red,
      version: 1,
    });
    const path = `/templates/${created.body.id}`;
    expect((await world.repRed.client.get(path)).body.html).toBe('<h1>Hi {{contact.firstName}}</h1>');

    const patched = await world.repRed.client.patch(
      path,
      { text: null, subject: 'Spring, {{contact.firstName}}' },
      { 'if-match': '"1"' },
    );
    expect(patched.status).toBe(200);
    expect(patched.body.text).toBeUndefined();
    expect(patched.body.version).toBe(2);
    expect((await world.repRed.client.patch(path, { name: 'Stale' }, { 'if-match': '"1"' })).status).toBe(
      412,
    );

    expect((await world.repRed.client.delete(path)).status).toBe(204);
    const archived = await world.repRed.client.get('/templates?q=spring&archived=true');
    expect(archived.body.items.map((item: { id: string }) => item.id)).toContain(created.body.id);
    expect(
      (await world.repRed.client.get('/templates?q=spring')).body.items.map(
        (item: { id: string }) => item.id,
      ),
    ).not.toContain(created.body.id);
    expect((await world.repRed.client.post(`${path}/restore`)).body.archived).toBe(false);
  });

  it('answers 400 naming the part and line of a template that does not compile', async () => {
    const broken = await world.admin.client.post('/templates', {
      name: 'Broken',
      subject: 'Hi {{contact.firstName',
      html: '<p>\n{{#if contact.firstName}}\nno end',
      text: 'ok {{contact.lastName}}',
    });
    expect(broken.status).toBe(400);
    expect(broken.body.errors).toEqual([
      { path: 'subject', message: expect.stringMatching(/^line 1: does not parse/) },
      { path: 'html', message: expect.stringMatching(/^line \d+: /) },
    ]);

    const unescaped = await world.admin.client.post('/templates', {
      name: 'Raw',
      subject: 'x',
      html: '<p>Hi</p>\n<p>{{{contact.firstName}}}</p>',
    });
    expect(unescaped.status).toBe(400);
    expect(unescaped.body.errors).toEqual([
      {
        path: 'html',
        message: expect.stringMatching(/^line 2: unescaped output .* inject markup or scripts/),
      },
    ]);

    const helper = await world.admin.client.post('/templates', {
      name: 'H',
      subject: 'x',
      html: '{{shout contact.firstName}}',
    });
    expect(helper.status).toBe(400);
    expect(helper.body.errors[0].message).toContain('unknown helper "shout"');
    const variable = await world.admin.client.post('/templates', {
      name: 'V',
      subject: '{{name}}',
      html: 'x',
    });
    expect(variable.body.errors[0]).toMatchObject({
      path: 'subject',
      message: expect.stringContaining('unknown variable "name"'),
    });

    const missing = await world.admin.client.post('/templates', { html: '', extra: 1 });
    expect(missing.status).toBe(400);
    expect(missing.body.errors.map((error: { path: string }) => error.path).sort()).toEqual([
      'extra',
      'html',
      'name',
      'subject',
    ]);

    // A patch is checked on the result.
    const good = await template(world.admin.client);
    const patch = await world.admin.client.patch(`/templates/${good.id}`, { html: '{{& contact.email}}' });
    expect(patch.status).toBe(400);
    expect(patch.body.errors[0].path).toBe('html');
    expect((await world.admin.client.get(`/templates/${good.id}`)).body.version).toBe(1);
  });

  it('renders for a contact with variables escaped in HTML, a text part, and a preview unsubscribe link', async () => {
    const created = await template(world.repRed.client);
    const rendered = await world.repRed.client.post(`/templates/${created.id}/render`, {
      contactId: scriptKid,
    });
    expect(rendered.status).toBe(200);
    expect(rendered.body.subject).toBe('Welcome, <script>alert(1)</script>');
    expect(rendered.body.html).toContain(
      'Hello &lt;script&gt;alert(1)&lt;/script&gt; &quot;Bobby&quot; &amp; Tables of Fish &amp; Chips &lt;Ltd&gt;',
    );
    expect(rendered.body.html).not.toContain('<script>');
    expect(rendered.body.html).toMatch(/href="https:\/\/[^"]*\.invalid\//);
    expect(rendered.body.text).toContain(
      'Hello <script>alert(1)</script> "Bobby" & Tables of Fish & Chips <Ltd>',
    );
    expect(rendered.body.text).toMatch(/Unsubscribe \[https:\/\/[^\]]*\.invalid\//);

    // The contact must be one the caller may read.
    const hidden = await world.repRed.client.post(`/templates/${created.id}/render`, {
      contactId: blueContact,
    });
    expect(hidden.status).toBe(400);
    expect(hidden.body.errors).toEqual([
      { path: 'contactId', message: 'is not a live contact you may read' },
    ]);
    expect(
      (await world.repRed.client.post(`/templates/${created.id}/render`, { contactId: 'nope' })).status,
    ).toBe(400);
    expect((await world.repRed.client.post(`/templates/${created.id}/render`, {})).status).toBe(400);
  });

  it('stores the compiled form with each version, never shows it, and backfills a version stored without one', async () => {
    useTestTable();
    const { dynamo } = await import('#shared/store/client');
    const { recordKey } = await import('#shared/store/keys');
    const { backfillCompiledTemplates } = await import('#shared/store/template-backfill');
    const { unpackSpecs } = await import('#shared/domain/template');
    const created = await template(world.repRed.client);
    const key = recordKey(world.tenant, 'TEMPLATE', created.id);
    const stored = async () =>
      (await dynamo.send(new GetCommand({ TableName: inject('tableName'), Key: key, ConsistentRead: true })))
        .Item as { compiled?: Uint8Array; version: number } | undefined;
    const specsOf = async () => {
      const compiled = (await stored())?.compiled;
      return compiled && unpackSpecs(compiled);
    };
    const saved = await specsOf();
    expect(saved).toEqual({
      subject: expect.any(String),
      html: expect.any(String),
      text: expect.any(String),
      generatedText: true,
    });
    expect(created).not.toHaveProperty('compiled');
    const read = await world.repRed.client.get(`/templates/${created.id}`);
    expect(read.body).not.toHaveProperty('compiled');
    const listed = await world.repRed.client.get('/templates');
    expect(listed.body.items.some((item: object) => 'compiled' in item)).toBe(false);
    const preview = (
      await world.repRed.client.post(`/templates/${created.id}/render`, { contactId: scriptKid })
    ).body;

    // A new version is compiled again: the compiled form is the version's.
    const patched = await world.repRed.client.patch(
      `/templates/${created.id}`,
      { subject: 'Changed {{contact.lastName}}' },
      { 'If-Match': `"${created.version}"` },
    );
    expect(patched.status, patched.text).toBe(200);
    expect(patched.body).not.toHaveProperty('compiled');
    expect((await specsOf())?.subject).not.toBe(saved?.subject);
    expect((await specsOf())?.html).toBe(saved?.html);

    // A version saved before templates were compiled on save: previewed by compiling it, then backfilled.
    await dynamo.send(
      new UpdateCommand({ TableName: inject('tableName'), Key: key, UpdateExpression: 'REMOVE compiled' }),
    );
    const legacy = await world.repRed.client.post(`/templates/${created.id}/render`, {
      contactId: scriptKid,
    });
    expect(legacy.status).toBe(200);
    expect(legacy.body).toEqual({ ...preview, subject: 'Changed "Bobby" & Tables' });
    const version = (await stored())?.version;
    // The operator's command scans the table; here the records are this tenant's template.
    const records = async function* (entity: 'template' | 'campaign') {
      const item = entity === 'template' ? await stored() : undefined;
      if (item) yield item as unknown as Record<string, unknown>;
    };
    const report = await backfillCompiledTemplates(records);
    expect(report.templates).toBeGreaterThanOrEqual(1);
    expect(report.skipped.filter((line) => line.startsWith(`${world.tenant}/`))).toEqual([]);
    expect((await stored())?.version).toBe(version);
    const backfilled = await specsOf();
    expect(backfilled?.html).toBe(saved?.html);
    expect(backfilled?.text).toBe(saved?.text);
    // Run again, it finds nothing of this tenant to do.
    expect(
      (await backfillCompiledTemplates(records)).skipped.filter((line) =>
        line.startsWith(`${world.tenant}/`),
      ),
    ).toEqual([]);
    expect(await specsOf()).toEqual(backfilled);
  });

  it('applies record rules: reps read their team, change only their own; other tenants see nothing', async () => {
    const own = await template(world.repRed.client);
    const path = `/templates/${own.id}`;
    expect((await world.repRed2.client.get(path)).status).toBe(200);
    expect((await world.repRed2.client.post(`${path}/render`, { contactId: scriptKid })).status).toBe(200);
    expect((await world.repRed2.client.patch(path, { name: 'Mine' })).status).toBe(403);
    expect((await world.repRed2.client.delete(path)).status).toBe(403);
    expect((await world.repBlue.client.get(path)).status).toBe(404);
    expect((await world.repBlue.client.post(`${path}/render`, { contactId: blueContact })).status).toBe(404);
    expect((await world.managerRed.client.patch(path, { name: 'Managed' })).status).toBe(200);
    expect((await world.admin.client.patch(path, { ownerId: world.repBlue.id })).body.teamId).toBe(
      world.teams.blue,
    );
    expect((await world.repRed.client.get(path)).status).toBe(404);

    const mine = await template(world.admin.client);
    for (const [method, route, body] of [
      ['get', `/templates/${mine.id}`, undefined],
      ['patch', `/templates/${mine.id}`, { name: 'x' }],
      ['delete', `/templates/${mine.id}`, undefined],
      ['post', `/templates/${mine.id}/restore`, undefined],
      ['post', `/templates/${mine.id}/render`, { contactId: scriptKid }],
    ] as const) {
      const client = world.stranger.client;
      const response =
        method === 'get' || method === 'delete'
          ? await client[method](route)
          : await client[method](route, body);
      expect(response.status, `${method} ${route}`).toBe(404);
    }
    expect((await world.stranger.client.get('/templates')).body.items).toEqual([]);
    // Another tenant's contact id cannot be rendered either.
    const foreign = await template(world.stranger.client);
    expect(
      (await world.stranger.client.post(`/templates/${foreign.id}/render`, { contactId: scriptKid })).status,
    ).toBe(400);
  });
});
