import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer } from 'aws-lambda';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { sourceAddressHash } from '#shared/domain/form-token';
import { formRateKey } from '#shared/store/keys';
import { loadOrCreateSigningSecret } from '../../infra/local/dev-secrets.ts';
import { type AnyBody, type ApiClient, api, eventually, tokenFor, uniqueTenant } from '../support/api.ts';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';
import { testContext } from '../support/http-event.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * Web-to-lead forms: the admin routes, the public submit in both encodings,
 * spam defences and double opt-in. Submissions through the runtime all come
 * from 127.0.0.1, which the per-address limit (10 per 10 minutes per tenant)
 * would stop: each tenant here sends fewer, and the limits themselves are
 * tested on a handler built with small limits and a fixed clock.
 */

let world: World;

beforeAll(async () => {
  world = await createWorld();
});

const contactForm = (fields: Record<string, unknown> = {}) => ({
  name: unique('Contact us'),
  fields: [
    { field: 'firstName', label: 'First name' },
    { field: 'lastName' },
    { field: 'email', required: true },
    { field: 'country' },
  ],
  ...fields,
});

async function newForm(client: ApiClient, fields: Record<string, unknown> = {}) {
  const response = await client.post('/forms', contactForm(fields));
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; submitUrl: string; embedHtml: string; version: number };
}

/** The path of a form's public submit URL (`/f/<public id>`), for the test client. */
const submitPath = (form: { submitUrl: string }) => new URL(form.submitUrl).pathname;

const formPost = (client: ApiClient, path: string, fields: Record<string, string>, headers = {}) =>
  client.raw('POST', path, new URLSearchParams(fields).toString(), {
    'content-type': 'application/x-www-form-urlencoded',
    ...headers,
  });

const publicClient = () => api(undefined);

/** The web leads of a tenant with this email (the list is read from an index: waited for). */
async function webLeads(client: ApiClient, email: string, count = 1): Promise<AnyBody[]> {
  return eventually(async () => {
    const response = await client.get('/leads?source=web&limit=200');
    expect(response.status).toBe(200);
    const found = (response.body.items as AnyBody[]).filter((lead) => lead.email === email);
    expect(found).toHaveLength(count);
    return found;
  });
}

describe('form definitions', () => {
  it('creates a form with its submit URL and embed snippet, and lists, changes and archives it', async () => {
    const form = await newForm(world.admin.client, { redirectUrl: 'https://www.example.com/thanks' });
    expect(form).toMatchObject({ doubleOptIn: false, honeypotField: 'website', version: 1 });
    expect(form.submitUrl).toMatch(/\/f\/[A-Za-z0-9_-]+$/);
    expect(form.embedHtml).toContain(`action="${form.submitUrl}"`);
    expect(form.embedHtml).toContain('name="email" type="email" required');
    expect(form.embedHtml).toMatch(/left:-10000px.*name="website"/);

    const listed = await world.admin.client.get('/forms');
    expect(listed.body.items.map((item: AnyBody) => item.id)).toContain(form.id);

    const stale = await world.admin.client.patch(
      `/forms/${form.id}`,
      { name: 'Other' },
      { 'if-match': '"9"' },
    );
    expect(stale.status).toBe(412);
    const changed = await world.admin.client.patch(
      `/forms/${form.id}`,
      { fields: [{ field: 'firstName' }, { field: 'phone', required: true }], redirectUrl: null },
      { 'if-match': '"1"' },
    );
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.fields).toEqual([{ field: 'firstName' }, { field: 'phone', required: true }]);
    expect(changed.body.redirectUrl).toBeUndefined();
    // The public id is sealed from the tenant and the form: a change keeps embedded copies working.
    expect(changed.body.submitUrl).toBe(form.submitUrl);

    expect((await world.admin.client.delete(`/forms/${form.id}`)).status).toBe(204);
    const gone = await formPost(publicClient(), submitPath(form), {
      firstName: 'Ana',
      phone: '+34 600 000 000',
    });
    expect(gone.status).toBe(404);
    expect(gone.headers.get('content-type')).toMatch(/text\/html/);
    expect((await world.admin.client.post(`/forms/${form.id}/restore`)).status).toBe(200);
  });

  it('lists every problem of a form’s fields', async () => {
    const response = await world.admin.client.post('/forms', {
      name: 'Bad',
      fields: [
        { field: 'lastName' },
        { field: 'lastName' },
        { field: 'ownerId' },
        { field: 'customFields.nope' },
        { field: 'firstName', required: false },
      ],
      doubleOptIn: true,
    });
    expect(response.status).toBe(400);
    expect(response.body.errors).toEqual(
      expect.arrayContaining([
        { path: 'fields.1.field', message: 'must not repeat a field' },
        { path: 'fields.2.field', message: expect.stringContaining('must be one of') },
        { path: 'fields.3.field', message: 'is not a custom field of leads' },
        { path: 'fields.4.required', message: 'must not be false: every lead has a firstName' },
        { path: 'fields', message: 'must take email or phone, so that the lead can be reached' },
        { path: 'fields', message: 'must take email as a required field with doubleOptIn' },
      ]),
    );
  });

  it('is for admins only: managers and reps get 403, another tenant 404', async () => {
    const form = await newForm(world.admin.client);
    for (const member of [world.managerRed, world.repRed]) {
      expect((await member.client.get('/forms')).status).toBe(403);
      expect((await member.client.post('/forms', contactForm())).status).toBe(403);
      expect((await member.client.get(`/forms/${form.id}`)).status).toBe(403);
      expect((await member.client.patch(`/forms/${form.id}`, { name: 'x' })).status).toBe(403);
      expect((await member.client.delete(`/forms/${form.id}`)).status).toBe(403);
    }
    const stranger = world.stranger.client;
    expect((await stranger.get(`/forms/${form.id}`)).status).toBe(404);
    expect((await stranger.patch(`/forms/${form.id}`, { name: 'x' })).status).toBe(404);
    expect((await stranger.delete(`/forms/${form.id}`)).status).toBe(404);
    expect((await stranger.get('/forms')).body.items).toEqual([]);
  });
});

