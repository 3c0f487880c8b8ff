import type { Counters } from '../domain/reports/aggregate.ts';
import { parseVocabularyKey, VOCABULARY_REPORT, type VocabularyKind } from '../domain/reports/vocabulary.ts';
import type {
  SegmentVocabulary,
  VocabularyCampaign,
  VocabularyOwner,
  VocabularyStage,
} from '../domain/segment-language/vocabulary.ts';
import { type Campaign, campaigns } from './campaigns.ts';
import { type Pipeline, pipelines, type Team, teams, type User, users } from './entities.ts';
import { listRecords } from './records.ts';
import { readReport } from './report-aggregates.ts';

/**
 * A tenant's vocabulary for plain-language segments, read per request with a
 * handful of Queries, all under the tenant's own partitions:
 * - cities, countries (contacts'), company cities and countries, tags,
 *   industries: the `vocabulary` report aggregate
 *   kept by the stream (shared/domain/reports/vocabulary.ts), one Query per
 *   shard (more only past 1 MB a shard, i.e. some 10,000 distinct values);
 * - stages: the live pipelines, at most MAX_PIPELINES (one Query);
 * - campaigns: the MAX_CAMPAIGNS most recently created live ones (one Query);
 * - owners: the live users, at most MAX_OWNERS (one Query), with their
 *   teams' names (at most MAX_TEAMS, one Query).
 * No cache: the values change with every write and the reads are small.
 */

export const MAX_PIPELINES = 100;
export const MAX_CAMPAIGNS = 200;
export const MAX_OWNERS = 1000;
export const MAX_TEAMS = 1000;

const listOptions = (limit: number) => ({ archived: false, limit, startKey: undefined });

const bySearchable = (a: string, b: string) => a.localeCompare(b, 'en', { sensitivity: 'base' });

/**
 * The vocabulary lists from the aggregate's items (`<kind>#<searchable>#<form>`
 * → `{records}`): each value whose forms together count more than zero, in
 * the form most records hold (ties: the form first in code-point order), each
 * list sorted by value. The most common form stands for the value because
 * filters compare text case- and accent-insensitively, so any form matches
 * the same records; a counter can say how many hold a form, not which was
 * written last. Malformed keys are ignored.
 */
export function vocabularyLists(
  items: ReadonlyMap<string, Counters>,
): Pick<
  SegmentVocabulary,
  'cities' | 'countries' | 'tags' | 'industries' | 'companyCities' | 'companyCountries'
> {
  const values = new Map<string, { kind: VocabularyKind; forms: [string, number][] }>();
  for (const [key, counters] of items) {
    const parsed = parseVocabularyKey(key);
    if (!parsed) continue;
    const id = `${parsed.kind}\u0000${parsed.searchable}`;
    const value = values.get(id) ?? { kind: parsed.kind, forms: [] };
    value.forms.push([parsed.form, counters.records ?? 0]);
    values.set(id, value);
  }
  const lists: Record<VocabularyKind, string[]> = {
    city: [],
    country: [],
    tag: [],
    industry: [],
    companyCity: [],
    companyCountry: [],
  };
  for (const { kind, forms } of values.values()) {
    if (forms.reduce((sum, [, count]) => sum + count, 0) <= 0) continue;
    const [form] = forms
      .filter(([, count]) => count > 0)
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : a > b ? 1 : 0))[0] ?? [undefined];
    if (form !== undefined) lists[kind].push(form);
  }
  for (const list of Object.values(lists)) list.sort(bySearchable);
  return {
    cities: lists.city,
    countries: lists.country,
    tags: lists.tag,
    industries: lists.industry,
    companyCities: lists.companyCity,
    companyCountries: lists.companyCountry,
  };
}

/** Every stage of the pipelines, with its pipeline's name. */
export const stagesOf = (list: readonly Pipeline[]): VocabularyStage[] =>
  list.flatMap((pipeline) =>
    pipeline.stages.map((stage) => ({ id: stage.id, name: stage.name, pipeline: pipeline.name })),
  );

export const campaignsOf = (list: readonly Campaign[]): VocabularyCampaign[] =>
  list.map((campaign) => ({
    id: campaign.id,
    name: campaign.name,
    ...(campaign.startedAt ? { startedAt: campaign.startedAt } : {}),
  }));

/** Owners by name, with the email and team (its name, else its id) that tell apart owners of one name. */
export const ownersOf = (list: readonly User[], teamList: readonly Team[] = []): VocabularyOwner[] => {
  const teamNames = new Map(teamList.map((team) => [team.id, team.name]));
  return list
    .filter((user) => user.name)
    .map((user) => ({
      id: user.id,
      name: user.name,
      ...(user.email ? { email: user.email } : {}),
      ...(user.teamId ? { team: teamNames.get(user.teamId) || user.teamId } : {}),
    }));
};

/** The tenant's vocabulary (see the module comment for what is read and its bounds). */
export async function readSegmentVocabulary(tenantId: string): Promise<SegmentVocabulary> {
  const [items, pipelinePage, campaignPage, userPage, teamPage] = await Promise.all([
    readReport(tenantId, VOCABULARY_REPORT),
    listRecords(pipelines, tenantId, listOptions(MAX_PIPELINES)),
    listRecords(campaigns, tenantId, listOptions(MAX_CAMPAIGNS)),
    listRecords(users, tenantId, listOptions(MAX_OWNERS)),
    listRecords(teams, tenantId, listOptions(MAX_TEAMS)),
  ]);
  return {
    ...vocabularyLists(items),
    stages: stagesOf(pipelinePage.items),
    campaigns: campaignsOf(campaignPage.items),
    owners: ownersOf(userPage.items, teamPage.items),
  };
}
