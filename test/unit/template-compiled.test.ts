import Handlebars from 'handlebars';
import { describe, expect, it } from 'vitest';
import {
  type TemplateSource,
  type TemplateSpecs,
  type TemplateVariables,
  templateFromSpecs,
  templateFromStored,
  unpackSpecs,
} from '#shared/domain/template';
import { compilerRevision, compileSubjectSpec, revisionOf } from '#shared/domain/template-compiler';
import {
  compileTemplateSpecs,
  generatedTextSource,
  htmlToText,
  packSpecs,
} from '#shared/domain/template-save';
import { composeEmail } from '#shared/mail/compose';

/**
 * The render path before templates were compiled on save, kept here as the
 * reference: the source compiled at send time, the text part converted from
 * the rendered HTML when the template has none.
 */
const reference = Handlebars.create();
function renderAtSendTime(source: TemplateSource, variables: TemplateVariables) {
  const compile = (part: string, html: boolean) =>
    reference.compile(part, { knownHelpersOnly: true, noEscape: !html, strict: false });
  const context = {
    contact: variables.contact,
    company: variables.company ?? {},
    unsubscribeUrl: variables.unsubscribeUrl,
  };
  const html = compile(source.html, true)(context);
  return {
    subject: compile(
      source.subject,
      false,
    )(context)
      .replace(/[\r\n]+/g, ' ')
      .trim(),
    html,
    text: source.text === undefined ? htmlToText(html) : compile(source.text, false)(context),
  };
}

/** As the senders get them: packed as stored with the version, read back as DynamoDB returns binary. */
const stored = (specs: TemplateSpecs): TemplateSpecs => unpackSpecs(new Uint8Array(packSpecs(specs)));

let versions = 0;
const renderStored = (source: TemplateSource, variables: TemplateVariables) =>
  templateFromStored(`test#${versions++}`, new Uint8Array(packSpecs(compileTemplateSpecs(source)))).render(
    variables,
  );

const unsubscribeUrl = 'https://crm.example/u/tok_en-1';
const people: TemplateVariables[] = [
  {
    contact: {
      firstName: '<script>alert("x")</script>',
      lastName: "O'Brien & Sons",
      email: 'ann@example.com',
      tags: ['a<b', 'vip', '`=`'],
      customFields: { plan: 'Pro', seats: 12, renewal: '2026-05-01' },
    },
    company: { name: 'Fish & Chips <Ltd>', website: 'https://fish.example/?a=1&b=2' },
    unsubscribeUrl,
  },
  { contact: { firstName: 'Bo', lastName: 'Li', tags: [] }, unsubscribeUrl },
  { contact: {}, company: { name: 'Ünïcode — ✓ 日本' }, unsubscribeUrl },
  {
    contact: { firstName: '  Ann\n  Marie ', lastName: '', tags: ['one two', ''] },
    company: { name: 'Tab\tCo', website: '' },
    unsubscribeUrl,
  },
];

const templates: Record<string, TemplateSource> = {
  'merge fields, escaping and a link per contact': {
    subject: 'Hello {{contact.firstName}} from {{company.name}}',
    html:
      '<html><body><p>Hi {{contact.firstName}} {{contact.lastName}},</p><p>{{company.name}} &amp; friends</p>' +
      '<p>Your plan: <b>{{contact.customFields.plan}}</b> for {{contact.customFields.seats}} seats.</p>' +
      '<p><a href="{{company.website}}">Visit us</a> or <a href="mailto:{{contact.email}}">write</a>.</p>' +
      '<p><a href="{{unsubscribeUrl}}">Unsubscribe</a></p></body></html>',
  },
  'helpers: if, unless, each, with, lookup, else': {
    subject:
      '{{#if contact.firstName}}{{contact.firstName}}, {{/if}}news{{#unless company.name}} for you{{/unless}}',
    html:
      '<p>{{#if contact.firstName}}Dear {{contact.firstName}}{{else}}Hello{{/if}},</p>' +
      '<ul>{{#each contact.tags}}<li>{{@index}}: {{this}}</li>{{/each}}</ul>' +
      '<p>{{#with company}}From {{name}}{{/with}} {{lookup contact.tags 0}}</p>' +
      '<p>{{!-- a comment --}}{{! another }}Bye</p><a href="{{unsubscribeUrl}}">{{unsubscribeUrl}}</a>',
  },
  'its own text part': {
    subject: 'Plain {{contact.lastName}}',
    html: '<p>HTML for {{contact.firstName}}</p>',
    text: 'Dear {{contact.lastName}} & {{company.name}},\n\n{{#each contact.tags}}- {{this}}\n{{/each}}{{unsubscribeUrl}}',
  },
  'literal braces, escaped tags and whitespace control': {
    subject: 'Braces \\{{contact.firstName}} stay',
    html: '<p>Write &#123;&#123;name&#125;&#125; or \\{{contact.firstName}} literally</p><p>  {{~contact.lastName~}}  !</p>',
  },
  'blocks around paragraphs and list items': {
    subject: 'S',
    html:
      '<p>Intro</p>{{#if contact.firstName}}<p>For {{contact.firstName}} only</p>{{/if}}' +
      '{{#each contact.tags}}<p>Tag {{this}}</p>{{/each}}<ul>{{#each contact.tags}}<li>{{this}}</li>{{/each}}</ul>' +
      '{{#unless company.name}}<h2>No company</h2>{{else}}<h2>{{company.name}}</h2>{{/unless}}<p>End</p>',
  },
  'lists, a table of links and an image': {
    subject: 'S',
    html:
      '<h2>Offers</h2><ol><li><a href="https://example.com/a?x=1&amp;y=2">First offer</a></li>' +
      '<li>Second for {{contact.firstName}}</li></ol><img src="https://example.com/p.png" alt="p">' +
      '<table><tr><td>Plan</td><td>{{contact.customFields.plan}}</td></tr></table>' +
      '<p>Link as text: <a href="https://example.com/same">https://example.com/same</a></p>',
  },
};

