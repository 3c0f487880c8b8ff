import { api, ok, type operations } from '../../api/client.ts';
import { formatDate, formatMoney, formatNumber, formatPercent } from '../../i18n/format.ts';
import { t } from '../../i18n/index.ts';
import type { DataColumn } from '../../ui/data-table.tsx';
import { userLabels } from '../../ui/user-label.ts';
import { CreateForm, type FormField } from './create-form.tsx';
import type {
  Company,
  Contact,
  Deal,
  EntityConfig,
  FilterDefinition,
  Lead,
  ListContext,
  ListRow,
  Pipeline,
} from './entity.ts';

/**
 * The four record lists. Column ids are the records' field names (`customFields.<key>` for custom
 * fields), as saved views require. The list routes take no sort parameter, so the tables sort the rows
 * loaded so far (the page says so). Query values are the route's own (`ownerId`, `status`, ...).
 */

/** Labels per users list (read once per list), namesakes with their email. */
const labelCache = new WeakMap<ListContext['users'], Map<string, string>>();
const ownerName = (context: ListContext, id: string | undefined) => {
  if (!id) return '';
  let labels = labelCache.get(context.users);
  if (!labels) {
    labels = userLabels(context.users);
    labelCache.set(context.users, labels);
  }
  return labels.get(id) ?? id;
};

/** Owners to pick from; namesakes get their email so the two are told apart. */
function ownerOptions(context: ListContext): { value: string; label: string }[] {
  const labels = userLabels(context.users);
  return context.users.map((user) => ({ value: user.id, label: labels.get(user.id) ?? user.email }));
}

function ownerColumn<T extends ListRow>(context: ListContext): DataColumn<T> {
  return { id: 'ownerId', header: t('tables.owner'), value: (row) => ownerName(context, row.ownerId) };
}
function dateColumn<T>(id: string, header: string, pick: (row: T) => string | undefined): DataColumn<T> {
  return { id, header, value: pick, cell: (row) => formatDate(pick(row)) };
}

const ownerFilter: FilterDefinition = {
  key: 'ownerId',
  label: () => t('tables.owner'),
  options: (context) => ownerOptions(context),
};
const tagFilter: FilterDefinition = { key: 'tag', label: () => t('tables.tag') };
const archivedFilter: FilterDefinition = {
  key: 'archived',
  label: () => t('tables.archived'),
  options: () => [
    { value: 'false', label: t('tables.archived.false') },
    { value: 'true', label: t('tables.archived.true') },
  ],
};
const choices = (prefix: string, values: readonly string[]) => () =>
  values.map((value) => ({ value, label: t(`${prefix}.${value}`) }));
const leadStatuses = ['new', 'contacted', 'qualified', 'disqualified', 'converted'] as const;
const dealStatuses = ['open', 'won', 'lost'] as const;
const sources = ['web', 'referral', 'event', 'campaign', 'cold_call', 'partner', 'other'] as const;

/** The list route's query type: the page passes only the keys its filters offer. */
type QueryOf<Op extends keyof operations> = NonNullable<operations[Op]['parameters']['query']>;

function ownerField(context: ListContext): FormField {
  return {
    name: 'ownerId',
    label: () => t('tables.owner'),
    type: 'select',
    options: () => ownerOptions(context),
  };
}

export const contactsConfig: EntityConfig<Contact> = {
  entity: 'contacts',
  keys: { title: 'nav.contacts', create: 'tables.contacts.new', empty: 'tables.contacts.empty' },
  list: (values) => ok(api().GET('/contacts', { params: { query: values as QueryOf<'listContacts'> } })),
  columns: (context) => [
    {
      id: 'firstName',
      header: t('tables.name'),
      hideable: false,
      value: (row) => [row.firstName, row.lastName].filter(Boolean).join(' '),
    },
    { id: 'email', header: t('tables.email'), value: (row) => row.email },
    { id: 'phone', header: t('tables.phone'), value: (row) => row.phone },
    { id: 'title', header: t('tables.jobTitle'), value: (row) => row.title },
    { id: 'city', header: t('tables.city'), value: (row) => row.city },
    { id: 'country', header: t('tables.country'), value: (row) => row.country },
    {
      id: 'lifecycleStage',
      header: t('tables.lifecycle'),
      value: (row) => (row.lifecycleStage ? t(`tables.lifecycle.${row.lifecycleStage}`) : ''),
    },
    { id: 'tags', header: t('tables.tags'), value: (row) => row.tags.join(', '), sortable: false },
    {
      id: 'engagementScore',
      header: t('tables.engagement'),
      numeric: true,
      value: (row) => row.engagementScore,
      cell: (row) => formatNumber(row.engagementScore),
    },
    ownerColumn(context),
    dateColumn('lastActivityAt', t('tables.lastActivity'), (row) => row.lastActivityAt),
    dateColumn('createdAt', t('tables.created'), (row) => row.createdAt),
  ],
  hiddenByDefault: ['phone', 'title', 'city', 'engagementScore', 'lastActivityAt', 'createdAt'],
  filters: [ownerFilter, tagFilter, archivedFilter],
  CreateForm: ({ onCreated, context }) => (
    <CreateForm
      onCreated={onCreated}
      fields={[
        { name: 'firstName', label: () => t('tables.firstName'), required: true },
        { name: 'lastName', label: () => t('tables.lastName') },
        { name: 'email', label: () => t('tables.email'), type: 'email' },
        { name: 'phone', label: () => t('tables.phone'), type: 'tel' },
        { name: 'title', label: () => t('tables.jobTitle') },
        ownerField(context),
      ]}
      submit={(body) =>
        ok(api().POST('/contacts', { body: body as { firstName: string } & Record<string, string> }))
      }
    />
  ),
};

