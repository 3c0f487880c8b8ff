import { describe, expect, it } from 'vitest';
import { timelineEntries } from '#shared/domain/timeline';

const activity = (fields: Record<string, unknown>) => ({
  entity: 'activity',
  id: '01JDQ6Z8K4M9N2P3R5S7T9V1WX',
  type: 'email',
  subject: 'Re: Your quote',
  status: 'done',
  related: { type: 'contact', id: 'c1' },
  createdAt: '2030-01-15T09:30:00.000Z',
  updatedAt: '2030-01-15T09:30:00.000Z',
  updatedBy: 'system:inbound-email',
  ...fields,
});

describe('the timeline entry of an email activity', () => {
  it('carries its direction: received from the person or sent to them', () => {
    for (const direction of ['inbound', 'outbound']) {
      const [entry] = timelineEntries(undefined, activity({ direction }));
      expect(entry).toMatchObject({
        kind: 'activity',
        summary: 'Re: Your quote',
        data: { type: 'email', direction },
      });
    }
  });

  it('has no direction when the activity has none (a task, a meeting)', () => {
    const [entry] = timelineEntries(undefined, activity({ type: 'task', status: 'open' }));
    expect(entry?.data).not.toHaveProperty('direction');
  });
});
