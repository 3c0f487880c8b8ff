import type { PageRoute } from '../routes.ts';

/** The tables area's pages (lazy: each is loaded when first opened). */
export const tablesRoutes: readonly PageRoute[] = [];
