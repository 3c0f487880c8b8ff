import { at, changed, ids, type RecordExample, recordBase, users } from './common.ts';
import { leadExamples } from './crm.ts';

/** Pipelines, deals, products and quotes of the examples. */

const stages = [
  { id: ids.stageQualified, name: 'Qualified', probability: 20, kind: 'open' },
  { id: ids.stageProposal, name: 'Proposal', probability: 50, kind: 'open' },
  { id: ids.stageNegotiation, name: 'Negotiation', probability: 75, kind: 'open' },
  { id: ids.stageWon, name: 'Won', probability: 100, kind: 'won' },
  { id: ids.stageLost, name: 'Lost', probability: 0, kind: 'lost' },
];

export const pipelineExamples = {
  create: {
    name: 'New business',
    stages: stages.map(({ id: _id, ...stage }) => stage),
  },
  record: {
    ...recordBase(ids.pipeline, 2),
    ownerId: users.admin.id,
    name: 'New business',
    stages,
    isDefault: true,
  },
  patch: {
    stages: [...stages.slice(0, 2), { ...stages[2], probability: 80 }, ...stages.slice(3)],
  },
};

export const dealExamples = {
  create: {
    name: 'Northwind Traders: 2027 supply renewal',
    amount: 42000,
    currency: 'EUR',
    pipelineId: ids.pipeline,
    stageId: ids.stageProposal,
    companyId: ids.company,
    contactIds: [ids.contact],
    productIds: [ids.product],
    expectedCloseDate: '2026-12-15',
    source: 'referral',
    country: 'ES',
  },
  get record(): RecordExample {
    return {
      ...recordBase(ids.deal, 5),
      ...dealExamples.create,
      customFields: {},
      status: 'open',
      probability: 50,
      stageEnteredAt: at.updated,
      productLines: [{ productId: ids.product, quantity: 12, total: 42000 }],
      lastActivityAt: at.lastActivity,
    };
  },
  patch: { stageId: ids.stageNegotiation, amount: 45500 },
  get updated(): object {
    return { ...changed(dealExamples.record, dealExamples.patch), probability: 75, stageEnteredAt: at.now };
  },
  history: {
    items: [
      {
        id: ids.historyEntry,
        dealId: ids.deal,
        from: { stageId: ids.stageQualified, name: 'Qualified' },
        to: { stageId: ids.stageProposal, name: 'Proposal' },
        status: 'open',
        amount: 42000,
        currency: 'EUR',
        by: users.rep.id,
        at: at.updated,
      },
    ],
    nextCursor: null,
  },
};

/** A converted lead: the lead marked converted, and the contact, company and deal made from it. */
export const leadConversion = {
  get lead() {
    return {
      ...leadExamples.record,
      version: 3,
      updatedAt: at.now,
      status: 'converted',
      convertedAt: at.now,
      contactId: ids.convertedContact,
      companyId: ids.convertedCompany,
      dealId: ids.convertedDeal,
    };
  },
  get response() {
    const made = { ...recordBase(ids.convertedContact, 1), createdAt: at.now, updatedAt: at.now };
    return {
      lead: leadConversion.lead,
      contact: {
        ...made,
        firstName: 'Pablo',
        lastName: 'Serrano',
        email: 'pablo.serrano@brightlane.example',
        phone: '+34 699 112 233',
        companyId: ids.convertedCompany,
        country: 'ES',
        tags: [],
        lifecycleStage: 'opportunity',
        marketingStatus: 'subscribed',
        customFields: {},
      },
      company: {
        ...made,
        id: ids.convertedCompany,
        name: 'Brightlane Logistics',
        country: 'ES',
        tags: [],
        customFields: {},
      },
      deal: {
        ...made,
        id: ids.convertedDeal,
        ...leadExamples.convert.deal,
        companyId: ids.convertedCompany,
        contactIds: [ids.convertedContact],
        productIds: [],
        source: 'web',
        country: 'ES',
        campaignId: ids.campaign,
        status: 'open',
        probability: 20,
        stageEnteredAt: at.now,
      },
    };
  },
};

export const productExamples = {
  create: {
    name: 'Refrigerated pallet rental (monthly)',
    sku: 'PAL-REF-01',
    unitPrice: 3500,
    currency: 'EUR',
    description: 'One refrigerated pallet position, 2-8 °C, billed per month.',
  },
  get record() {
    return { ...recordBase(ids.product, 2), ownerId: users.manager.id, ...productExamples.create };
  },
  patch: { unitPrice: 3650 },
};

const quoteLines = [
  {
    productId: ids.product,
    description: 'Refrigerated pallet rental (monthly)',
    quantity: 12,
    unitPrice: 3500,
    discountPct: 10,
  },
  { description: 'Onboarding and temperature logging setup', quantity: 1, unitPrice: 1200 },
];

export const quoteExamples = {
  create: { lines: quoteLines, validUntil: '2026-12-31', currency: 'EUR' },
  record: {
    ...recordBase(ids.quote, 1),
    dealId: ids.deal,
    number: 'Q-2026-0042',
    status: 'draft',
    currency: 'EUR',
    lines: [
      { ...quoteLines[0], lineTotal: 37800 },
      { ...quoteLines[1], lineTotal: 1200 },
    ],
    subtotal: 43200,
    discount: 4200,
    total: 39000,
    validUntil: '2026-12-31',
  },
  patch: { validUntil: '2027-01-15' },
  get sent() {
    return { ...quoteExamples.record, version: 2, status: 'sent', sentAt: at.now };
  },
  get accepted() {
    return { ...quoteExamples.sent, version: 3, status: 'accepted', acceptedAt: '2026-11-24T15:20:00.000Z' };
  },
  get rejected() {
    return { ...quoteExamples.sent, version: 3, status: 'rejected', rejectedAt: '2026-11-24T15:20:00.000Z' };
  },
};

export const userExamples = {
  me: {
    id: users.rep.id,
    tenantId: 'northwind',
    email: users.rep.email,
    name: users.rep.name,
    role: 'rep',
    teamId: ids.team,
  },
  create: { email: users.rep.email, name: users.rep.name, role: 'rep', teamId: ids.team },
  record: {
    ...recordBase(users.rep.id, 1),
    createdBy: users.admin.id,
    updatedBy: users.admin.id,
    ownerId: users.admin.id,
    email: users.rep.email,
    name: users.rep.name,
    role: 'rep',
    active: true,
  },
  patch: { role: 'manager' },
};

/** A team is no team's record: the base without `teamId`. */
const recordBaseWithoutTeam = (id: string) => {
  const { teamId: _teamId, ...base } = recordBase(id, 1);
  return base;
};

export const teamExamples = {
  create: { name: 'Iberia sales' },
  record: {
    ...recordBaseWithoutTeam(ids.team),
    createdBy: users.admin.id,
    updatedBy: users.admin.id,
    ownerId: users.admin.id,
    name: 'Iberia sales',
  },
  patch: { name: 'Iberia and Portugal sales' },
};
