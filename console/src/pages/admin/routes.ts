import type { PageRoute } from '../routes.ts';

/** The admin area's pages (lazy: each is loaded when first opened). */
export const adminRoutes: readonly PageRoute[] = [];
