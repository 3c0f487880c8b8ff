import { describe, expect, it } from 'vitest';
import { lastActivityUpdate } from '#functions/stream/consumers/contact-activity';
import { TemplateError, type TemplateSource, type TemplateVariables } from '#shared/domain/template';
import { compileTemplate, htmlToText, templateProblems } from '#shared/domain/template-save';
import { fieldChanges } from '#shared/domain/timeline';

const variables = {
  contact: { firstName: '<script>alert("x")</script>', lastName: "O'Brien & Sons", tags: ['a<b'] },
  company: { name: 'Fish & Chips <Ltd>' },
  unsubscribeUrl: 'https://crm.example/u/token',
};

const errorOf = (source: { subject: string; html: string; text?: string }): TemplateError => {
  try {
    compileTemplate(source);
  } catch (error) {
    if (error instanceof TemplateError) return error;
    throw error;
  }
  throw new Error('compiled');
};

const renderTemplate = (source: TemplateSource, data: TemplateVariables) =>
  compileTemplate(source).render(data);

describe('templates', () => {
  it('escapes variables in the HTML part, so markup in a contact stays text', () => {
    const rendered = renderTemplate(
      {
        subject: 'Hello {{contact.firstName}} from {{company.name}}',
        html: '<p>Hi {{contact.firstName}} {{contact.lastName}}</p><p>{{company.name}}</p>{{#each contact.tags}}<i>{{this}}</i>{{/each}}<a href="{{unsubscribeUrl}}">Unsubscribe</a>',
      },
      variables,
    );
    expect(rendered.html).not.toContain('<script>');
    expect(rendered.html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(rendered.html).toContain('O&#x27;Brien &amp; Sons');
    expect(rendered.html).toContain('<i>a&lt;b</i>');
    expect(rendered.html).toContain('href="https://crm.example/u/token"');
    // Subject and text are not HTML: no entities for the reader to see.
    expect(rendered.subject).toBe('Hello <script>alert("x")</script> from Fish & Chips <Ltd>');
    expect(rendered.text).toContain('Hi <script>alert("x")</script> O\'Brien & Sons');
    expect(rendered.text).toContain('Unsubscribe [https://crm.example/u/token]');
  });

  it('renders a given text part without escaping, and keeps a subject on one line', () => {
    const rendered = renderTemplate(
      {
        subject: 'Hi {{contact.firstName}}',
        html: '<p>x</p>',
        text: 'Dear {{contact.lastName}},\n{{unsubscribeUrl}}',
      },
      { contact: { firstName: 'Ann\r\nBcc: evil@example.com', lastName: 'A & B' }, unsubscribeUrl: 'u' },
    );
    expect(rendered.subject).toBe('Hi Ann Bcc: evil@example.com');
    expect(rendered.text).toBe('Dear A & B,\nu');
  });

  it('generates the text part from HTML', () => {
    expect(htmlToText('<h1>Title</h1><p>Para <a href="https://x.test/a">link</a></p><img src="p.gif">')).toBe(
      'TITLE\n\nPara link [https://x.test/a]',
    );
  });

  it('rejects unescaped output in HTML, explaining why', () => {
    for (const html of ['<p>\n{{{contact.firstName}}}</p>', '<p>\n{{& contact.firstName}}</p>']) {
      const error = errorOf({ subject: 'x', html });
      expect(error.part).toBe('html');
      expect(error.line).toBe(2);
      expect(error.reason).toContain('inject markup');
    }
    // Outside HTML nothing is escaped anyway, so triple-stash is harmless there.
    expect(() => compileTemplate({ subject: '{{{contact.firstName}}}', html: 'x' })).not.toThrow();
  });

  it('names the part and line of a template that does not compile', () => {
    const error = errorOf({ subject: 'ok', html: '<p>\n\n{{#if contact.firstName}}unclosed' });
    expect(error.part).toBe('html');
    expect(error.message).toMatch(/^html line \d+: /);
    expect(errorOf({ subject: 'Hi {{contact.firstName', html: 'x' }).part).toBe('subject');
    expect(errorOf({ subject: 'x', html: 'x', text: 'a\n{{/each}}' })).toMatchObject({
      part: 'text',
      line: 2,
    });
  });

  it('rejects unknown helpers, partials and variables outside contact, company and unsubscribeUrl', () => {
    expect(errorOf({ subject: 'x', html: '{{uppercase contact.firstName}}' }).reason).toContain(
      'unknown helper "uppercase"',
    );
    expect(errorOf({ subject: 'x', html: '{{#custom}}x{{/custom}}' }).reason).toContain(
      'unknown block helper',
    );
    expect(errorOf({ subject: 'x', html: '{{> header}}' }).reason).toContain('partials');
    expect(errorOf({ subject: '{{firstName}}', html: 'x' }).reason).toContain('unknown variable "firstName"');
    expect(() =>
      compileTemplate({
        subject: 'x',
        html: '{{#with company}}{{name}}{{/with}}{{#if contact.tags}}{{lookup contact.tags 0}}{{/if}}',
      }),
    ).not.toThrow();
  });

  it('lists every part that does not compile', () => {
    expect(
      templateProblems({ subject: '{{', html: '{{{contact.email}}}', text: 'ok' }).map(
        (problem) => problem.part,
      ),
    ).toEqual(['subject', 'html']);
  });

  it('refuses control characters in the subject (one header line), not in the body', () => {
    for (const subject of ['Hi\r\nBcc: x@example.com', 'Hi\u0000', 'Tab\there', 'C1\u009b'])
      expect(templateProblems({ subject, html: '<p>x</p>' })).toEqual([
        expect.objectContaining({ part: 'subject', reason: expect.stringMatching(/control characters/) }),
      ]);
    expect(templateProblems({ subject: 'Fine — ünïcode ✓', html: '<p>a</p>\r\n<p>b</p>' })).toEqual([]);
  });

  it('caches compiled templates by content', () => {
    const source = { subject: 's {{contact.firstName}}', html: '<b>{{contact.firstName}}</b>' };
    expect(compileTemplate(source)).toBe(compileTemplate({ ...source }));
    expect(compileTemplate(source)).not.toBe(compileTemplate({ ...source, text: 'plain' }));
  });
});

describe('contact lastActivityAt from the stream', () => {
  const activity = {
    entity: 'activity',
    tenantId: 't1',
    id: 'A1',
    related: { type: 'contact', id: 'C1' },
    status: 'open',
    createdAt: '2030-01-01T00:00:00.000Z',
    updatedAt: '2030-01-01T00:00:00.000Z',
  };

  it('follows activities about a contact when created or completed', () => {
    expect(lastActivityUpdate(undefined, activity)).toEqual({
      tenantId: 't1',
      contactId: 'C1',
      at: '2030-01-01T00:00:00.000Z',
    });
    const done = { ...activity, status: 'done', completedAt: '2030-01-02T00:00:00.000Z' };
    expect(lastActivityUpdate(activity, done)?.at).toBe('2030-01-02T00:00:00.000Z');
    expect(lastActivityUpdate(done, { ...done, subject: 'changed' })).toBeUndefined();
    expect(
      lastActivityUpdate(undefined, { ...activity, related: { type: 'deal', id: 'D1' } }),
    ).toBeUndefined();
    expect(lastActivityUpdate(activity, undefined)).toBeUndefined();
  });

  it('puts back a value that a concurrent record write dropped', () => {
    const contact = {
      entity: 'contact',
      tenantId: 't1',
      id: 'C1',
      lastActivityAt: '2030-01-02T00:00:00.000Z',
    };
    const { lastActivityAt: _dropped, ...rewritten } = contact;
    expect(lastActivityUpdate(contact, rewritten)).toEqual({
      tenantId: 't1',
      contactId: 'C1',
      at: '2030-01-02T00:00:00.000Z',
    });
    expect(lastActivityUpdate(contact, contact)).toBeUndefined();
  });

  it('is not a field change on the timeline', () => {
    expect(
      fieldChanges('contact', { id: 'C1' }, { id: 'C1', lastActivityAt: '2030-01-01T00:00:00Z' }),
    ).toEqual([]);
  });
});