export const companiesConfig: EntityConfig<Company> = {
  entity: 'companies',
  keys: { title: 'nav.companies', create: 'tables.companies.new', empty: 'tables.companies.empty' },
  list: (values) => ok(api().GET('/companies', { params: { query: values as QueryOf<'listCompanies'> } })),
  columns: (context) => [
    { id: 'name', header: t('tables.name'), hideable: false, value: (row) => row.name },
    { id: 'domain', header: t('tables.domain'), value: (row) => row.domain },
    { id: 'industry', header: t('tables.industry'), value: (row) => row.industry },
    {
      id: 'size',
      header: t('tables.size'),
      numeric: true,
      value: (row) => row.size,
      cell: (row) => formatNumber(row.size),
    },
    { id: 'city', header: t('tables.city'), value: (row) => row.city },
    { id: 'country', header: t('tables.country'), value: (row) => row.country },
    { id: 'tags', header: t('tables.tags'), value: (row) => row.tags.join(', '), sortable: false },
    ownerColumn(context),
    dateColumn('createdAt', t('tables.created'), (row) => row.createdAt),
  ],
  hiddenByDefault: ['city', 'createdAt'],
  filters: [ownerFilter, tagFilter, { key: 'country', label: () => t('tables.country') }, archivedFilter],
  CreateForm: ({ onCreated, context }) => (
    <CreateForm
      onCreated={onCreated}
      fields={[
        { name: 'name', label: () => t('tables.name'), required: true },
        { name: 'domain', label: () => t('tables.domain') },
        { name: 'website', label: () => t('tables.website'), type: 'url' },
        { name: 'industry', label: () => t('tables.industry') },
        { name: 'size', label: () => t('tables.size'), type: 'number' },
        { name: 'country', label: () => t('tables.country') },
        ownerField(context),
      ]}
      submit={(body) =>
        ok(api().POST('/companies', { body: body as { name: string } & Record<string, string> }))
      }
    />
  ),
};

export const leadsConfig: EntityConfig<Lead> = {
  entity: 'leads',
  keys: { title: 'nav.leads', create: 'tables.leads.new', empty: 'tables.leads.empty' },
  list: (values) => ok(api().GET('/leads', { params: { query: values as QueryOf<'listLeads'> } })),
  columns: (context) => [
    {
      id: 'firstName',
      header: t('tables.name'),
      hideable: false,
      value: (row) => [row.firstName, row.lastName].filter(Boolean).join(' '),
    },
    { id: 'email', header: t('tables.email'), value: (row) => row.email },
    { id: 'companyName', header: t('tables.company'), value: (row) => row.companyName },
    { id: 'status', header: t('tables.status'), value: (row) => t(`tables.lead.${row.status}`) },
    {
      id: 'source',
      header: t('tables.source'),
      value: (row) => (row.source ? t(`tables.source.${row.source}`) : ''),
    },
    { id: 'country', header: t('tables.country'), value: (row) => row.country },
    ownerColumn(context),
    dateColumn('createdAt', t('tables.created'), (row) => row.createdAt),
  ],
  hiddenByDefault: ['country'],
  filters: [
    { key: 'status', label: () => t('tables.status'), options: choices('tables.lead', leadStatuses) },
    { key: 'source', label: () => t('tables.source'), options: choices('tables.source', sources) },
    ownerFilter,
    archivedFilter,
  ],
  CreateForm: ({ onCreated, context }) => (
    <CreateForm
      onCreated={onCreated}
      fields={[
        { name: 'firstName', label: () => t('tables.firstName'), required: true },
        { name: 'lastName', label: () => t('tables.lastName') },
        { name: 'email', label: () => t('tables.email'), type: 'email' },
        { name: 'companyName', label: () => t('tables.company') },
        {
          name: 'source',
          label: () => t('tables.source'),
          type: 'select',
          options: choices('tables.source', sources),
        },
        ownerField(context),
      ]}
      submit={(body) =>
        ok(api().POST('/leads', { body: body as { firstName: string } & Record<string, string> }))
      }
    />
  ),
};

