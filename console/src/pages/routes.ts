import type { AnyComponent } from 'preact';

/**
 * A page of the console: its path under /app (preact-iso patterns, `:id` for a parameter) and its
 * component, usually `lazy(() => import(...))` so each area is its own chunk.
 */
export interface PageRoute {
  readonly path: string;
  // biome-ignore lint/suspicious/noExplicitAny: pages take their own route props (params, query).
  readonly component: AnyComponent<any>;
}
