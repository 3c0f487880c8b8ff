import type { RouteExamples } from '../../route.ts';
import { changed, lastPage, page } from '../common.ts';
import { sequenceExamples } from '../marketing.ts';

/** Examples of the sequences routes for the OpenAPI document, by operationId. */
export const sequencesRouteExamples = {
  listSequences: { response: page(sequenceExamples.record) },
  createSequence: { request: sequenceExamples.create, response: sequenceExamples.record },
  getSequence: { response: sequenceExamples.record },
  updateSequence: {
    request: sequenceExamples.patch,
    response: changed(sequenceExamples.record, sequenceExamples.patch),
  },
  restoreSequence: { response: sequenceExamples.record },
  enrollInSequence: { request: sequenceExamples.enroll, response: sequenceExamples.enrolled },
  listSequenceEnrollments: { response: lastPage(sequenceExamples.enrollment) },
  getSequenceEnrollment: { response: sequenceExamples.enrollment },
} satisfies Readonly<Record<string, RouteExamples>>;