describe('a template compiled when saved', () => {
  for (const [name, source] of Object.entries(templates))
    it(`renders byte for byte what rendering at send time rendered: ${name}`, () => {
      for (const variables of people)
        expect(renderStored(source, variables)).toEqual(renderAtSendTime(source, variables));
    });

  it('composes the same email as the source compiled at send time (tracked links, unsubscribe, pixel)', () => {
    const source = templates['merge fields, escaping and a link per contact'] as TemplateSource;
    const input = {
      baseUrl: 'https://api.example.com',
      tenantId: 't-1',
      ref: { kind: 'campaign', campaignId: 'C1', contactId: 'K1' } as const,
      contact: people[0]?.contact ?? {},
      company: people[0]?.company,
      signingKey: Buffer.from('k'),
    };
    const atSendTime = composeEmail({
      ...input,
      template: { key: 'reference', render: (variables) => renderAtSendTime(source, variables) },
    });
    const fromStored = composeEmail({
      ...input,
      template: templateFromSpecs('stored#compose', stored(compileTemplateSpecs(source))),
    });
    expect(fromStored).toEqual(atSendTime);
    expect(fromStored.text).toContain('Visit us [https://api.example.com/t/c/');
  });

  it("gives an A/B variant its own subject with the template's HTML and text", () => {
    const source = templates['merge fields, escaping and a link per contact'] as TemplateSource;
    const variant = 'Last chance, {{contact.firstName}}!';
    const specs = stored(compileTemplateSpecs(source));
    const rendered = templateFromSpecs('stored#variant', {
      ...specs,
      subject: compileSubjectSpec(variant),
    }).render(people[1] as TemplateVariables);
    expect(rendered).toEqual(
      renderAtSendTime({ ...source, subject: variant }, people[1] as TemplateVariables),
    );
    expect(rendered.subject).toBe('Last chance, Bo!');
  });

  it('keeps what a tenant wrote as text inside the spec, never as code', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a literal "${", as a tenant may write it
    const hostile = 'x"}); globalThis.pwned = 1; ({"a":"\\u2028</script>\'`${1}`';
    const specs = stored(
      compileTemplateSpecs({ subject: hostile, html: `<p>${hostile}</p>`, text: hostile }),
    );
    const rendered = templateFromSpecs('stored#hostile', specs).render({ contact: {}, unsubscribeUrl });
    expect((globalThis as { pwned?: unknown }).pwned).toBeUndefined();
    expect(rendered.subject).toBe(hostile);
    expect(rendered.text).toBe(hostile);
    expect(rendered.html).toBe(`<p>${hostile}</p>`);
  });

  it('names the compiler revision it was written by, which the backfill compares with the runtime', () => {
    const specs = compileTemplateSpecs({ subject: 's', html: '<p>x</p>' });
    expect(revisionOf(specs.html)).toBe(compilerRevision);
    expect(revisionOf(specs.html.replace(/^\{"compiler":\[\d+/, '{"compiler":[7'))).toBe(7);
  });

  it('turns each spec into render functions once per key (one per template version)', () => {
    const specs = compileTemplateSpecs({ subject: 's', html: '<p>{{contact.firstName}}</p>' });
    expect(templateFromSpecs('stored#once', specs)).toBe(templateFromSpecs('stored#once', stored(specs)));
    expect(templateFromSpecs('stored#once', specs)).not.toBe(templateFromSpecs('stored#other', specs));
  });
});

describe('the text part generated from the HTML when saved', () => {
  // The marks around values and on block-only lines, which the render settles (settleGeneratedText).
  const generated = (html: string) => generatedTextSource(html).replace(/[\uE002-\uE006]/g, '');

  it('is a text template with the tags of the HTML in place', () => {
    expect(
      generated(
        '<h1>Title</h1><p>Hi {{contact.firstName}},</p><p><a href="{{unsubscribeUrl}}">{{unsubscribeUrl}}</a></p>',
      ),
    ).toBe('TITLE\n\nHi {{contact.firstName}},\n\n{{unsubscribeUrl}}');
  });

  it('keeps literal braces literal and escaped tags escaped', () => {
    expect(generated('<p>&#123;&#123;x}} and \\{{contact.firstName}}</p>')).toBe(
      '\\{{x}} and \\{{contact.firstName}}',
    );
  });

  it('carries a block that spans elements through, as the sender renders it', () => {
    const source = '<p>{{#if contact.firstName}}Dear {{contact.firstName}}{{else}}Hello{{/if}}</p>';
    expect(generated(source)).toBe('{{#if contact.firstName}}Dear {{contact.firstName}}{{else}}Hello{{/if}}');
  });
});
