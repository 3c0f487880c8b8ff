import type { PageRoute } from '../routes.ts';

/** The records area's pages (lazy: each is loaded when first opened). */
export const recordsRoutes: readonly PageRoute[] = [];
