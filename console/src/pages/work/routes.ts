import type { PageRoute } from '../routes.ts';

/** The work area's pages (lazy: each is loaded when first opened). */
export const workRoutes: readonly PageRoute[] = [];
