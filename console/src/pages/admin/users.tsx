import { useState } from 'preact/hooks';
import { api, ok } from '../../api/client.ts';
import { addMessages, t } from '../../i18n/index.ts';
import { useSession } from '../../me.ts';
import { useAction, useAsync } from '../../ui/async.ts';
import { Dialog } from '../../ui/dialog.tsx';
import { EmptyState, Loading, ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { PageHeader } from '../../ui/page.tsx';
import { TableWrap } from '../../ui/table-wrap.tsx';
import { userLabels } from '../../ui/user-label.ts';
import { AdminOnly, loadAll, type Team, type User } from './admin-data.tsx';
import { messages } from './messages.ts';
import './admin.css';

addMessages(messages);

type Role = User['role'];
const roles: readonly Role[] = ['admin', 'manager', 'rep'];

/** /app/admin/users: the tenant's users, a form to add one, and each one's role and team. */
export function UsersPage() {
  const { me } = useSession();
  const data = useAsync(async () => {
    const [users, teams] = await Promise.all([
      loadAll((cursor) =>
        api().GET('/users', { params: { query: { limit: '100', ...(cursor ? { cursor } : {}) } } }),
      ),
      loadAll((cursor) =>
        api().GET('/teams', { params: { query: { limit: '100', ...(cursor ? { cursor } : {}) } } }),
      ),
    ]);
    return { users, teams };
  }, []);
  const [adding, setAdding] = useState(false);
  const [notice, setNotice] = useState('');
  const admin = me.role === 'admin';
  return (
    <section>
      <PageHeader title={t('admin.users.title')}>
        {admin && (
          <button type="button" class="button button-primary" onClick={() => setAdding(true)}>
            {t('admin.users.new')}
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
        (data.data.users.length === 0 ? (
          <EmptyState title={t('admin.users.empty')} />
        ) : (
          <TableWrap label={t('admin.users.title')}>
            <table>
              <caption class="visually-hidden">{t('admin.users.title')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t('admin.name')}</th>
                  <th scope="col">{t('admin.email')}</th>
                  <th scope="col">{t('admin.role')}</th>
                  <th scope="col">{t('admin.team')}</th>
                </tr>
              </thead>
              <tbody>
                {data.data.users.map((user, _, users) => (
                  <UserRow
                    key={user.id}
                    user={user}
                    label={userLabels(users).get(user.id) ?? user.email}
                    teams={data.data?.teams ?? []}
                    editable={admin}
                    onSaved={(saved) => {
                      setNotice(t('admin.users.saved', { name: saved.name }));
                      void data.reload();
                    }}
                  />
                ))}
              </tbody>
            </table>
          </TableWrap>
        ))}
      <Dialog open={adding} title={t('admin.users.new')} onClose={() => setAdding(false)}>
        <NewUserForm
          teams={data.data?.teams ?? []}
          onCreated={(user) => {
            setAdding(false);
            setNotice(t('admin.users.created', { name: user.name }));
            void data.reload();
          }}
        />
      </Dialog>
    </section>
  );
}

/** One user: the role and team are selects that save on change (with the version read). */
function UserRow({
  user,
  label,
  teams,
  editable,
  onSaved,
}: {
  readonly user: User;
  /** The name the row's selects are labelled with; namesakes get their email (labels must differ). */
  readonly label: string;
  readonly teams: readonly Team[];
  readonly editable: boolean;
  readonly onSaved: (user: User) => void;
}) {
  const save = useAction(async (body: { role?: Role; teamId?: string | null }) => {
    const saved = await ok(
      api().PATCH('/users/{id}', {
        params: { path: { id: user.id }, header: { 'If-Match': `"${user.version}"` } },
        body,
      }),
    );
    onSaved(saved as User);
  });
  const teamName = teams.find((team) => team.id === user.teamId)?.name ?? user.teamId ?? t('admin.noTeam');
  return (
    <tr>
      <th scope="row" class="row-name">
        {user.name}
      </th>
      <td>{user.email}</td>
      <td>
        {editable ? (
          <select
            aria-label={t('admin.users.roleOf', { name: label })}
            value={user.role}
            disabled={save.busy}
            onChange={(event) => void save.run({ role: (event.target as HTMLSelectElement).value as Role })}
          >
            {roles.map((role) => (
              <option key={role} value={role}>
                {t(`admin.role.${role}`)}
              </option>
            ))}
          </select>
        ) : (
          t(`admin.role.${user.role}`)
        )}
      </td>
      <td>
        {editable ? (
          <select
            aria-label={t('admin.users.teamOf', { name: label })}
            value={user.teamId ?? ''}
            disabled={save.busy}
            onChange={(event) => {
              const value = (event.target as HTMLSelectElement).value;
              void save.run({ teamId: value || null });
            }}
          >
            <option value="">{t('admin.noTeam')}</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        ) : (
          teamName
        )}
        {save.busy && <Spinner label={t('common.saving')} />}
        <ProblemBanner problem={save.problem} />
      </td>
    </tr>
  );
}

function NewUserForm({
  teams,
  onCreated,
}: {
  readonly teams: readonly Team[];
  readonly onCreated: (user: User) => void;
}) {
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('rep');
  const [teamId, setTeamId] = useState('');
  const create = useAction(async () => {
    const user = await ok(
      api().POST('/users', {
        body: { email: email.trim(), name: name.trim(), role, ...(teamId ? { teamId } : {}) },
      }),
    );
    onCreated(user as User);
  });
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void create.run();
      }}
    >
      <ProblemBanner problem={create.problem} shownPaths={['email', 'name', 'role', 'teamId']} />
      <Field label={t('admin.email')} path="email" problem={create.problem}>
        {(control) => (
          <input
            {...control}
            type="email"
            value={email}
            onInput={(event) => setEmail((event.target as HTMLInputElement).value)}
          />
        )}
      </Field>
      <Field label={t('admin.name')} path="name" problem={create.problem}>
        {(control) => (
          <input
            {...control}
            value={name}
            onInput={(event) => setName((event.target as HTMLInputElement).value)}
          />
        )}
      </Field>
      <Field label={t('admin.role')} path="role" problem={create.problem}>
        {(control) => (
          <select
            {...control}
            value={role}
            onChange={(event) => setRole((event.target as HTMLSelectElement).value as Role)}
          >
            {roles.map((value) => (
              <option key={value} value={value}>
                {t(`admin.role.${value}`)}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={t('admin.team')} path="teamId" problem={create.problem}>
        {(control) => (
          <select
            {...control}
            value={teamId}
            onChange={(event) => setTeamId((event.target as HTMLSelectElement).value)}
          >
            <option value="">{t('admin.noTeam')}</option>
            {teams.map((team) => (
              <option key={team.id} value={team.id}>
                {team.name}
              </option>
            ))}
          </select>
        )}
      </Field>
      <div class="actions">
        <button type="submit" class="button button-primary" disabled={create.busy}>
          {create.busy ? t('common.saving') : t('common.create')}
        </button>
        {create.busy && <Spinner />}
      </div>
    </form>
  );
}
