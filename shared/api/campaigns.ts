import { campaignSchemas } from '../schemas/campaigns.ts';
import { listOf } from '../schemas/common.ts';
import { defineRoutes } from './route.ts';

const record = () => campaignSchemas().record;

export const campaignRoutes = defineRoutes([
  {
    method: 'GET',
    path: '/campaigns',
    operationId: 'listCampaigns',
    summary: 'List campaigns, newest first; `status` filters, `q` is a name prefix',
    query: () => campaignSchemas().listQuery,
    response: () => listOf(record()),
    status: 200,
  },
  {
    method: 'POST',
    path: '/campaigns',
    operationId: 'createCampaign',
    summary:
      'Create a draft campaign: a template sent to a segment; `variants` (2-4 subjects) with `testPercent` and `decideAfterHours` make it an A/B subject test',
    body: () => campaignSchemas().create,
    response: record,
    status: 201,
    headers: ['Idempotency-Key'],
  },
  {
    method: 'GET',
    path: '/campaigns/{id}',
    operationId: 'getCampaign',
    summary: 'Read a campaign',
    response: record,
    status: 200,
  },
  {
    method: 'PATCH',
    path: '/campaigns/{id}',
    operationId: 'updateCampaign',
    summary:
      'Change a draft or scheduled campaign (JSON merge patch; `"variants": null` removes the whole A/B test); 409 once sending began',
    body: () => campaignSchemas().patch,
    response: record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'DELETE',
    path: '/campaigns/{id}',
    operationId: 'archiveCampaign',
    summary: 'Archive a draft, sent or canceled campaign; 409 while scheduled, sending or paused',
    status: 204,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/campaigns/{id}/restore',
    operationId: 'restoreCampaign',
    summary: 'Restore an archived campaign',
    response: record,
    status: 200,
  },
  {
    method: 'POST',
    path: '/campaigns/{id}/schedule',
    operationId: 'scheduleCampaign',
    summary:
      'Schedule a draft campaign (or move a scheduled one) to start at `at`, which must be in the future',
    body: () => campaignSchemas().schedule,
    response: record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/campaigns/{id}/send',
    operationId: 'sendCampaign',
    summary: 'Start sending a draft or scheduled campaign now',
    response: record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/campaigns/{id}/pause',
    operationId: 'pauseCampaign',
    summary: 'Pause a sending campaign; takes effect within one batch of recipients',
    response: record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/campaigns/{id}/resume',
    operationId: 'resumeCampaign',
    summary: 'Resume a paused campaign: its pending recipients are sent',
    response: record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'POST',
    path: '/campaigns/{id}/cancel',
    operationId: 'cancelCampaign',
    summary: 'Cancel a scheduled, sending or paused campaign; recipients not yet sent become `canceled`',
    response: record,
    status: 200,
    headers: ['If-Match'],
  },
  {
    method: 'GET',
    path: '/campaigns/{id}/stats',
    operationId: 'getCampaignStats',
    summary:
      'Counts per campaign (opened/clicked: unique recipients; humanOpens: the same as opened; machineOpens/machineOpened: recipients only mail-privacy proxies or scanners opened) and rates: opens and clicks over delivered (over sent until deliveries are reported), click-to-open over human opens, bounces, complaints and unsubscribes over sent. An A/B campaign adds `variants` (its test group per subject: recipients, sent, delivered, humanOpens, clicks, openRate, clickRate), `rest` (the same figures for the recipients sent the winner) and, once decided, `winner` (`by: default` with `reason: nothing_delivered` when no test email was delivered)',
    response: () => campaignSchemas().stats,
    status: 200,
  },
  {
    method: 'GET',
    path: '/campaigns/{id}/recipients',
    operationId: 'listCampaignRecipients',
    summary: "A campaign's recipients in contact order, all or in one `status`",
    query: () => campaignSchemas().recipientsQuery,
    response: () => listOf(campaignSchemas().recipient),
    status: 200,
  },
]);
