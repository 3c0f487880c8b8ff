import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ApiClient, api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import { unique } from './world.ts';

/**
 * An export re-imports into another tenant unchanged (issue 12, item 4):
 * companies and contacts with tags, custom fields, accents, quotes, line
 * breaks and cells starting with `+`, `=` or `-` are exported as CSV from one
 * tenant, imported into a second through POST /imports and its presigned PUT,
 * exported again, and the two files compared cell by cell but for the
 * columns the importer ignores (id, createdAt, updatedAt).
 */
interface Tenant {
  readonly id: string;
  readonly admin: ApiClient;
}

const OWNER = 'owner@roundtrip.test';
const TAG = `rt-${Date.now().toString(36)}`;

async function tenant(): Promise<Tenant> {
  const id = uniqueTenant('rt');
  const admin = api(
    await tokenFor({ tenant: id, role: 'admin', user: `admin-${id}`, email: `admin@${id}.test` }),
  );
  // The same owner (by email) in both tenants: owners travel as their email.
  const owner = await admin.post('/users', { email: OWNER, name: 'Owner', role: 'manager' });
  expect(owner.status, owner.text).toBe(201);
  // The same custom field definitions in both tenants.
  for (const [entity, fields] of Object.entries(definitions)) {
    const response = await admin.put(`/settings/fields/${entity}`, fields);
    expect(response.status, response.text).toBe(200);
  }
  return { id, admin };
}

const definitions = {
  contacts: [
    { key: 'tier', label: 'Tier', type: 'select', options: ['gold', 'silver'] },
    { key: 'score', label: 'Score', type: 'number' },
    { key: 'since', label: 'Customer since', type: 'date' },
    { key: 'vip', label: 'VIP', type: 'boolean' },
    { key: 'languages', label: 'Languages', type: 'multiselect', options: ['es', 'en', 'fr'] },
    { key: 'note', label: 'Note', type: 'text' },
  ],
  companies: [{ key: 'segment', label: 'Segment', type: 'text' }],
};

/** The tagged records of `entity` as the tenant's CSV export (streamed: a few records). */
async function exported(client: ApiClient, entity: 'contacts' | 'companies'): Promise<string> {
  const response = await client.get(`/${entity}/export?format=csv&tag=${TAG}`);
  expect(response.status, response.text).toBe(200);
  return response.text;
}

/** Imports `csv` as `entity` through the presigned upload, waiting until the import is done. */
async function imported(client: ApiClient, entity: 'contacts' | 'companies', csv: string): Promise<void> {
  const started = await client.post('/imports', { entity, mode: 'create' });
  expect(started.status, started.text).toBe(201);
  // fetch's text() dropped the byte order mark; the upload carries it again, as the download did.
  const upload = await fetch(started.body.uploadUrl, { method: 'PUT', body: `\uFEFF${csv}` });
  expect(upload.status).toBe(200);
  const done = await eventually(
    async () => {
      const response = await client.get(`/imports/${started.body.id}`);
      expect(response.body.status, response.text).toMatch(/^(done|failed)$/);
      return response.body;
    },
    { timeoutMs: 120_000, intervalMs: 250 },
  );
  expect(done).toMatchObject({ status: 'done', failed: 0, skipped: 0 });
  expect(done.created).toBe(done.totalRows);
}

/** Rows keyed by a stable column, without the columns the importer ignores. */
function comparable(csv: string, key: string): Record<string, Record<string, string>> {
  const rows = parse(csv, { bom: true, columns: true }) as Record<string, string>[];
  return Object.fromEntries(
    rows.map(({ id: _id, createdAt: _createdAt, updatedAt: _updatedAt, ...cells }) => [
      cells[key] as string,
      cells,
    ]),
  );
}

let first: Tenant;
let second: Tenant;

beforeAll(async () => {
  [first, second] = await Promise.all([tenant(), tenant()]);
  const owners = await first.admin.get('/users');
  const ownerId = (owners.body.items as { id: string; email: string }[]).find(
    (user) => user.email === OWNER,
  )?.id;
  const company = async (body: Record<string, unknown>) => {
    const response = await first.admin.post('/companies', { ownerId, tags: [TAG], ...body });
    expect(response.status, response.text).toBe(201);
    return response.body.id as string;
  };
  const acme = await company({
    name: 'Álvarez "Logística", S.L.',
    domain: `${unique('alvarez')}.example`,
    industry: 'Logística; transporte',
    size: 120,
    country: 'ES',
    city: 'Cádiz',
    phone: '+34 956 000 000',
    website: 'https://alvarez.example/',
    customFields: { segment: '=SUM(A1:A9)' },
  });
  // No domain: the contact refers to it by name.
  const nameOnly = await company({ name: `Sin Dominio ${TAG}`, tags: [TAG, 'pyme'] });
  const contact = async (body: Record<string, unknown>) => {
    const response = await first.admin.post('/contacts', { ownerId, tags: [TAG], ...body });
    expect(response.status, response.text).toBe(201);
  };
  await contact({
    firstName: 'María José',
    lastName: 'Núñez "Pepa"',
    email: `${unique('pepa')}@alvarez.example`,
    phone: '+34 600 000 000',
    companyId: acme,
    // Single-line text refuses line breaks; quotes, commas and semicolons still need CSV quoting.
    title: 'Jefa de ventas, "zona" Sur; Cádiz',
    country: 'ES',
    city: 'Jerez de la Frontera',
    tags: [TAG, 'vip', 'ñandú'],
    lifecycleStage: 'customer',
    customFields: {
      tier: 'gold',
      score: -5,
      since: '2024-02-29',
      vip: true,
      languages: ['es', 'en'],
      note: '-tricky',
    },
  });
  await contact({
    firstName: '=Equals',
    lastName: '@At',
    email: `${unique('eq')}@example.com`,
    companyId: nameOnly,
    customFields: { score: 1234.5, vip: false, note: 'línea 1\nlínea 2' },
  });
  await contact({ firstName: 'Plain', email: `${unique('plain')}@example.com` });
});

describe('export round trip', () => {
  it('re-imports into another tenant unchanged, cell by cell', async () => {
    const companies = await exported(first.admin, 'companies');
    const contacts = await exported(first.admin, 'contacts');
    // Companies first: contacts refer to them.
    await imported(second.admin, 'companies', companies);
    await imported(second.admin, 'contacts', contacts);
    const companiesAgain = await exported(second.admin, 'companies');
    const contactsAgain = await exported(second.admin, 'contacts');
    expect(comparable(companiesAgain, 'name')).toEqual(comparable(companies, 'name'));
    expect(comparable(contactsAgain, 'email')).toEqual(comparable(contacts, 'email'));
    // The comparison is not empty, and the tricky cells are there as written.
    const rows = comparable(contacts, 'firstName');
    expect(Object.keys(rows)).toHaveLength(3);
    expect(rows["'=Equals"]).toMatchObject({ lastName: "'@At", 'customFields.note': 'línea 1\nlínea 2' });
    expect(rows['María José']).toMatchObject({ phone: "'+34 600 000 000", 'customFields.score': "'-5" });
  });
});
