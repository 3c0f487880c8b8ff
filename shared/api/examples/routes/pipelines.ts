import type { RouteExamples } from '../../route.ts';
import { changed, lastPage } from '../common.ts';
import { pipelineExamples } from '../sales.ts';

/** Examples of the pipelines routes for the OpenAPI document, by operationId. */
export const pipelinesRouteExamples = {
  listPipelines: { response: lastPage(pipelineExamples.record) },
  createPipeline: { request: pipelineExamples.create, response: pipelineExamples.record },
  getPipeline: { response: pipelineExamples.record },
  updatePipeline: {
    request: pipelineExamples.patch,
    response: changed(pipelineExamples.record, pipelineExamples.patch),
  },
} satisfies Readonly<Record<string, RouteExamples>>;
