import type { RouteExamples } from '../../route.ts';
import { changed, lastPage } from '../common.ts';
import { userExamples } from '../sales.ts';

/** Examples of the users routes for the OpenAPI document, by operationId. */
export const usersRouteExamples = {
  getMe: { response: userExamples.me },
  listUsers: { response: lastPage(userExamples.record) },
  createUser: { request: userExamples.create, response: userExamples.record },
  getUser: { response: userExamples.record },
  updateUser: { request: userExamples.patch, response: changed(userExamples.record, userExamples.patch) },
} satisfies Readonly<Record<string, RouteExamples>>;
