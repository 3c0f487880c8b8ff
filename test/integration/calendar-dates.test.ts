import { beforeAll, describe, expect, it } from 'vitest';
import type { ApiResponse } from '../support/api.ts';
import { createWorld, unique, type World } from './world.ts';

/** Days and times that do not exist; `Date.parse` would roll each over into a real one. */
const IMPOSSIBLE_DATE_TIMES = ['2030-02-30T10:00:00Z', '2030-04-31T09:00:00Z', '2030-01-31T24:00:00Z'];
const IMPOSSIBLE_DATES = ['2030-02-30', '2029-02-29', '2030-06-31'];

let world: World;
let dealId: string;
let campaignId: string;

const refused = (response: ApiResponse, path: string) => {
  expect(response.status, response.text).toBe(400);
  expect(response.headers.get('content-type')).toContain('application/problem+json');
  expect(response.body.errors.map((error: { path: string }) => error.path)).toContain(path);
};

beforeAll(async () => {
  world = await createWorld();
  const admin = world.admin.client;
  dealId = (await admin.post('/deals', { name: unique('Dated deal') })).body.id;
  const template = await admin.post('/templates', { name: unique('T'), subject: 'Hi', html: '<p>Hi</p>' });
  const segment = await admin.post('/segments', {
    name: unique('S'),
    filter: { all: [{ field: 'email', op: 'exists' }] },
  });
  const campaign = await admin.post('/campaigns', {
    name: unique('C'),
    templateId: template.body.id,
    segmentId: segment.body.id,
    fromEmail: 'sales@example.com',
  });
  expect(campaign.status, campaign.text).toBe(201);
  campaignId = campaign.body.id;
});

describe('every date and date-time input is checked against the calendar', () => {
  it('segment values: createdAt lt 2030-02-30T10:00:00Z is refused, not stored as March 2nd', async () => {
    for (const value of [...IMPOSSIBLE_DATE_TIMES, ...IMPOSSIBLE_DATES]) {
      const response = await world.admin.client.post('/segments', {
        name: unique('Dates'),
        filter: { all: [{ field: 'createdAt', op: 'lt', value }] },
      });
      refused(response, 'filter.all[0].value');
    }
    const leap = await world.admin.client.post('/segments', {
      name: unique('Leap'),
      filter: { all: [{ field: 'createdAt', op: 'lt', value: '2028-02-29T10:00:00Z' }] },
    });
    expect(leap.status, leap.text).toBe(201);
  });

  it('activities: dueAt, remindAt and the dueBefore filter', async () => {
    for (const value of IMPOSSIBLE_DATE_TIMES) {
      for (const field of ['dueAt', 'remindAt']) {
        refused(
          await world.admin.client.post('/activities', { type: 'task', subject: 'x', [field]: value }),
          field,
        );
      }
      refused(
        await world.admin.client.get(`/activities?dueBefore=${encodeURIComponent(value)}`),
        'dueBefore',
      );
    }
    const created = await world.admin.client.post('/activities', {
      type: 'task',
      subject: 'Leap day call',
      dueAt: '2028-02-29T10:00:00+01:00',
    });
    expect(created.status, created.text).toBe(201);
    expect(created.body.dueAt).toBe('2028-02-29T09:00:00.000Z');
    refused(
      await world.admin.client.patch(`/activities/${created.body.id}`, { dueAt: '2030-02-30T10:00:00Z' }),
      'dueAt',
    );
  });

  it('deals: expectedCloseDate on create and patch', async () => {
    for (const value of IMPOSSIBLE_DATES) {
      refused(
        await world.admin.client.post('/deals', { name: unique('D'), expectedCloseDate: value }),
        'expectedCloseDate',
      );
      refused(
        await world.admin.client.patch(`/deals/${dealId}`, { expectedCloseDate: value }),
        'expectedCloseDate',
      );
    }
  });

  it('quotes: validUntil as a date or a date-time', async () => {
    const lines = [{ description: 'Unit', quantity: 1, unitPrice: 10 }];
    for (const value of [...IMPOSSIBLE_DATES, ...IMPOSSIBLE_DATE_TIMES]) {
      refused(
        await world.admin.client.post(`/deals/${dealId}/quotes`, {
          lines,
          validUntil: value,
          currency: 'EUR',
        }),
        'validUntil',
      );
    }
    const leap = await world.admin.client.post(`/deals/${dealId}/quotes`, {
      lines,
      validUntil: '2096-02-29',
      currency: 'EUR',
    });
    expect(leap.status, leap.text).toBe(201);
  });

  it('campaign schedules: at', async () => {
    for (const value of IMPOSSIBLE_DATE_TIMES) {
      refused(await world.admin.client.post(`/campaigns/${campaignId}/schedule`, { at: value }), 'at');
    }
  });
});
