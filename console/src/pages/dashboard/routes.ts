import { lazy } from 'preact-iso';
import type { PageRoute } from '../routes.ts';

const Dashboard = lazy(() => import('./dashboard.tsx').then((module) => module.Dashboard));

/** The dashboard area's pages (lazy: each is loaded when first opened). */
export const dashboardRoutes: readonly PageRoute[] = [
  { path: '/app/', component: Dashboard },
  { path: '/app', component: Dashboard },
];
