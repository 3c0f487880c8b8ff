import { lazy } from 'preact-iso';
import type { PageRoute } from '../routes.ts';

/** The work area's pages (lazy: each is loaded when first opened). */
export const workRoutes: readonly PageRoute[] = [
  { path: '/app/agenda', component: lazy(() => import('./agenda.tsx').then((m) => m.Agenda)) },
  { path: '/app/cases', component: lazy(() => import('./cases-list.tsx').then((m) => m.CasesList)) },
  {
    path: '/app/notifications',
    component: lazy(() => import('./notifications.tsx').then((m) => m.Notifications)),
  },
];