const stagesOf = (pipelines: readonly Pipeline[], pipelineId: string | undefined) =>
  pipelines.find((pipeline) => pipeline.id === pipelineId)?.stages ?? [];
const defaultPipeline = (pipelines: readonly Pipeline[]) =>
  (pipelines.find((pipeline) => pipeline.isDefault) ?? pipelines[0])?.id ?? '';

export const dealsConfig: EntityConfig<Deal> = {
  entity: 'deals',
  keys: { title: 'nav.deals', create: 'tables.deals.new', empty: 'tables.deals.empty' },
  list: (values) => ok(api().GET('/deals', { params: { query: values as QueryOf<'listDeals'> } })),
  columns: (context) => [
    { id: 'name', header: t('tables.name'), hideable: false, value: (row) => row.name },
    {
      id: 'amount',
      header: t('tables.amount'),
      numeric: true,
      value: (row) => row.amount,
      cell: (row) => formatMoney(row.amount, row.currency),
    },
    { id: 'status', header: t('tables.status'), value: (row) => t(`tables.deal.${row.status}`) },
    {
      id: 'pipelineId',
      header: t('tables.pipeline'),
      value: (row) =>
        context.pipelines.find((pipeline) => pipeline.id === row.pipelineId)?.name ?? row.pipelineId,
    },
    {
      id: 'stageId',
      header: t('tables.stage'),
      value: (row) =>
        stagesOf(context.pipelines, row.pipelineId).find((stage) => stage.id === row.stageId)?.name ??
        row.stageId,
    },
    {
      id: 'probability',
      header: t('tables.probability'),
      numeric: true,
      value: (row) => row.probability,
      cell: (row) => formatPercent(row.probability / 100, 0),
    },
    dateColumn('expectedCloseDate', t('tables.expectedClose'), (row) => row.expectedCloseDate),
    ownerColumn(context),
    dateColumn('createdAt', t('tables.created'), (row) => row.createdAt),
  ],
  hiddenByDefault: ['probability', 'createdAt'],
  filters: [
    { key: 'status', label: () => t('tables.status'), options: choices('tables.deal', dealStatuses) },
    {
      key: 'pipelineId',
      label: () => t('tables.pipeline'),
      options: (context) =>
        context.pipelines.map((pipeline) => ({ value: pipeline.id, label: pipeline.name })),
    },
    {
      key: 'stageId',
      label: () => t('tables.stage'),
      options: (context, filter) =>
        (filter.pipelineId
          ? stagesOf(context.pipelines, filter.pipelineId)
          : context.pipelines.flatMap((pipeline) =>
              pipeline.stages.map((stage) => ({ ...stage, name: `${pipeline.name}: ${stage.name}` })),
            )
        ).map((stage) => ({ value: stage.id, label: stage.name })),
    },
    ownerFilter,
    archivedFilter,
  ],
  CreateForm: ({ onCreated, context }) => (
    <CreateForm
      onCreated={onCreated}
      fields={[
        { name: 'name', label: () => t('tables.name'), required: true },
        { name: 'amount', label: () => t('tables.amount'), type: 'number' },
        { name: 'currency', label: () => t('tables.currency'), initial: () => 'EUR' },
        {
          name: 'pipelineId',
          label: () => t('tables.pipeline'),
          type: 'select',
          required: true,
          options: () => context.pipelines.map((pipeline) => ({ value: pipeline.id, label: pipeline.name })),
          initial: () => defaultPipeline(context.pipelines),
        },
        {
          name: 'stageId',
          label: () => t('tables.stage'),
          type: 'select',
          required: true,
          dependsOn: 'pipelineId',
          options: (values) =>
            stagesOf(context.pipelines, values.pipelineId).map((stage) => ({
              value: stage.id,
              label: stage.name,
            })),
          initial: (values) => stagesOf(context.pipelines, values.pipelineId)[0]?.id ?? '',
        },
        { name: 'expectedCloseDate', label: () => t('tables.expectedClose'), type: 'date' },
        ownerField(context),
      ]}
      submit={(body) => ok(api().POST('/deals', { body: body as { name: string } & Record<string, string> }))}
    />
  ),
};
