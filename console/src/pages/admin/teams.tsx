import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { formatNumber } from '../../i18n/format.ts';
import { addMessages, t } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { EmptyState, Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { AdminOnly, loadAll, type Team, type User } from './admin-data.tsx';
import { messages } from './messages.ts';
import './admin.css';

addMessages(messages);

/** /app/admin/teams: the tenant's teams with their member counts; create and rename. */
export function TeamsPage() {
  const { me } = useSession();
  const data = useAsync(async () => {
    const [teams, users] = await Promise.all([
      loadAll<Team>((cursor) =>
        api().GET('/teams', { params: { query: { limit: '100', ...(cursor ? { cursor } : {}) } } }),
      ),
      loadAll<User>((cursor) =>
        api().GET('/users', { params: { query: { limit: '100', ...(cursor ? { cursor } : {}) } } }),
      ).catch(() => [] as User[]),
    ]);
    return { teams, users };
  }, []);
  const [editing, setEditing] = useState<Team | 'new' | undefined>();
  const [notice, setNotice] = useState('');
  const admin = me.role === 'admin';
  return (
    <section>
      <PageHeader title={t('admin.teams.title')}>
        {admin && (
          <button type="button" class="button button-primary" onClick={() => setEditing('new')}>
            {t('admin.teams.new')}
          </button>
        )}
      </PageHeader>
      {!admin && <AdminOnly />}
      {notice && (
        <p class="banner banner-success" role="status">
          {notice}
        </p>
      )}
      {data.status === 'failed' && (
        <ProblemBanner problem={data.problem} onRetry={() => void data.reload()} />
      )}
      {!data.data && data.status === 'loading' && <Loading />}
      {data.data &&
        (data.data.teams.length === 0 ? (
          <EmptyState title={t('admin.teams.empty')}>
            {admin && (
              <button type="button" class="button button-primary" onClick={() => setEditing('new')}>
                {t('admin.teams.new')}
              </button>
            )}
          </EmptyState>
        ) : (
          <div class="table-wrap">
            <table>
              <caption class="visually-hidden">{t('admin.teams.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.name')}</th>
                  <th scope="col" class="number">
                    {t('admin.teams.members')}
                  </th>
                  {admin && (
                    <th scope="col">
                      <span class="visually-hidden">{t('admin.actions')}</span>
                    </th>
                  )}
                </tr>
              </thead>
              <tbody>
                {data.data.teams.map((team) => (
                  <tr key={team.id}>
                    <th scope="row" class="row-name">
                      {team.name}
                    </th>
                    <td class="number">
                      {formatNumber(data.data?.users.filter((user) => user.teamId === team.id).length ?? 0)}
                    </td>
                    {admin && (
                      <td>
                        <button type="button" class="button" onClick={() => setEditing(team)}>
                          {t('admin.teams.rename', { name: team.name })}
                        </button>
                      </td>
                    )}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ))}
      <Dialog
        open={editing !== undefined}
        title={
          editing === 'new' || !editing
            ? t('admin.teams.new')
            : t('admin.teams.rename', { name: editing.name })
        }
        onClose={() => setEditing(undefined)}
      >
        {editing && (
          <TeamForm
            team={editing === 'new' ? undefined : editing}
            onSaved={(team) => {
              setEditing(undefined);
              setNotice(t('admin.teams.saved', { name: team.name }));
              void data.reload();
            }}
          />
        )}
      </Dialog>
    </section>
  );
}

function TeamForm({ team, onSaved }: { readonly team?: Team; readonly onSaved: (team: Team) => void }) {
  const [name, setName] = useState(team?.name ?? '');
  const save = useAction(async () => {
    const body = { name: name.trim() };
    const saved = team
      ? await ok(
          api().PATCH('/teams/{id}', {
            params: { path: { id: team.id }, header: { 'If-Match': `"${team.version}"` } },
            body,
          }),
        )
      : await ok(api().POST('/teams', { body }));
    onSaved(saved as Team);
  });
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void save.run();
      }}
    >
      <ProblemBanner problem={save.problem} shownPaths={['name']} />
      <Field label={t('admin.teams.name')} path="name" problem={save.problem}>
        {(control) => (
          <input
            {...control}
            value={name}
            onInput={(event) => setName((event.target as HTMLInputElement).value)}
          />
        )}
      </Field>
      <div class="actions">
        <button type="submit" class="button button-primary" disabled={save.busy}>
          {save.busy ? t('common.saving') : t('common.save')}
        </button>
        {save.busy && <Spinner />}
      </div>
    </form>
  );
}
