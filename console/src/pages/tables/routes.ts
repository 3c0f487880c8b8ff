import { lazy } from 'preact-iso';
import type { PageRoute } from '../routes.ts';

const pages = () => import('./pages.tsx');

/** The tables area's pages (lazy: one chunk for the four lists, loaded when first opened). */
export const tablesRoutes: readonly PageRoute[] = [
  { path: '/app/contacts', component: lazy(() => pages().then((m) => m.ContactsList)) },
  { path: '/app/companies', component: lazy(() => pages().then((m) => m.CompaniesList)) },
  { path: '/app/leads', component: lazy(() => pages().then((m) => m.LeadsList)) },
  { path: '/app/deals', component: lazy(() => pages().then((m) => m.DealsList)) },
];
