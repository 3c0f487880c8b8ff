import type { ComponentType } from 'preact';
import type { operations } from '../../api/client.ts';
import type { DataColumn } from '../../ui/data-table.tsx';
import type { Page } from './paged-list.ts';

export type Entity = 'contacts' | 'companies' | 'leads' | 'deals';

/** A record as lists show it: an id and, maybe, custom field values. */
export interface ListRow {
  readonly id: string;
  readonly ownerId?: string;
  readonly customFields?: Readonly<Record<string, string | number | boolean | null | string[]>>;
}

export type User = {
  readonly id: string;
  readonly name: string;
  readonly email: string;
  readonly teamId?: string;
};
export type Pipeline = {
  readonly id: string;
  readonly name: string;
  readonly isDefault: boolean;
  readonly stages: readonly { readonly id: string; readonly name: string }[];
};
export type FieldDefinition = {
  readonly key: string;
  readonly label: string;
  readonly type: 'text' | 'number' | 'date' | 'boolean' | 'select' | 'multiselect';
  readonly options?: readonly string[];
};

/** What lists look up besides their rows: owners' names, pipelines and stages. */
export interface ListContext {
  readonly users: readonly User[];
  readonly pipelines: readonly Pipeline[];
}

export interface FilterDefinition {
  readonly key: string;
  readonly label: () => string;
  /** Choices for a select; a text input when absent. */
  readonly options?: (
    context: ListContext,
    filter: Readonly<Record<string, string>>,
  ) => readonly { value: string; label: string }[];
}

/** One record list (contacts, companies, leads, deals): how to load it and what to show. */
export interface EntityConfig<T extends ListRow> {
  readonly entity: Entity;
  /** Message keys: the page title, "New contact", the empty state. */
  readonly keys: { readonly title: string; readonly create: string; readonly empty: string };
  readonly list: (query: Record<string, string>) => Promise<Page<T>>;
  readonly columns: (context: ListContext) => DataColumn<T>[];
  readonly hiddenByDefault: readonly string[];
  readonly filters: readonly FilterDefinition[];
  readonly CreateForm: ComponentType<{
    readonly onCreated: (id: string) => void;
    readonly context: ListContext;
  }>;
}

type Item<Op extends keyof operations> = operations[Op] extends {
  responses: { 200: { content: { 'application/json': { items: (infer I)[] } } } };
}
  ? I
  : never;
export type Contact = Item<'listContacts'>;
export type Company = Item<'listCompanies'>;
export type Lead = Item<'listLeads'>;
export type Deal = Item<'listDeals'>;
