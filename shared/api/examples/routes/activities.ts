import type { RouteExamples } from '../../route.ts';
import { lastPage, page } from '../common.ts';
import { activityExamples } from '../service.ts';

/** Examples of the activities routes for the OpenAPI document, by operationId. */
export const activitiesRouteExamples = {
  listActivities: { response: page(activityExamples.record) },
  createActivity: { request: activityExamples.create, response: activityExamples.record },
  getActivity: { response: activityExamples.record },
  updateActivity: { request: activityExamples.patch, response: activityExamples.done },
  restoreActivity: { response: activityExamples.record },
  getAgenda: { response: lastPage(activityExamples.record) },
  getInboundEmailAddress: {
    response: {
      address: 'log-6f1c0a9e4b2d7c3a8e5f0b1d@inbound.example.com',
      domain: 'inbound.example.com',
    },
  },
  rotateInboundEmailAddress: {
    response: {
      address: 'log-0d93b7f21a6c4e58b0a7d3e9@inbound.example.com',
      domain: 'inbound.example.com',
      rotatedAt: '2026-03-02T09:30:00.000Z',
    },
  },
} satisfies Readonly<Record<string, RouteExamples>>;
