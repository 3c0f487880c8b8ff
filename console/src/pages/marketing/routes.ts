import { lazy } from 'preact-iso';
import type { PageRoute } from '../routes.ts';

/** The marketing area's pages (lazy: each is loaded when first opened). */
export const marketingRoutes: readonly PageRoute[] = [
  { path: '/app/segments', component: lazy(() => import('./segments-list.tsx').then((m) => m.SegmentsList)) },
  {
    path: '/app/segments/:id',
    component: lazy(() => import('./segment-editor.tsx').then((m) => m.SegmentEditor)),
  },
  {
    path: '/app/templates',
    component: lazy(() => import('./templates-list.tsx').then((m) => m.TemplatesList)),
  },
  {
    path: '/app/templates/:id',
    component: lazy(() => import('./template-editor.tsx').then((m) => m.TemplateEditor)),
  },
  {
    path: '/app/campaigns',
    component: lazy(() => import('./campaigns-list.tsx').then((m) => m.CampaignsList)),
  },
  {
    path: '/app/campaigns/:id',
    component: lazy(() => import('./campaign-page.tsx').then((m) => m.CampaignPage)),
  },
  { path: '/app/imports', component: lazy(() => import('./imports-page.tsx').then((m) => m.ImportsPage)) },
];
