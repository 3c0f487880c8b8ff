import type { paths } from '../../api/client.ts';

/** The API's shapes this area shows, named from the OpenAPI document's types. */
type Json<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

export type Segment = Json<paths['/segments/{id}']['get']['responses'][200]>;
export type SegmentPreview = Json<paths['/segments/{id}/preview']['get']['responses'][200]>;
export type Interpretation = Json<paths['/segments/interpret']['post']['responses'][200]>;
export type Template = Json<paths['/templates/{id}']['get']['responses'][200]>;
export type Rendered = Json<paths['/templates/{id}/render']['post']['responses'][200]>;
export type Campaign = Json<paths['/campaigns/{id}']['get']['responses'][200]>;
export type CampaignStatus = Campaign['status'];
export type CampaignStats = Json<paths['/campaigns/{id}/stats']['get']['responses'][200]>;
export type Recipient = Json<paths['/campaigns/{id}/recipients']['get']['responses'][200]>['items'][number];
export type RecipientStatus = Recipient['status'];
export type Timeseries = Json<paths['/reports/campaigns/{id}/timeseries']['get']['responses'][200]>;
export type ImportJob = Json<paths['/imports/{id}']['get']['responses'][200]>;
export type ImportEntity = ImportJob['entity'];
