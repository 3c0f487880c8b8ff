import { lazy } from 'preact-iso';
import type { PageRoute } from '../routes.ts';

const PipelineBoard = lazy(() => import('./pipeline-board.tsx').then((module) => module.PipelineBoard));

/** The pipeline area's pages (lazy: each is loaded when first opened). */
export const pipelineRoutes: readonly PageRoute[] = [
  { path: '/app/pipeline', component: PipelineBoard },
  { path: '/app/pipeline/:id', component: PipelineBoard },
];
