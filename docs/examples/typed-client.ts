/**
 * A typed client of the CRM API: types generated from the API's own OpenAPI document with
 * openapi-typescript, calls made with openapi-fetch. Paths, parameters, bodies, answers and
 * errors are all checked by TypeScript. The README's "A typed client" runs it against `npm start`.
 */
import createClient from 'openapi-fetch';
import type { components, paths } from './crm-api.d.ts';

type Contact = paths['/contacts/{id}']['get']['responses'][200]['content']['application/json'];
type Problem = components['schemas']['Problem'];

const api = createClient<paths>({
  baseUrl: process.env.CRM_API ?? 'http://localhost:3000',
  headers: { authorization: `Bearer ${process.env.CRM_TOKEN}` },
});

/** A problem+json answer as one line per bad field. */
const describe = (problem: Problem): string[] => [
  `${problem.status} ${problem.detail}`,
  ...(problem.errors ?? []).map(({ path, message }) => `  ${path}: ${message}`),
];

// Create a contact: the body is checked against the API's schema (firstName is required).
// The address is unique per run: a second run would otherwise meet the first one's (409).
const created = await api.POST('/contacts', {
  body: {
    firstName: 'Ana',
    lastName: 'Ruiz',
    email: `ana.ruiz.${Date.now().toString(36)}@example.com`,
    tags: ['newsletter'],
  },
});
if (created.error) throw new Error(`Not created: ${JSON.stringify(created.error)}`);
const ana: Contact = created.data;
console.log(`created ${ana.id} ${ana.firstName} ${ana.lastName} (version ${ana.version})`);

// List contacts: the query parameters are typed, and so is every item of the page.
const listed = await api.GET('/contacts', { params: { query: { limit: '10' } } });
if (listed.error) throw new Error(`Not listed: ${JSON.stringify(listed.error)}`);
for (const contact of listed.data.items) console.log(`listed ${contact.id} ${contact.email ?? '(no email)'}`);

// Errors are typed too: a 400 is problem+json, and `errors` names every bad field.
const refused = await api.POST('/contacts', { body: { firstName: 'Ana', email: 'not-an-email' } });
if (refused.error && 'status' in refused.error) console.log(`refused ${describe(refused.error).join('\n')}`);
