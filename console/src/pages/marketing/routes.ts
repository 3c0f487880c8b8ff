import type { PageRoute } from '../routes.ts';

/** The marketing area's pages (lazy: each is loaded when first opened). */
export const marketingRoutes: readonly PageRoute[] = [];
