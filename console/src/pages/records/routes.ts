import { lazy } from 'preact-iso';
import type { PageRoute } from '../routes.ts';

/** The records area's pages, one chunk for the five record pages (they share their frame). */
const pages = () => import('./record-pages.tsx');

export const recordsRoutes: readonly PageRoute[] = [
  { path: '/app/contacts/:id', component: lazy(() => pages().then((m) => m.ContactPage)) },
  { path: '/app/companies/:id', component: lazy(() => pages().then((m) => m.CompanyPage)) },
  { path: '/app/leads/:id', component: lazy(() => pages().then((m) => m.LeadPage)) },
  { path: '/app/deals/:id', component: lazy(() => pages().then((m) => m.DealPage)) },
  { path: '/app/cases/:id', component: lazy(() => pages().then((m) => m.CasePage)) },
];