describe('public submit', () => {
  it('creates a web lead from a form post, owned by the assignment rule, with its UTM parameters and page', async () => {
    const rule = await world.admin.client.put('/settings/lead-assignment', {
      strategy: 'by_country',
      countries: { ES: world.repBlue.id },
    });
    expect(rule.status, rule.text).toBe(200);
    const form = await newForm(world.admin.client);
    const email = `${unique('ana')}@example.com`;
    const response = await formPost(
      publicClient(),
      `${submitPath(form)}?utm_source=newsletter&utm_medium=email`,
      {
        firstName: 'Ana',
        lastName: 'García',
        email,
        country: 'es',
        utm_campaign: 'spring',
        utm_medium: 'social',
        referrer: 'https://www.example.com/pricing?plan=pro',
        website: '',
        submit: 'Send',
      },
    );
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toMatch(/text\/html/);
    expect(response.text).toContain('Thank you');

    const [lead] = await webLeads(world.admin.client, email);
    const shown = (await world.admin.client.get(`/leads/${lead.id}`)).body;
    expect(shown).toMatchObject({
      firstName: 'Ana',
      lastName: 'García',
      country: 'ES',
      source: 'web',
      status: 'new',
      ownerId: world.repBlue.id,
      teamId: world.teams.blue,
      createdBy: 'system:web-form',
      formId: form.id,
      // The body's value wins over the query's; the query fills what the body lacks.
      utm: { source: 'newsletter', medium: 'social', campaign: 'spring' },
      referrer: 'https://www.example.com/pricing?plan=pro',
      marketingConsent: { status: 'not_asked', source: 'web_form', formId: form.id },
    });
    // The owner sees it like any lead they own, and it is told like any lead: lead.created on the bus.
    expect((await world.repBlue.client.get(`/leads/${lead.id}`)).status).toBe(200);
    await eventually(async () => {
      const events = await world.admin.client.get('/__local/events?type=lead.created');
      expect(events.body.items.map((event: AnyBody) => event.detail.data.id)).toContain(lead.id);
    });
  });

  it('takes JSON too, answering 201 {status} and nothing of the lead; 303 to the redirect URL for a form post', async () => {
    const form = await newForm(world.admin.client, { redirectUrl: 'https://www.example.com/thanks' });
    const email = `${unique('json')}@example.com`;
    const json = await publicClient().post(submitPath(form), { firstName: 'Bo', email, country: 'FR' });
    expect(json.status).toBe(201);
    expect(json.body).toEqual({ status: 'received' });
    const [lead] = await webLeads(world.admin.client, email);
    // No rule for FR: the rule falls back to the form's owner.
    expect(lead).toMatchObject({ source: 'web', ownerId: world.admin.id });

    const browser = await formPost(publicClient(), submitPath(form), {
      firstName: 'Cy',
      email: `${unique('cy')}@example.com`,
    });
    expect(browser.status).toBe(303);
    expect(browser.headers.get('location')).toBe('https://www.example.com/thanks');
  });

  it('answers invalid submissions with every bad field (a page for a browser) and 415 for other bodies', async () => {
    const form = await newForm(world.admin.client);
    const json = await publicClient().post(submitPath(form), { email: 'not-an-email', country: 'Spain' });
    expect(json.status).toBe(400);
    expect(json.headers.get('content-type')).toMatch(/problem\+json/);
    expect(json.body.errors.map((error: AnyBody) => error.path).sort()).toEqual([
      'country',
      'email',
      'firstName',
    ]);

    const page = await formPost(publicClient(), submitPath(form), { firstName: 'Di', email: '' });
    expect(page.status).toBe(400);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
    expect(page.text).toContain('<li>Email is required</li>');

    const text = await publicClient().raw('POST', submitPath(form), 'firstName=Ed', {
      'content-type': 'text/plain',
    });
    expect(text.status).toBe(415);
  });
});

