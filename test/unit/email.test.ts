import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { canonicalEmail, normalizeEmail, sameEmail } from '../../shared/domain/email.ts';
import { compileFilter } from '../../shared/domain/segment-filter.ts';
import { namesRecipient } from '../../shared/domain/ses-event.ts';
import { emailHash } from '../../shared/domain/suppression.ts';
import { email } from '../../shared/schemas/common.ts';

describe('one form for every email address', () => {
  it('accepts internationalised domains and stores them in IDNA ASCII, lower case', () => {
    expect(normalizeEmail('lucia@müller.example')).toBe('lucia@xn--mller-kva.example');
    expect(normalizeEmail(' Lucia@MÜLLER.Example ')).toBe('lucia@xn--mller-kva.example');
    expect(normalizeEmail('lucia@xn--mller-kva.example')).toBe('lucia@xn--mller-kva.example');
    expect(normalizeEmail('info@пример.рф')).toBe('info@xn--e1afmkfd.xn--p1ai');
    expect(normalizeEmail("o'brien+news@example.com")).toBe("o'brien+news@example.com");
  });

  it('refuses what is not an address SES can send to', () => {
    for (const bad of [
      'lucía@example.com',
      'a@b',
      'a@-b.example',
      '.a@b.example',
      'a..b@c.example',
      'a b@c.example',
      '@b.example',
      'a@b.example.',
      `${'a'.repeat(65)}@b.example`,
    ]) {
      expect(normalizeEmail(bad), bad).toBeUndefined();
    }
  });

  it('compares, hashes and matches SES events alike in either form', () => {
    expect(sameEmail('lucia@müller.example', 'LUCIA@xn--mller-kva.example')).toBe(true);
    expect(canonicalEmail('lucia@müller.example')).toBe('lucia@xn--mller-kva.example');
    expect(emailHash('t1', 'lucia@müller.example')).toBe(emailHash('t1', 'lucia@xn--mller-kva.example'));
    expect(emailHash('t1', 'lucia@müller.example')).not.toBe(emailHash('t2', 'lucia@müller.example'));
    expect(namesRecipient({ recipients: ['Lucia@Müller.example'] }, 'lucia@xn--mller-kva.example')).toBe(
      true,
    );
  });

  it('is what the email schema of every resource validates and stores', () => {
    const schema = email();
    expect(z.parse(schema, 'lucia@müller.example')).toBe('lucia@xn--mller-kva.example');
    const refused = z.safeParse(schema, 'not-an-email');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0]?.message).toBe('must be a valid email');
  });

  it('finds a stored address in a segment condition written with either form', () => {
    const view = {
      contact: { email: 'lucia@xn--mller-kva.example' },
      openedCampaigns: new Set<string>(),
      clickedCampaigns: new Set<string>(),
      dealStages: new Set<string>(),
    };
    const matches = (op: 'eq' | 'neq' | 'in' | 'nin', value: unknown) =>
      compileFilter({ all: [{ field: 'email', op, value }] })(view);
    expect(matches('eq', 'Lucia@Müller.example')).toBe(true);
    expect(matches('neq', 'lucia@müller.example')).toBe(false);
    expect(matches('in', ['x@y.example', 'lucia@müller.example'])).toBe(true);
    expect(matches('nin', ['lucia@müller.example'])).toBe(false);
    expect(matches('eq', 'other@müller.example')).toBe(false);
  });
});
