import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { t } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import type { Entity } from './entity.ts';
import type { ListState } from './list-state.ts';

type Visibility = 'private' | 'team' | 'tenant';
interface SavedView {
  readonly id: string;
  readonly name: string;
  readonly visibility: Visibility;
  readonly filter?: Readonly<Record<string, string>>;
  readonly sort?: { readonly field: string; readonly direction: 'asc' | 'desc' };
  readonly columns?: readonly string[];
}

/** A saved view as the list's state: its filter (the search is its `q`), sort and columns. */
function stateOfView(view: SavedView): ListState {
  const { q = '', ...filter } = view.filter ?? {};
  return {
    q,
    filter,
    ...(view.sort ? { sort: view.sort } : {}),
    ...(view.columns?.length ? { columns: view.columns } : {}),
    view: view.id,
  };
}

/**
 * Saved views (`/views`) of one list: pick one to apply its filter, sort and columns; save what is
 * shown as a new view (private, team or tenant; the API decides who may share how); delete one.
 */
export function ViewPicker({
  entity,
  state,
  visibleColumns,
  onApply,
}: {
  readonly entity: Entity;
  readonly state: ListState;
  readonly visibleColumns: readonly string[];
  readonly onApply: (state: ListState) => void;
}) {
  const { me } = useSession();
  const views = useAsync(
    async () =>
      (await ok(api().GET('/views', { params: { query: { entity, limit: '100' } } }))).items as SavedView[],
    [entity],
  );
  const [saving, setSaving] = useState(false);
  const selected = views.data?.find((view) => view.id === state.view);
  const remove = useAction(async (view: SavedView) => {
    await ok(api().DELETE('/views/{id}', { params: { path: { id: view.id } } }));
    onApply({ ...state, view: undefined });
    await views.reload();
  });

  return (
    <div class="toolbar views-bar">
      <label class="filter">
        <span>{t('tables.view')}</span>
        <select
          value={state.view ?? ''}
          onChange={(event) => {
            const id = (event.target as HTMLSelectElement).value;
            const view = views.data?.find((candidate) => candidate.id === id);
            onApply(view ? stateOfView(view) : { q: '', filter: {} });
          }}
        >
          <option value="">{t('tables.allRecords')}</option>
          {(views.data ?? []).map((view) => (
            <option key={view.id} value={view.id}>
              {view.name} ({t(`tables.visibility.${view.visibility}`)})
            </option>
          ))}
        </select>
      </label>
      {views.status === 'loading' && <Spinner />}
      <button type="button" class="button" onClick={() => setSaving(true)}>
        {t('tables.saveView')}
      </button>
      {selected && (
        <button
          type="button"
          class="button button-danger"
          disabled={remove.busy}
          onClick={() => {
            if (confirm(t('tables.deleteViewConfirm', { name: selected.name }))) void remove.run(selected);
          }}
        >
          {t('tables.deleteView', { name: selected.name })}
        </button>
      )}
      {views.status === 'failed' && (
        <ProblemBanner problem={views.problem} onRetry={() => void views.reload()} />
      )}
      <ProblemBanner problem={remove.problem} />
      <Dialog open={saving} title={t('tables.saveView')} onClose={() => setSaving(false)}>
        <SaveViewForm
          entity={entity}
          state={state}
          columns={visibleColumns}
          canShareTenant={me.role !== 'rep'}
          onSaved={async (view) => {
            setSaving(false);
            await views.reload();
            onApply(stateOfView(view));
          }}
        />
      </Dialog>
    </div>
  );
}

function SaveViewForm({
  entity,
  state,
  columns,
  canShareTenant,
  onSaved,
}: {
  readonly entity: Entity;
  readonly state: ListState;
  readonly columns: readonly string[];
  readonly canShareTenant: boolean;
  readonly onSaved: (view: SavedView) => void;
}) {
  const [name, setName] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('private');
  const save = useAction(async () => {
    const filter = { ...state.filter, ...(state.q ? { q: state.q } : {}) };
    const view = await ok(
      api().POST('/views', {
        body: {
          entity,
          name: name.trim(),
          visibility,
          filter,
          columns: [...columns],
          ...(state.sort ? { sort: state.sort } : {}),
        },
      }),
    );
    onSaved(view as SavedView);
  });
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <ProblemBanner problem={save.problem} shownPaths={['name', 'visibility']} />
      <Field label={t('tables.viewName')} path="name" problem={save.problem}>
        {(control) => (
          <input
            {...control}
            value={name}
            onInput={(event) => setName((event.target as HTMLInputElement).value)}
          />
        )}
      </Field>
      <Field
        label={t('tables.visibility')}
        path="visibility"
        problem={save.problem}
        help={canShareTenant ? undefined : t('tables.visibilityRepHelp')}
      >
        {(control) => (
          <select
            {...control}
            value={visibility}
            onChange={(event) => setVisibility((event.target as HTMLSelectElement).value as Visibility)}
          >
            <option value="private">{t('tables.visibility.private')}</option>
            <option value="team">{t('tables.visibility.team')}</option>
            <option value="tenant">{t('tables.visibility.tenant')}</option>
          </select>
        )}
      </Field>
      <p class="muted">{t('tables.saveViewHelp')}</p>
      <div class="actions">
        <button type="submit" class="button button-primary" disabled={save.busy}>
          {save.busy ? t('common.saving') : t('common.save')}
        </button>
        {save.busy && <Spinner />}
      </div>
    </form>
  );
}
