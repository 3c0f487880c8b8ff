import { describe, expect, it } from 'vitest';
import { userLabels } from '../../console/src/ui/user-label.ts';

/** Owner pickers and mentions tell namesakes apart by their email. */
describe('user labels', () => {
  it('adds the email only where a name is shared', () => {
    const labels = userLabels([
      { id: 'a', name: 'Jonas Weber', email: 'jonas.1@x.example' },
      { id: 'b', name: 'Jonas Weber', email: 'jonas.2@x.example' },
      { id: 'c', name: 'Clara Nilsson', email: 'clara@x.example' },
      { id: 'd', email: 'noname@x.example' },
    ]);
    expect(labels.get('a')).toBe('Jonas Weber (jonas.1@x.example)');
    expect(labels.get('b')).toBe('Jonas Weber (jonas.2@x.example)');
    expect(labels.get('c')).toBe('Clara Nilsson');
    expect(labels.get('d')).toBe('noname@x.example');
  });
});
