import { describe, expect, it } from 'vitest';
import {
  appendUnique,
  listStateQuery,
  readListState,
  sortingOf,
  visibilityOf,
} from '../../console/src/pages/tables/list-state.ts';

describe('console record lists: state in the URL and paging', () => {
  it('reads the search, the route’s filters, sort, columns and view from the query and writes them back', () => {
    const query = {
      q: 'ana',
      tag: 'vip',
      ownerId: 'u1',
      other: 'x',
      sort: 'email:desc',
      cols: 'firstName,email',
      view: 'v1',
    };
    const state = readListState(query, ['tag', 'ownerId', 'archived']);
    expect(state).toEqual({
      q: 'ana',
      filter: { tag: 'vip', ownerId: 'u1' },
      sort: { field: 'email', direction: 'desc' },
      columns: ['firstName', 'email'],
      view: 'v1',
    });
    expect(sortingOf(state)).toEqual([{ id: 'email', desc: true }]);
    const written = new URLSearchParams(listStateQuery(state, '7'));
    expect(Object.fromEntries(written)).toEqual({
      q: 'ana',
      tag: 'vip',
      ownerId: 'u1',
      sort: 'email:desc',
      cols: 'firstName,email',
      view: 'v1',
      limit: '7',
    });
    expect(listStateQuery({ q: '', filter: {} })).toBe('');
  });

  it('shows the chosen columns, else all but the hidden-by-default ones', () => {
    const all = ['firstName', 'email', 'phone'];
    expect(visibilityOf({ q: '', filter: {} }, all, ['phone'])).toEqual({
      firstName: true,
      email: true,
      phone: false,
    });
    expect(visibilityOf({ q: '', filter: {}, columns: ['phone'] }, all, ['phone'])).toEqual({
      firstName: false,
      email: false,
      phone: true,
    });
  });

  it('appends pages keeping the first copy of each id, so rows are never repeated or lost', () => {
    const first = [{ id: 'a' }, { id: 'b' }];
    const next = appendUnique(first, [{ id: 'b' }, { id: 'c' }, { id: 'c' }]);
    expect(next.map((row) => row.id)).toEqual(['a', 'b', 'c']);
    expect(first).toHaveLength(2);
  });
});
