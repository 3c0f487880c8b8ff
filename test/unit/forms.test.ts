import { describe, expect, it } from 'vitest';
import { verifyCsatToken } from '../../shared/domain/csat-token.ts';
import type { CustomFieldDefinition } from '../../shared/domain/custom-fields.ts';
import {
  rateAddress,
  signConfirmToken,
  signFormId,
  sourceAddressHash,
  verifyConfirmToken,
  verifyFormId,
} from '../../shared/domain/form-token.ts';
import {
  embedSnippet,
  formFieldIssues,
  marketingStatusFromConsent,
  rateWindow,
  referrerOf,
  typedCustomValue,
  utmOf,
} from '../../shared/domain/forms.ts';
import { formPairs, submittedLead } from '../../shared/http/form-submission.ts';

const key = Buffer.from('unit-test-secret');
const FORM = '01JDQ6Z8K4M9N2P3R5S7T9V1WX';
const LEAD = '01JDQ6Z8K4M9N2P3R5S7T9V1WY';

const definitions: CustomFieldDefinition[] = [
  { key: 'employees', label: 'Employees', type: 'number' },
  { key: 'newsletter', label: 'Newsletter', type: 'boolean' },
  { key: 'topics', label: 'Topics', type: 'multiselect', options: ['crm', 'email'] },
  { key: 'budget', label: 'Budget', type: 'select', options: ['small', 'large'], required: true },
];

