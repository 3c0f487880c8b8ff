import type { RouteExamples } from '../../route.ts';
import { changed, page } from '../common.ts';
import { campaignExamples } from '../marketing.ts';

/** Examples of the campaigns routes for the OpenAPI document, by operationId. */
export const campaignsRouteExamples = {
  listCampaigns: { response: page(campaignExamples.record) },
  createCampaign: { request: campaignExamples.create, response: campaignExamples.record },
  getCampaign: { response: campaignExamples.record },
  updateCampaign: {
    request: campaignExamples.patch,
    response: changed(campaignExamples.record, campaignExamples.patch),
  },
  restoreCampaign: { response: campaignExamples.record },
  scheduleCampaign: { request: campaignExamples.schedule, response: campaignExamples.scheduled },
  sendCampaign: { response: campaignExamples.sending },
  pauseCampaign: { response: campaignExamples.paused },
  resumeCampaign: { response: campaignExamples.resumed },
  cancelCampaign: { response: campaignExamples.canceled },
  getCampaignStats: { response: campaignExamples.stats },
  listCampaignRecipients: { response: campaignExamples.recipients },
} satisfies Readonly<Record<string, RouteExamples>>;
