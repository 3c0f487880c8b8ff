import type { PageRoute } from '../routes.ts';

/** The pipeline area's pages (lazy: each is loaded when first opened). */
export const pipelineRoutes: readonly PageRoute[] = [];
