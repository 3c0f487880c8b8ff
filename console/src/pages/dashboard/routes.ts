import type { PageRoute } from '../routes.ts';

/** The dashboard area's pages (lazy: each is loaded when first opened). */
export const dashboardRoutes: readonly PageRoute[] = [];
