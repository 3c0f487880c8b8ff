import { describe, expect, it } from 'vitest';
import {
  companyFromLead,
  contactFromLead,
  convertedLead,
  dealFromLead,
  ownerOf,
} from '#shared/domain/lead-conversion';
import { defaultStageSpecs } from '#shared/domain/pipeline';
import type { Lead, Pipeline } from '#shared/store/entities';
import { conversionItems } from '#shared/store/lead-conversion';
import type { StoredRecord } from '#shared/store/records';

process.env.TABLE_NAME = 'crm-test';

const now = '2026-01-02T03:04:05.000Z';
const lead: Lead = {
  id: 'LEAD1',
  createdAt: now,
  updatedAt: now,
  version: 3,
  ownerId: 'rep',
  teamId: 'red',
  archived: false,
  firstName: 'Ana',
  lastName: 'Núñez',
  email: 'ana@example.com',
  phone: '+34 600 000 000',
  country: 'ES',
  companyName: 'Núñez SL',
  source: 'web',
  status: 'qualified',
};
const base = (id: string): StoredRecord => ({
  id,
  createdAt: now,
  updatedAt: now,
  version: 1,
  archived: false,
  ...ownerOf(lead),
});
const pipeline: Pipeline = {
  ...base('PIPE'),
  name: 'Sales',
  stages: defaultStageSpecs.map((stage) => ({ ...stage, id: `S-${stage.name}` })),
};

describe('lead conversion records', () => {
  it('makes the contact from the lead’s person fields, owned like the lead', () => {
    expect(contactFromLead(lead, base('C1'), 'CO1', true)).toEqual({
      ...base('C1'),
      ownerId: 'rep',
      teamId: 'red',
      firstName: 'Ana',
      lastName: 'Núñez',
      email: 'ana@example.com',
      phone: '+34 600 000 000',
      country: 'ES',
      companyId: 'CO1',
      lifecycleStage: 'opportunity',
      tags: [],
      customFields: {},
      marketingStatus: 'subscribed',
    });
    expect(contactFromLead({ ...lead, email: undefined }, base('C2'), undefined, false)).not.toHaveProperty(
      'email',
    );
  });

  it('makes a company only from a companyName, without a domain', () => {
    expect(companyFromLead(lead, base('CO1'))).toMatchObject({ name: 'Núñez SL', country: 'ES', tags: [] });
    expect(companyFromLead(lead, base('CO1'))).not.toHaveProperty('domain');
    expect(companyFromLead({ ...lead, companyName: undefined }, base('CO1'))).toBeUndefined();
  });

  it('places the deal by the stage rules and refuses a lost stage', () => {
    const placed = dealFromLead(
      base('D1'),
      { name: 'Deal', amount: 10.5, currency: 'EUR' },
      pipeline,
      'S-proposal',
      {
        contactId: 'C1',
        companyId: 'CO1',
      },
    );
    expect(placed).toMatchObject({
      ok: true,
      deal: { stageId: 'S-proposal', status: 'open', probability: 50, contactIds: ['C1'], companyId: 'CO1' },
    });
    const won = dealFromLead(base('D1'), { name: 'Deal' }, pipeline, 'S-won', { contactId: 'C1' });
    expect(won).toMatchObject({ ok: true, deal: { status: 'won', closedAt: now } });
    expect(dealFromLead(base('D1'), { name: 'Deal' }, pipeline, 'S-lost', { contactId: 'C1' })).toMatchObject(
      {
        ok: false,
        path: 'stageId',
      },
    );
    expect(
      dealFromLead(base('D1'), { name: 'Deal' }, pipeline, 'elsewhere', { contactId: 'C1' }),
    ).toMatchObject({
      ok: false,
      path: 'stageId',
    });
  });

  it('marks the lead converted with its links and the next version', () => {
    expect(convertedLead(lead, { contactId: 'C1', dealId: 'D1' }, now)).toMatchObject({
      status: 'converted',
      convertedAt: now,
      contactId: 'C1',
      dealId: 'D1',
      version: 4,
    });
  });
});

describe('lead conversion transaction', () => {
  const contact = contactFromLead(lead, base('C1'), 'CO1', true);
  const company = companyFromLead(lead, base('CO1'));
  const placed = dealFromLead(base('D1'), { name: 'Deal' }, pipeline, 'S-proposal', { contactId: 'C1' });
  if (!company || !placed.ok) throw new Error('fixture');
  const after = convertedLead(lead, { contactId: 'C1', companyId: 'CO1', dealId: 'D1' }, now);

  it('writes lead, contact + email, company, pipeline check, deal + history: 7 items, lead first', () => {
    const items = conversionItems(
      'acme',
      {
        before: lead,
        after,
        contact: { create: contact },
        company: { create: company },
        deal: { deal: placed.deal, pipeline },
      },
      'rep',
    );
    // The 7 items of the conversion, then the search words of the records' later name words.
    const words = items.slice(7);
    expect(words.length).toBeGreaterThan(0);
    for (const word of words) expect(word.Put?.Item?.entity).toBe('search-word');
    expect(items[0]?.Put?.ConditionExpression).toBe('version = :version AND #status <> :converted');
    expect(items[0]?.Put?.ExpressionAttributeValues).toEqual({ ':version': 3, ':converted': 'converted' });
    expect(items[1]?.Put?.Item?.entity).toBe('contact');
    expect(items[2]?.Put?.Item?.pk).toBe('T#acme#UNIQUE#CONTACT_EMAIL#ana@example.com');
    expect(items[3]?.Put?.Item?.entity).toBe('company');
    expect(items[4]?.ConditionCheck?.Key?.pk).toBe('T#acme#PIPELINE#PIPE');
    expect(items[5]?.Put?.Item?.entity).toBe('deal');
    expect(items[6]?.Put?.Item?.entity).toBe('deal-history');
  });

  it('only checks records it links, and writes no company when there is none', () => {
    const items = conversionItems('acme', { before: lead, after, contact: { link: contact } }, 'rep');
    expect(items.filter((item) => item.Put?.Item?.entity !== 'search-word')).toHaveLength(2);
    expect(items[1]?.ConditionCheck?.Key?.pk).toBe('T#acme#CONTACT#C1');
    expect(items[1]?.ConditionCheck?.ConditionExpression).toContain('archived = :false');
  });
});
