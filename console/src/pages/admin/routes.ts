import { lazy } from 'preact-iso';
import type { PageRoute } from '../routes.ts';

/** The admin area's pages (lazy: each is loaded when first opened). */
export const adminRoutes: readonly PageRoute[] = [
  { path: '/app/admin/users', component: lazy(() => import('./users.tsx').then((m) => m.UsersPage)) },
  { path: '/app/admin/teams', component: lazy(() => import('./teams.tsx').then((m) => m.TeamsPage)) },
];
