import type { RouteExamples } from '../../route.ts';
import { changed, page } from '../common.ts';
import { segmentExamples, shareExamples } from '../marketing.ts';

/** Examples of the segments routes for the OpenAPI document, by operationId. */
export const segmentsRouteExamples = {
  listSegments: { response: page(segmentExamples.record) },
  createSegment: { request: segmentExamples.create, response: segmentExamples.record },
  getSegment: { response: segmentExamples.record },
  updateSegment: {
    request: segmentExamples.patch,
    response: changed(segmentExamples.record, segmentExamples.patch),
  },
  restoreSegment: { response: segmentExamples.record },
  previewSegment: { response: segmentExamples.preview },
  shareSegment: { request: shareExamples.create, response: shareExamples.record },
  listSegmentShares: { response: shareExamples.list },
  listShareDownloads: { response: shareExamples.downloads },
  interpretSegment: { request: segmentExamples.interpret, response: segmentExamples.interpreted },
} satisfies Readonly<Record<string, RouteExamples>>;