describe('form tokens', () => {
  it('seal the tenant and form in the public id: any change, another key or another purpose fails', () => {
    const id = signFormId({ tenantId: 'acme', formId: FORM }, key);
    expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(verifyFormId(id, key)).toEqual({ tenantId: 'acme', formId: FORM });
    const flipped = `${id.slice(0, 5)}${id[5] === 'A' ? 'B' : 'A'}${id.slice(6)}`;
    expect(verifyFormId(flipped, key)).toBeUndefined();
    expect(verifyFormId(id, Buffer.from('another key'))).toBeUndefined();
    expect(verifyFormId(id.slice(0, -1), key)).toBeUndefined();
    expect(verifyCsatToken(id, key)).toBeUndefined();
    expect(verifyFormId(FORM, key)).toBeUndefined();
  });

  it('confirmation tokens name their lead and expire', () => {
    const claim = { tenantId: 'acme', formId: FORM, leadId: LEAD, expiresAt: 2_000_000_000 };
    const token = signConfirmToken(claim, key);
    expect(verifyConfirmToken(token, key, 1_999_999_999_000)).toEqual(claim);
    expect(verifyConfirmToken(token, key, 2_000_000_000_000)).toBeUndefined();
    // A public id is not a confirmation token, nor the reverse.
    expect(verifyConfirmToken(signFormId(claim, key), key, 0)).toBeUndefined();
    expect(verifyFormId(token, key)).toBeUndefined();
  });

  it('count an IPv6 subscriber by its /64 and never store the address', () => {
    expect(rateAddress('203.0.113.5')).toBe('203.0.113.5');
    expect(rateAddress('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(rateAddress('2001:db8:1:2::1')).toBe(rateAddress('2001:db8:1:2:ffff::9'));
    expect(rateAddress('2001:db8:1:3::1')).not.toBe(rateAddress('2001:db8:1:2::1'));
    const hash = sourceAddressHash('acme', '203.0.113.5', key);
    expect(hash).toMatch(/^[0-9a-f]{32}$/);
    expect(sourceAddressHash('other', '203.0.113.5', key)).not.toBe(hash);
  });
});

describe('form definitions', () => {
  it('need firstName, a way to reach the lead, every required custom field, and email with double opt-in', () => {
    expect(
      formFieldIssues(
        [{ field: 'firstName' }, { field: 'phone' }, { field: 'customFields.budget' }],
        definitions,
        false,
      ),
    ).toEqual([]);
    expect(formFieldIssues([{ field: 'phone' }], definitions, true)).toEqual([
      { path: 'fields', message: 'must take firstName: every lead has one' },
      { path: 'fields', message: 'must take customFields.budget: every lead needs it' },
      { path: 'fields', message: 'must take email as a required field with doubleOptIn' },
    ]);
  });
});

describe('submissions', () => {
  const fields = [
    { field: 'firstName' },
    { field: 'email' },
    { field: 'phone' },
    { field: 'customFields.employees' },
    { field: 'customFields.newsletter' },
    { field: 'customFields.topics' },
    { field: 'customFields.budget', required: true },
  ];

  it('read form text as the custom fields’ types and ignore names the form does not take', () => {
    expect(
      submittedLead(fields, definitions, {
        firstName: ' Ana ',
        email: 'ANA@Example.com',
        'customFields.employees': '12',
        'customFields.newsletter': 'on',
        'customFields.topics': ['crm', 'email'],
        'customFields.budget': 'small',
        ownerId: 'someone',
        submit: 'Send',
      }),
    ).toEqual({
      fields: { firstName: 'Ana', email: 'ana@example.com' },
      customFields: { employees: 12, newsletter: true, topics: ['crm', 'email'], budget: 'small' },
    });
    expect(typedCustomValue(definitions[2], 'crm')).toEqual(['crm']);
    expect(typedCustomValue(definitions[0], 'twelve')).toBe('twelve');
  });

  it('list every bad answer once, with its label, and ask for email or phone', () => {
    const result = submittedLead(fields, definitions, {
      firstName: '',
      'customFields.employees': 'many',
      'customFields.topics': 'sales',
    });
    expect('errors' in result && result.errors.map(({ path, label }) => `${path}:${label}`)).toEqual([
      'firstName:First name',
      'customFields.budget:Budget',
      'customFields.employees:Employees',
      'customFields.topics:Topics',
      'email:Email',
    ]);
  });

  it('refuse several different answers to a one-value field, in either encoding; a multiselect takes them', () => {
    const result = submittedLead(fields, definitions, {
      firstName: ['Ana', 'Bea'],
      email: ['ana@example.com', ' ana@example.com', ''],
      'customFields.employees': ['12', '13'],
      'customFields.topics': ['crm', 'email'],
      'customFields.budget': 'small',
    });
    expect('errors' in result && result.errors).toEqual([
      expect.objectContaining({
        path: 'firstName',
        message: 'must be given once, not several different values',
      }),
      expect.objectContaining({ path: 'customFields.employees', label: 'Employees' }),
    ]);
    const same = submittedLead(fields, definitions, {
      firstName: ['Ana', 'Ana'],
      email: ['ana@example.com', ''],
      'customFields.budget': 'small',
    });
    expect(same).toMatchObject({ fields: { firstName: 'Ana', email: 'ana@example.com' } });
  });

  it('keep UTM parameters from the body before the query, and only http(s) pages as the referrer', () => {
    expect(utmOf({ utm_source: 'mail', utm_term: ' ' }, { utm_source: 'ads', utm_content: 'hero' })).toEqual({
      source: 'mail',
      content: 'hero',
    });
    expect(utmOf({}, {})).toBeUndefined();
    expect(referrerOf('https://user:pw@www.example.com/a?b=c')).toBe('https://www.example.com/a?b=c');
    expect(referrerOf('javascript:alert(1)')).toBeUndefined();
  });
});

describe('the rest', () => {
  it('windows: the retry waits for the next window', () => {
    expect(rateWindow({ limit: 1, windowSeconds: 60 }, Date.parse('2030-01-01T10:00:15.500Z'))).toEqual({
      start: Date.parse('2030-01-01T10:00:00Z') / 1000,
      retryAfter: 45,
    });
  });

  it('a contact from a form lead is subscribed only with confirmed consent', () => {
    const consent = { source: 'web_form', formId: FORM, requestedAt: '2030-01-01T00:00:00Z' } as const;
    expect(marketingStatusFromConsent(undefined)).toBe('subscribed');
    expect(marketingStatusFromConsent({ ...consent, status: 'subscribed' })).toBe('subscribed');
    expect(marketingStatusFromConsent({ ...consent, status: 'pending' })).toBe('unsubscribed');
    expect(marketingStatusFromConsent({ ...consent, status: 'not_asked' })).toBe('unsubscribed');
  });

  it('the snippet escapes what it shows and hides the honeypot', () => {
    const html = embedSnippet(
      'https://api.example.com/f/abc',
      [{ field: 'firstName', label: '<b>Name</b>' }],
      [],
    );
    expect(html).toContain('&#60;b&#62;Name&#60;/b&#62;');
    expect(html).toContain('name="website" tabindex="-1"');
    expect(html).toContain('name="utm_source"');
  });
});

describe('form-encoded bodies', () => {
  it('read escapes in the declared charset, UTF-8 by default, keeping plain text as it came', () => {
    expect(formPairs('firstName=Jos%C3%A9+Mar%C3%ADa&x&=v&email=a%40b.example', 'utf-8')).toEqual([
      ['firstName', 'José María'],
      ['x', ''],
      ['', 'v'],
      ['email', 'a@b.example'],
    ]);
    expect(formPairs('firstName=Jos%E9', 'iso-8859-1')).toEqual([['firstName', 'José']]);
    // Every label WHATWG maps to Windows-1252 reads 0x80 as € and 0x93/0x94 as curly quotes.
    for (const label of ['windows-1252', 'iso-8859-1', 'latin1', 'us-ascii'])
      expect(formPairs('p=%80%205%20%93ok%94', label), label).toEqual([['p', '€ 5 \u201cok\u201d']]);
    expect(() => formPairs('p=%81', 'windows-1252')).toThrow(expect.objectContaining({ status: 400 }));
    // Shift_JIS: 日本 is 93 FA 96 7B, the last byte a plain "{" escaped; "%83A" is ア with a plain second byte.
    expect(formPairs('n=%93%FA%96%7B%83A', 'shift_jis')).toEqual([['n', '日本ア']]);
    expect(formPairs('n=Zoë%20%F0%9F%91%8B&p=100%', 'utf-8')).toEqual([
      ['n', 'Zoë 👋'],
      ['p', '100%'],
    ]);
  });

  it('answer 400 for bytes that are not text in the charset, and 415 for a charset nobody knows', () => {
    expect(() => formPairs('firstName=Jos%E9', 'utf-8')).toThrow(
      expect.objectContaining({ status: 400, detail: expect.stringContaining('not valid utf-8') }),
    );
    expect(() => formPairs('a=%E0%A4%A', 'utf-8')).toThrow(expect.objectContaining({ status: 400 }));
    // Raw bytes that were not UTF-8 arrive as replacement characters: already lost, so refused too.
    expect(() => formPairs('firstName=Jos\uFFFD', 'utf-8')).toThrow(expect.objectContaining({ status: 400 }));
    expect(() => formPairs('a=b', 'klingon-1')).toThrow(expect.objectContaining({ status: 415 }));
  });
});
