import { at, ids, recordBase, users } from './common.ts';

/** Companies, contacts and leads of the examples. */

export const companyExamples = {
  create: {
    name: 'Northwind Traders',
    domain: 'northwind-traders.example',
    industry: 'Food distribution',
    size: 240,
    country: 'ES',
    city: 'Valencia',
    phone: '+34 961 234 567',
    website: 'https://northwind-traders.example',
    tags: ['wholesale', 'key-account'],
    customFields: { tier: 'gold' },
  },
  get record() {
    return {
      ...recordBase(ids.company),
      ...companyExamples.create,
      ownerId: users.rep.id,
    };
  },
  patch: { size: 260, tags: ['wholesale', 'key-account', 'renewal-2027'] },
};

export const contactExamples = {
  create: {
    firstName: 'Ana',
    lastName: 'Ruiz',
    email: 'ana.ruiz@northwind-traders.example',
    phone: '+34 612 345 678',
    companyId: ids.company,
    title: 'Head of Purchasing',
    country: 'ES',
    city: 'Valencia',
    tags: ['decision-maker', 'newsletter'],
    lifecycleStage: 'customer',
    customFields: { tier: 'gold', preferredLanguage: 'es' },
  },
  get record() {
    return {
      ...recordBase(ids.contact, 4),
      ...contactExamples.create,
      marketingStatus: 'subscribed',
      lastActivityAt: at.lastActivity,
      lastClickedCampaignId: ids.campaign,
      lastClickedAt: at.clicked,
      engagementScore: 72,
    };
  },
  get second() {
    return {
      ...recordBase(ids.secondContact, 1),
      firstName: 'Tomás',
      lastName: 'Ortega',
      email: 'tomas.ortega@northwind-traders.example',
      companyId: ids.company,
      title: 'Operations Manager',
      country: 'ES',
      city: 'Valencia',
      tags: [],
      lifecycleStage: 'opportunity',
      marketingStatus: 'subscribed',
      customFields: {},
      engagementScore: 35,
    };
  },
  patch: { title: 'Purchasing Director', tags: ['decision-maker', 'newsletter', 'vip'] },
};

export const leadExamples = {
  create: {
    firstName: 'Pablo',
    lastName: 'Serrano',
    email: 'pablo.serrano@brightlane.example',
    companyName: 'Brightlane Logistics',
    phone: '+34 699 112 233',
    source: 'web',
    country: 'ES',
    campaignId: ids.campaign,
  },
  get record() {
    return {
      ...recordBase(ids.lead, 2),
      ...leadExamples.create,
      customFields: {},
      status: 'qualified',
    };
  },
  patch: { status: 'qualified' },
  convert: {
    deal: {
      name: 'Brightlane Logistics: cold-chain pallets',
      amount: 18500,
      currency: 'EUR',
      pipelineId: ids.pipeline,
      stageId: ids.stageQualified,
    },
  },
};
