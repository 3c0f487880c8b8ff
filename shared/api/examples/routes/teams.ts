import type { RouteExamples } from '../../route.ts';
import { changed, lastPage } from '../common.ts';
import { teamExamples } from '../sales.ts';

/** Examples of the teams routes for the OpenAPI document, by operationId. */
export const teamsRouteExamples = {
  listTeams: { response: lastPage(teamExamples.record) },
  createTeam: { request: teamExamples.create, response: teamExamples.record },
  getTeam: { response: teamExamples.record },
  updateTeam: { request: teamExamples.patch, response: changed(teamExamples.record, teamExamples.patch) },
} satisfies Readonly<Record<string, RouteExamples>>;