describe('spam and tenants', () => {
  it('answers a filled honeypot like a success and creates nothing', async () => {
    const admin = api(await tokenFor({ tenant: uniqueTenant(), role: 'admin', user: 'admin-honeypot' }));
    const form = await newForm(admin);
    const email = `${unique('bot')}@example.com`;
    const json = await publicClient().post(submitPath(form), {
      firstName: 'Bot',
      email,
      website: 'http://spam.example',
    });
    expect(json.status).toBe(201);
    expect(json.body).toEqual({ status: 'received' });
    const page = await formPost(publicClient(), submitPath(form), { firstName: 'Bot', email, website: 'x' });
    expect(page.status).toBe(201);
    expect(page.text).toContain('Thank you');
    // A real submission after them is listed; the bots' never are.
    const real = `${unique('real')}@example.com`;
    expect((await publicClient().post(submitPath(form), { firstName: 'Real', email: real })).status).toBe(
      201,
    );
    await webLeads(admin, real);
    const all = (await admin.get('/leads?limit=200')).body.items as AnyBody[];
    expect(all.map((lead) => lead.email)).toEqual([real]);
  });

  it('answers 404 for unknown, garbled or tampered public ids, and a form only ever fills its own tenant', async () => {
    const form = await newForm(world.admin.client);
    const path = submitPath(form);
    const token = path.slice('/f/'.length);
    const flipped = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    for (const bad of ['/f/nope', `/f/${flipped}`, `/f/${form.id}`]) {
      const response = await publicClient().post(bad, { firstName: 'X', email: 'x@example.com' });
      expect(response.status, bad).toBe(404);
    }
    // The stranger's tenant holds no leads before or after a submission to this tenant's form.
    const email = `${unique('iso')}@example.com`;
    expect((await publicClient().post(path, { firstName: 'Iso', email })).status).toBe(201);
    await webLeads(world.admin.client, email);
    expect((await world.stranger.client.get('/leads?source=web')).body.items).toEqual([]);
  });
});

interface StoredEmail {
  readonly destination: { readonly to: string[] };
  readonly subject: string;
  readonly body: { readonly text?: string };
}

async function confirmationEmail(to: string): Promise<StoredEmail> {
  return eventually(async () => {
    const response = await fetch(`${inject('sesEndpoint')}/store`);
    const { emails } = (await response.json()) as { emails: StoredEmail[] };
    const found = emails.filter((email) => email.destination.to.some((address) => address.includes(to)));
    expect(found).toHaveLength(1);
    return found[0] as StoredEmail;
  });
}

describe('double opt-in', () => {
  it('emails a link, subscribes only once it is clicked, and says so on a second click', async () => {
    const admin = api(await tokenFor({ tenant: uniqueTenant(), role: 'admin', user: 'admin-optin' }));
    const form = await newForm(admin, { doubleOptIn: true });
    const email = `${unique('optin')}@example.com`;
    const response = await publicClient().post(submitPath(form), { firstName: 'Olga', email });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ status: 'confirmation_required' });
    const [lead] = await webLeads(admin, email);
    expect(lead.marketingConsent).toMatchObject({ status: 'pending', source: 'web_form', formId: form.id });
    expect(lead.marketingConsent.consentedAt).toBeUndefined();

    const mail = await confirmationEmail(email);
    expect(mail.subject).toContain('Please confirm your subscription');
    const link = new URL(/(http\S+\/confirm\?token=[A-Za-z0-9_-]+)/.exec(mail.body.text ?? '')?.[1] ?? '');
    expect(link.pathname).toBe(`${submitPath(form)}/confirm`);

    // A tampered link: a page for a browser, problem+json for any other client.
    const tamperedPath = `${link.pathname}?token=${link.searchParams.get('token')?.slice(0, -2)}AA`;
    const tampered = await publicClient().get(tamperedPath, { accept: 'text/html,application/xhtml+xml' });
    expect(tampered.status).toBe(404);
    expect(tampered.text).toContain('Link not found');
    const problem = await publicClient().get(tamperedPath);
    expect(problem.status).toBe(404);
    expect(problem.body).toMatchObject({ status: 404, detail: 'Link not found' });
    expect((await admin.get(`/leads/${lead.id}`)).body.marketingConsent.status).toBe('pending');

    const first = await publicClient().get(`${link.pathname}${link.search}`);
    expect(first.status).toBe(200);
    expect(first.text).toContain('You are subscribed');
    const confirmed = (await admin.get(`/leads/${lead.id}`)).body;
    expect(confirmed.marketingConsent).toMatchObject({
      status: 'subscribed',
      consentedAt: expect.any(String),
    });
    expect(confirmed.version).toBe(2);

    const second = await publicClient().get(`${link.pathname}${link.search}`);
    expect(second.status).toBe(200);
    expect(second.text).toContain('Already confirmed');
    expect((await admin.get(`/leads/${lead.id}`)).body.version).toBe(2);

    // The contact it converts into is subscribed: it consented.
    const converted = await admin.post(`/leads/${lead.id}/convert`, {});
    expect(converted.status, converted.text).toBe(200);
    expect(converted.body.contact.marketingStatus).toBe('subscribed');
  });

  it('converts a lead that never confirmed into an unsubscribed contact', async () => {
    const admin = api(await tokenFor({ tenant: uniqueTenant(), role: 'admin', user: 'admin-pending' }));
    const form = await newForm(admin, { doubleOptIn: true });
    const email = `${unique('pending')}@example.com`;
    expect((await publicClient().post(submitPath(form), { firstName: 'Pia', email })).status).toBe(201);
    const [lead] = await webLeads(admin, email);
    const converted = await admin.post(`/leads/${lead.id}/convert`, {});
    expect(converted.body.contact.marketingStatus).toBe('unsubscribed');
  });
});

