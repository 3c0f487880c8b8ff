import { at, ids, recordBase, users } from './common.ts';
import { contactExamples } from './crm.ts';

/** Segments, shares, templates, campaigns and sequences of the examples. */

const filter = {
  all: [
    { field: 'lifecycleStage', op: 'eq', value: 'customer' },
    { field: 'country', op: 'eq', value: 'ES' },
    { field: 'tags', op: 'eq', value: 'newsletter' },
  ],
};

export const segmentExamples = {
  create: {
    name: 'Spanish customers on the newsletter',
    description: 'Customers in Spain who asked for the monthly newsletter.',
    filter,
  },
  get record() {
    return { ...recordBase(ids.segment, 2), ...segmentExamples.create };
  },
  patch: { description: 'Customers in Spain on the newsletter (spring campaign audience).' },
  preview: {
    count: 318,
    sample: [
      {
        id: ids.contact,
        firstName: 'Ana',
        lastName: 'Ruiz',
        email: contactExamples.create.email,
        city: 'Valencia',
        country: 'ES',
        lifecycleStage: 'customer',
      },
    ],
  },
  interpret: { text: 'clientes de Valencia que abrieron la última campaña', lang: 'es' },
  interpreted: {
    filter: {
      all: [
        { field: 'lifecycleStage', op: 'eq', value: 'customer' },
        { field: 'city', op: 'eq', value: 'Valencia' },
        { field: 'engagement.opened', op: 'eq', value: ids.campaign },
      ],
    },
    explanation: [
      '"clientes" → etapa es cliente',
      '"de Valencia" → ciudad es Valencia',
      '"abrieron la última campaña" → abrió «Spring cold-chain offer»',
    ],
    unmatched: [],
    count: 57,
    lang: 'es',
  },
};

export const shareExamples = {
  create: { expiresInDays: 30, format: 'csv', label: 'Brightlane co-marketing list' },
  record: {
    id: ids.share,
    segmentId: ids.segment,
    format: 'csv',
    label: 'Brightlane co-marketing list',
    url: 'https://api.crm.example/l/eyJzIjoiMDFKQ1M2UDBKNFQ4VzJaNkMwRjRLOFAyUzYifQ.c2lnbmF0dXJl',
    expiresAt: '2026-12-20T10:00:00.000Z',
    createdAt: at.now,
    createdBy: users.rep.id,
    downloads: 0,
    state: 'active',
  },
  get list() {
    const { url: _url, ...listed } = shareExamples.record;
    return { items: [{ ...listed, downloads: 2, lastDownloadAt: '2026-11-21T12:02:11.000Z' }] };
  },
  downloads: {
    items: [
      {
        id: ids.download,
        at: '2026-11-21T12:02:11.000Z',
        format: 'csv',
        outcome: 'inline',
        rows: 318,
        bytes: 41230,
        ip: '203.0.113.24',
        userAgent: 'curl/8.5.0',
      },
    ],
    nextCursor: null,
  },
};

const templateHtml =
  '<p>Hola {{firstName}},</p><p>Our refrigerated pallets now ship from Valencia in 24 hours.</p>' +
  '<p><a href="https://northwind.example/cold-chain">See the spring offer</a></p>';

export const templateExamples = {
  create: {
    name: 'Spring cold-chain offer',
    subject: '{{firstName}}, 24-hour refrigerated delivery is here',
    html: templateHtml,
    text: 'Hola {{firstName}},\n\nOur refrigerated pallets now ship from Valencia in 24 hours.\nhttps://northwind.example/cold-chain',
  },
  get record() {
    return { ...recordBase(ids.template, 2), ...templateExamples.create };
  },
  patch: { subject: '{{firstName}}, next-day refrigerated delivery from Valencia' },
  render: { contactId: ids.contact },
  rendered: {
    subject: 'Ana, 24-hour refrigerated delivery is here',
    html:
      '<p>Hola Ana,</p><p>Our refrigerated pallets now ship from Valencia in 24 hours.</p>' +
      '<p><a href="https://northwind.example/cold-chain">See the spring offer</a></p>',
    text: 'Hola Ana,\n\nOur refrigerated pallets now ship from Valencia in 24 hours.\nhttps://northwind.example/cold-chain',
  },
};

