import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { t } from '../../i18n/index.ts';
import { useAction } from '../../ui/async.ts';
import { ProblemBanner, Spinner } from '../../ui/feedback.tsx';
import { Field } from '../../ui/field.tsx';
import { userLabels } from '../../ui/user-label.ts';
import type { Entity } from './entities.ts';
import { postComment } from './record-api.ts';
import { loadUsers, type User } from './users.ts';

/** The `@word` being typed just before the caret, if any. */
function mentionQuery(text: string, caret: number): { start: number; query: string } | undefined {
  const match = /(^|\s)@([^\s@]{0,30})$/.exec(text.slice(0, caret));
  const word = match?.[2];
  if (word === undefined) return undefined;
  return { start: caret - word.length - 1, query: word.toLowerCase() };
}

/**
 * The API's mention syntax is `@[userId]`; people write `@Name`. Names picked from the list are
 * turned into ids when the comment is sent (longest first, so "Ana María" wins over "Ana").
 */
export function withMentionIds(text: string, picked: ReadonlyMap<string, string>): string {
  const names = [...picked.keys()].sort((a, b) => b.length - a.length);
  let body = text;
  for (const name of names) body = body.split(`@${name}`).join(`@[${picked.get(name)}]`);
  return body;
}

/** A comment on the record; typing @ offers colleagues to mention (arrows, Enter, Escape). */
export function CommentBox({
  entity,
  id,
  onPosted,
}: {
  readonly entity: Entity;
  readonly id: string;
  readonly onPosted: () => void;
}) {
  const [text, setText] = useState('');
  const [users, setUsers] = useState<readonly User[]>([]);
  const [query, setQuery] = useState<{ start: number; query: string } | undefined>();
  const [active, setActive] = useState(0);
  const [posted, setPosted] = useState(false);
  const picked = useRef(new Map<string, string>());
  const input = useRef<HTMLTextAreaElement>(null);
  const listId = useId();
  // Where the caret goes once the text with the inserted mention is rendered: applied right after
  // that render, before the next keystroke (a later frame would move it back over typed letters).
  const caretAfterRender = useRef<number | undefined>(undefined);
  useLayoutEffect(() => {
    const at = caretAfterRender.current;
    if (at === undefined || !input.current) return;
    caretAfterRender.current = undefined;
    input.current.setSelectionRange(at, at);
  });

  useEffect(() => {
    loadUsers().then(setUsers, () => setUsers([]));
  }, []);

  const matches = query
    ? users
        .filter(
          (user) =>
            user.name.toLowerCase().includes(query.query) || user.email.toLowerCase().startsWith(query.query),
        )
        .slice(0, 6)
    : [];
  const open = matches.length > 0;

  const pick = (user: User) => {
    if (!query || !input.current) return;
    const caret = input.current.selectionStart ?? text.length;
    // Namesakes are written with their email, so each "@label" stands for one colleague.
    const label = userLabels(users).get(user.id) ?? user.name;
    const next = `${text.slice(0, query.start)}@${label} ${text.slice(caret)}`;
    picked.current.set(label, user.id);
    setText(next);
    setQuery(undefined);
    caretAfterRender.current = query.start + label.length + 2;
    input.current.focus();
  };

  const post = useAction(async () => {
    await postComment(entity, id, withMentionIds(text.trim(), picked.current));
    setText('');
    picked.current.clear();
    setPosted(true);
    onPosted();
  });

  const onInput = (event: Event) => {
    const area = event.currentTarget as HTMLTextAreaElement;
    setText(area.value);
    setPosted(false);
    setQuery(mentionQuery(area.value, area.selectionStart ?? area.value.length));
    setActive(0);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (!open) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey) && text.trim()) {
        event.preventDefault();
        void post.run();
      }
      return;
    }
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      const step = event.key === 'ArrowDown' ? 1 : -1;
      setActive((index) => (index + step + matches.length) % matches.length);
    } else if (event.key === 'Enter' || event.key === 'Tab') {
      event.preventDefault();
      const user = matches[active];
      if (user) pick(user);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      setQuery(undefined);
    }
  };

  return (
    <section class="card" aria-labelledby="record-comment">
      <h2 id="record-comment">{t('records.comments')}</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (text.trim()) void post.run();
        }}
      >
        <Field
          label={t('records.commentLabel')}
          path="body"
          problem={post.problem}
          help={t('records.commentHelp')}
        >
          {(ids) => (
            <div class="mention-wrap">
              <textarea
                {...ids}
                ref={input}
                rows={3}
                value={text}
                aria-autocomplete="list"
                aria-controls={listId}
                {...(open ? { 'aria-activedescendant': `${listId}-${active}` } : {})}
                onInput={onInput}
                onKeyDown={onKeyDown}
                onBlur={() => setTimeout(() => setQuery(undefined), 150)}
              />
              <div
                id={listId}
                role="listbox"
                aria-label={t('records.mentionList')}
                class="mention-list"
                hidden={!open}
              >
                {matches.map((user, index) => (
                  <div
                    key={user.id}
                    tabIndex={-1}
                    id={`${listId}-${index}`}
                    role="option"
                    aria-selected={index === active}
                    class={index === active ? 'mention-active' : ''}
                    onMouseDown={(event) => {
                      event.preventDefault();
                      pick(user);
                    }}
                  >
                    {user.name} <span class="muted">{user.email}</span>
                  </div>
                ))}
              </div>
            </div>
          )}
        </Field>
        <div class="actions">
          <button type="submit" class="button button-primary" disabled={post.busy || !text.trim()}>
            {t('records.commentPost')}
          </button>
          {post.busy && <Spinner label={t('common.saving')} />}
        </div>
        <ProblemBanner problem={post.problem} shownPaths={['body']} />
        {posted && (
          <p role="status" class="muted">
            {t('records.commentPosted')}
          </p>
        )}
      </form>
    </section>
  );
}