describe('rate limits (a handler with small limits and a fixed clock)', () => {
  type Forms = typeof import('#functions/http/forms');
  let forms: Forms;

  beforeAll(async () => {
    useTestTable();
    process.env.SIGNING_SECRET = await loadOrCreateSigningSecret(inject('dataDir'));
    forms = await import('#functions/http/forms');
  });

  const submitEvent = (publicId: string, sourceIp: string, encoding: 'json' | 'form') =>
    ({
      version: '2.0',
      routeKey: 'POST /f/{formId}',
      rawPath: `/f/${publicId}`,
      rawQueryString: '',
      headers: {
        host: 'localhost',
        'content-type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
      },
      pathParameters: { formId: publicId },
      // Honeypot-filled: the limits apply before anything else, and nothing is created.
      body: encoding === 'json' ? JSON.stringify({ firstName: 'R', website: 'x' }) : 'firstName=R&website=x',
      isBase64Encoded: false,
      requestContext: { domainName: 'localhost', requestId: 'r', http: { method: 'POST', sourceIp } },
    }) as unknown as APIGatewayProxyEventV2WithJWTAuthorizer;

  it('answers 429 with Retry-After per source address and per form, until the next window', async () => {
    const tenant = uniqueTenant();
    const admin = api(await tokenFor({ tenant, role: 'admin', user: 'admin-limits' }));
    const publicId = submitPath(await newForm(admin)).slice('/f/'.length);
    let now = Date.parse('2030-01-01T10:00:15Z');
    const handler = forms.formsHandler({
      ...forms.defaultSubmitPolicy,
      perIp: { limit: 2, windowSeconds: 60 },
      perForm: { limit: 3, windowSeconds: 60 },
      now: () => now,
    });
    const send = (ip: string, encoding: 'json' | 'form' = 'json') =>
      handler(submitEvent(publicId, ip, encoding), testContext);

    expect((await send('203.0.113.5')).statusCode).toBe(201);
    expect((await send('203.0.113.5')).statusCode).toBe(201);
    const perIp = await send('203.0.113.5', 'form');
    expect(perIp.statusCode).toBe(429);
    expect(perIp.headers?.['retry-after']).toBe('45');
    expect(perIp.headers?.['content-type']).toMatch(/text\/html/);
    // Another address: its own bucket has room, and it takes the form's last submission.
    expect((await send('198.51.100.7')).statusCode).toBe(201);
    const perForm = await send('198.51.100.8');
    expect(perForm.statusCode).toBe(429);
    expect(perForm.headers?.['retry-after']).toBe('45');
    expect(JSON.parse(perForm.body ?? '{}')).toMatchObject({ status: 429 });

    // The bucket is keyed by a keyed hash of the address: the table never holds the address.
    const key = Buffer.from(process.env.SIGNING_SECRET ?? '', 'utf8');
    const bucket = formRateKey(
      tenant,
      `IP#${sourceAddressHash(tenant, '203.0.113.5', key)}`,
      now / 1000 - 15,
    );
    const { Item } = await dynamoClient().send(
      new GetItemCommand({ TableName: inject('tableName'), Key: marshall(bucket) }),
    );
    expect(Item?.submissions).toEqual({ N: '2' });
    expect(JSON.stringify(Item)).not.toContain('203.0.113.5');

    now += 45_000;
    expect((await send('203.0.113.5')).statusCode).toBe(201);
  });
});