export const campaignExamples = {
  create: {
    name: 'Spring cold-chain offer',
    templateId: ids.template,
    segmentId: ids.segment,
    fromEmail: 'news@northwind.example',
    fromName: 'Northwind Traders',
    replyTo: 'sales@northwind.example',
    budget: 1500,
    currency: 'EUR',
    variants: [
      { subject: '{{firstName}}, 24-hour refrigerated delivery is here' },
      { subject: 'Next-day cold chain from Valencia' },
    ],
    testPercent: 20,
    winnerBy: 'clicks',
    decideAfterHours: 4,
  },
  get record() {
    return { ...recordBase(ids.campaign, 2), ...campaignExamples.create, status: 'draft' };
  },
  patch: { budget: 1800 },
  schedule: { at: '2026-11-25T08:00:00.000Z' },
  get scheduled() {
    return {
      ...campaignExamples.record,
      version: 3,
      status: 'scheduled',
      scheduledAt: '2026-11-25T08:00:00.000Z',
    };
  },
  get sending() {
    return {
      ...campaignExamples.record,
      version: 4,
      status: 'sending',
      startedAt: at.sent,
      recipientCount: 318,
      phase: 'queued',
      linkBaseUrl: 'https://api.crm.example',
    };
  },
  get paused() {
    return {
      ...campaignExamples.sending,
      version: 5,
      status: 'paused',
      pausedAt: '2026-11-12T08:20:00.000Z',
    };
  },
  get resumed() {
    const { pausedAt: _pausedAt, ...paused } = campaignExamples.paused;
    return { ...paused, version: 6, status: 'sending' };
  },
  get canceled() {
    return {
      ...campaignExamples.paused,
      version: 6,
      status: 'canceled',
      canceledAt: '2026-11-12T08:25:00.000Z',
      cancelReason: 'Wrong price in the offer',
    };
  },
  stats: {
    recipients: 318,
    sent: 316,
    delivered: 312,
    opened: 141,
    clicked: 38,
    machineOpened: 22,
    bounced: 4,
    complained: 0,
    unsubscribed: 3,
    suppressed: 2,
    failed: 0,
    canceled: 0,
    openRate: 0.452,
    clickRate: 0.122,
    bounceRate: 0.013,
    complaintRate: 0,
    humanOpens: 141,
    machineOpens: 22,
    clickToOpenRate: 0.27,
    unsubscribeRate: 0.01,
  },
  recipients: {
    items: [
      {
        contactId: ids.contact,
        email: contactExamples.create.email,
        variant: 0,
        group: 'test',
        status: 'sent',
        messageId: '0102018f3c2a9d1e-5b7c9e21-4a6f-4e0b-9a1d-2c3e4f5a6b7c-000000',
        sentAt: at.sent,
        deliveredAt: '2026-11-12T08:00:02.000Z',
        openedAt: '2026-11-12T08:29:10.000Z',
        clickedAt: at.clicked,
      },
    ],
    nextCursor: null,
  },
};

export const sequenceExamples = {
  create: {
    name: 'New customer onboarding',
    steps: [
      { delayHours: 0, templateId: ids.template, condition: 'always' },
      { delayHours: 72, templateId: ids.secondTemplate, condition: 'not_opened' },
    ],
    exitOn: ['replied', 'unsubscribed'],
    fromEmail: 'onboarding@northwind.example',
    fromName: 'Northwind onboarding',
  },
  get record() {
    return { ...recordBase(ids.sequence, 1), ...sequenceExamples.create };
  },
  patch: { exitOn: ['replied', 'unsubscribed', 'case_opened'] },
  enroll: { contactIds: [ids.contact, ids.secondContact] },
  enrolled: {
    enrolled: [ids.contact],
    skipped: [{ contactId: ids.secondContact, reason: 'already_enrolled' }],
  },
  enrollmentJob: {
    id: '01JD5Q6V7W8X9Y0Z1A2B3C4D5E',
    sequenceId: ids.sequence,
    segmentId: ids.segment,
    status: 'done',
    requestedBy: users.rep.id,
    createdAt: '2026-11-20T09:00:00.000Z',
    updatedAt: '2026-11-20T09:01:12.000Z',
    chunks: 25,
    chunksDone: 25,
    enrolled: 2391,
    skipped: {
      already_enrolled: 40,
      previously_enrolled: 12,
      not_found: 0,
      no_email: 31,
      not_subscribed: 18,
      suppressed: 3,
    },
    finishedAt: '2026-11-20T09:01:12.000Z',
  },
  enrollment: {
    sequenceId: ids.sequence,
    contactId: ids.contact,
    status: 'active',
    currentStep: 1,
    nextStepAt: '2026-11-23T10:00:00.000Z',
    enrolledAt: at.now,
    enrolledBy: users.rep.id,
    updatedAt: at.now,
  },
};
