import { api, ok, type paths } from '../../api/client.ts';
import { formatMoney } from '../../i18n/format.ts';

type DealPage = paths['/deals']['get']['responses'][200]['content']['application/json'];
type PipelinePage = paths['/pipelines']['get']['responses'][200]['content']['application/json'];
export type Deal = DealPage['items'][number];
export type Pipeline = PipelinePage['items'][number];
export type Stage = Pipeline['stages'][number];

/** Pages of 200 (the API's largest) up to this many deals: a board beyond that is unreadable. */
export const PAGE_SIZE = 200;
export const MAX_DEALS = 2000;

export interface BoardData {
  readonly pipelines: readonly Pipeline[];
  readonly pipeline: Pipeline | undefined;
  readonly deals: readonly Deal[];
  /** True when the pipeline has more open deals than the board loads. */
  readonly capped: boolean;
}

/** The pipelines the caller sees, the chosen one (or the default) and its open deals, every page. */
export async function loadBoard(pipelineId: string | undefined): Promise<BoardData> {
  const pipelines = (await ok(api().GET('/pipelines', { params: { query: { limit: '100' } } }))).items;
  const pipeline =
    pipelines.find((candidate) => candidate.id === pipelineId) ??
    (pipelineId ? undefined : (pipelines.find((candidate) => candidate.isDefault) ?? pipelines[0]));
  if (!pipeline) return { pipelines, pipeline, deals: [], capped: false };
  const deals: Deal[] = [];
  let cursor: string | undefined;
  do {
    const page: DealPage = await ok(
      api().GET('/deals', {
        params: {
          query: {
            pipelineId: pipeline.id,
            status: 'open',
            limit: String(PAGE_SIZE),
            ...(cursor ? { cursor } : {}),
          },
        },
      }),
    );
    deals.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && deals.length < MAX_DEALS);
  return { pipelines, pipeline, deals, capped: cursor !== undefined };
}

/** A column's total: one sum per currency (amounts in different currencies never add up). */
export function amountSums(deals: readonly Deal[]): string {
  const sums = new Map<string, number>();
  for (const deal of deals)
    if (deal.amount !== undefined && deal.currency)
      sums.set(deal.currency, (sums.get(deal.currency) ?? 0) + deal.amount);
  return [...sums]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([currency, sum]) => formatMoney(sum, currency))
    .join(' + ');
}

/** The ETag of a deal as the API sends it (`"3"`), for If-Match. */
export const dealEtag = (deal: Deal): string => `"${deal.version}"`;
