import { describe, expect, it } from 'vitest';
import {
  identifyingValues,
  REDACTED,
  redactDeep,
  redactText,
  referencedIds,
} from '../../shared/domain/erasure.ts';
import {
  clip,
  commentExcerpt,
  MAX_EXCERPT,
  mentionedIds,
  notificationTitle,
  recordUrl,
} from '../../shared/domain/wording.ts';

describe('erasure values', () => {
  const person = {
    firstName: 'Marta',
    lastName: 'Gómez',
    email: 'marta@alvarez.example',
    phone: '+34 600 1',
  };

  it('finds names, full name, email and phone, longest first, leaving out values too short to find safely', () => {
    const values = identifyingValues([person, { firstName: 'Al', lastName: 'Gómez' }]);
    expect([...values].sort()).toEqual(
      ['+34 600 1', 'Al Gómez', 'Gómez', 'Marta', 'Marta Gómez', 'marta@alvarez.example'].sort(),
    );
    expect(values.map((value) => value.length)).toEqual(
      [...values.map((value) => value.length)].sort((a, b) => b - a),
    );
    expect(values).not.toContain('Al');
  });

  it('redacts every occurrence ignoring case, the full name whole, and special characters literally', () => {
    const values = identifyingValues([person]);
    expect(redactText('Call MARTA GÓMEZ (marta@alvarez.example) on +34 600 1', values)).toBe(
      `Call ${REDACTED} (${REDACTED}) on ${REDACTED}`,
    );
    expect(redactText('Nothing here', values)).toBe('Nothing here');
    // Values are matched literally, not as patterns.
    expect(redactText('abc', ['a.c'])).toBe('abc');
  });

  it('redacts nested strings and keeps the same object when nothing changes', () => {
    const values = ['Marta'];
    const untouched = { a: ['x', { b: 'y' }], n: 1 };
    expect(redactDeep(untouched, values)).toBe(untouched);
    const item = { title: 'Marta called', record: { name: 'Marta' }, list: ['ok', 'Marta'], n: 2 };
    expect(redactDeep(item, values)).toEqual({
      title: `${REDACTED} called`,
      record: { name: REDACTED },
      list: ['ok', REDACTED],
      n: 2,
    });
    expect(item.title).toBe('Marta called');
  });

  it('lists the record ids a response body refers to, bounded', () => {
    const body = {
      lead: { id: 'L1', contactId: 'C1' },
      contact: { id: 'C1', companyId: 'K1', tags: ['vip'] },
      deal: { id: 'D1', contactIds: ['C1', 'C2'] },
      note: 'not an id',
    };
    expect(referencedIds(body).sort()).toEqual(['C1', 'C2', 'D1', 'K1', 'L1']);
    expect(referencedIds({ items: Array.from({ length: 40 }, (_, i) => ({ id: `R${i}` })) })).toHaveLength(
      25,
    );
    expect(referencedIds('text')).toEqual([]);
  });
});

describe('wording', () => {
  it('writes mentions as names in a bounded excerpt', () => {
    expect(mentionedIds('@[u1] and @[u2] and @[u1] again')).toEqual(['u1', 'u2']);
    expect(commentExcerpt('@[u1]  please   call @[u9]', { u1: 'Ana' })).toBe('@Ana please call @someone');
    const excerpt = commentExcerpt('x'.repeat(1000), {});
    expect([...excerpt]).toHaveLength(MAX_EXCERPT);
    expect(excerpt.endsWith('…')).toBe(true);
    expect(clip('short', 10)).toBe('short');
  });

  it('titles name the actor and the record', () => {
    const record = { type: 'contact', id: 'C1', name: 'Marta Gómez' };
    const actor = { id: 'u1', name: 'Ana Ruiz' };
    expect(notificationTitle({ kind: 'mention', record }, actor)).toBe(
      'Ana Ruiz mentioned you on contact Marta Gómez',
    );
    expect(notificationTitle({ kind: 'commented', record }, actor)).toBe(
      'Ana Ruiz commented on contact Marta Gómez',
    );
    expect(notificationTitle({ kind: 'assigned', record }, actor)).toBe(
      'Ana Ruiz assigned contact Marta Gómez to you',
    );
    expect(notificationTitle({ kind: 'assigned', record })).toBe('contact Marta Gómez was assigned to you');
    expect(notificationTitle({ kind: 'changed', record, what: 'changed city of' }, actor)).toBe(
      'Ana Ruiz changed city of contact Marta Gómez',
    );
    expect(
      notificationTitle({
        kind: 'reminder',
        record: { type: 'activity', id: 'A1', name: 'Call' },
        related: record,
      }),
    ).toBe('Reminder: Call (contact Marta Gómez)');
    expect(
      notificationTitle({
        kind: 'sla_breach',
        record: { type: 'case', id: 'K1', name: 'Late' },
        related: record,
      }),
    ).toBe('SLA breached on case Late for contact Marta Gómez');
  });

  it('links to a record under the public URL, or as a path', () => {
    expect(recordUrl('https://api.example.com/', { type: 'contact', id: 'C1' })).toBe(
      'https://api.example.com/contacts/C1',
    );
    expect(recordUrl('', { type: 'activity', id: 'A1' })).toBe('/activities/A1');
  });
});
