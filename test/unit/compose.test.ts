import { describe, expect, it } from 'vitest';
import type { TemplateSource } from '../../shared/domain/template.ts';
import { compileTemplate } from '../../shared/domain/template-save.ts';
import { verifyTrackingToken } from '../../shared/domain/tracking-token.ts';
import { type ComposeInput, composeEmail } from '../../shared/mail/compose.ts';

const key = Buffer.from('compose-test-key');
const ref = {
  kind: 'campaign',
  campaignId: '01J0000000000000000000000A',
  contactId: '01J0000000000000000000000B',
} as const;
const base = { baseUrl: 'https://api.example.com', tenantId: 't-1', ref, signingKey: key };
const tokenOf = (url: string, kind: 'o' | 'c' | 'u') =>
  new RegExp(`^https://api\\.example\\.com/(t/)?${kind}/([A-Za-z0-9_-]+)(\\.gif)?$`).exec(url)?.[2] ?? '';

/** Composes with the template compiled as a saved version is (the specs the senders render). */
const compose = (input: Omit<ComposeInput, 'template'> & { template: TemplateSource }) =>
  composeEmail({ ...input, template: compileTemplate(input.template) });

describe('composeEmail', () => {
  it('personalises, tracks http(s) links, adds the pixel and the unsubscribe link and headers', () => {
    const email = compose({
      ...base,
      contact: { firstName: '<b>Ann</b>' },
      company: { name: 'Acme' },
      template: {
        subject: 'Hi {{contact.firstName}}',
        html:
          '<html><body><p>{{company.name}}</p><a href="https://example.com/x?a=1&amp;b=2">X</a> ' +
          '<a href="mailto:a@example.com">M</a> <a href="#top">T</a></body></html>',
      },
    });
    expect(email.subject).toBe('Hi <b>Ann</b>');
    expect(email.html).toContain('<p>Acme</p>');
    expect(email.html).toContain('href="mailto:a@example.com"');
    expect(email.html).toContain('href="#top"');
    const click = /href="(https:\/\/api\.example\.com\/t\/c\/[^"]+)"/.exec(email.html)?.[1] ?? '';
    expect(verifyTrackingToken(tokenOf(click, 'c'), key)).toEqual({
      purpose: 'click',
      tenantId: 't-1',
      ref,
      url: 'https://example.com/x?a=1&b=2',
    });
    const pixel = /<img src="([^"]+)" width="1" height="1" alt=""/.exec(email.html)?.[1] ?? '';
    expect(verifyTrackingToken(tokenOf(pixel, 'o'), key)?.purpose).toBe('open');
    expect(email.html.indexOf('<img')).toBeLessThan(email.html.indexOf('</body>'));
    expect(verifyTrackingToken(tokenOf(email.unsubscribeUrl, 'u'), key)?.purpose).toBe('unsubscribe');
    expect(email.html).toContain(`<a href="${email.unsubscribeUrl}">Unsubscribe</a>`);
    expect(email.text).toContain(email.unsubscribeUrl);
    expect(email.headers).toEqual({
      'List-Unsubscribe': `<${email.unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
  });

  it("keeps the template's own unsubscribe link untracked and adds no second one", () => {
    const email = compose({
      ...base,
      contact: { firstName: 'Ann' },
      template: {
        subject: 'S',
        html: '<p>Bye: <a href="{{unsubscribeUrl}}">leave</a></p>',
        text: 'Leave: {{unsubscribeUrl}}',
      },
    });
    expect(email.html).toContain(`<a href="${email.unsubscribeUrl}">leave</a>`);
    expect(email.html).not.toContain('>Unsubscribe</a>');
    expect(email.html).not.toContain('/t/c/');
    expect(email.text).toBe(`Leave: ${email.unsubscribeUrl}`);
  });

  it('escapes contact values in the HTML part', () => {
    const email = compose({
      ...base,
      contact: { firstName: '<script>alert(1)</script>' },
      template: { subject: 'S', html: '<p>{{contact.firstName}}</p>' },
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
  });
});

const clicksIn = (text: string) =>
  [...text.matchAll(/https:\/\/api\.example\.com\/t\/c\/[A-Za-z0-9_-]+/g)].map(
    (match) => verifyTrackingToken(tokenOf(match[0], 'c'), key)?.url,
  );

describe('links reach the reader as the author meant them', () => {
  const authored = 'https://shop.example/café/日本?q=ü&x=1#größe';

  it('seals the URL an href stands for: entities decoded, non-ASCII kept, escapes not doubled', () => {
    const email = compose({
      ...base,
      contact: { firstName: 'Ann', lastName: 'A=B' },
      template: {
        subject: 'S',
        html:
          '<a href="https://shop.example/café/日本?q=ü&amp;x=1#größe">shop</a> ' +
          "<a href='https://x.example/caf%C3%A9?a=1&#38;b=2'>encoded</a> " +
          '<a href="https://x.example/?who={{contact.lastName}}">var</a> ' +
          '<a href="tel:+34600000000">call</a> <a href="mailto:a@example.com?subject=Hi&amp;body=x">mail</a>',
      },
    });
    expect(clicksIn(email.html)).toEqual([
      authored,
      'https://x.example/caf%C3%A9?a=1&b=2',
      'https://x.example/?who=A=B',
    ]);
    expect(email.html).toContain('href="tel:+34600000000"');
    expect(email.html).toContain('href="mailto:a@example.com?subject=Hi&amp;body=x"');
  });

  it('tracks the links of a written text part and of one made from the HTML, like the HTML part', () => {
    const written = compose({
      ...base,
      contact: { firstName: 'Ann' },
      template: {
        subject: 'S',
        html: `<a href="${authored.replace('&', '&amp;')}">shop</a>`,
        text: `Shop: ${authored}. Docs (https://en.example/wiki/Foo_(bar)), mail me: mailto:a@example.com\nLeave: {{unsubscribeUrl}}`,
      },
    });
    expect(clicksIn(written.text)).toEqual([authored, 'https://en.example/wiki/Foo_(bar)']);
    expect(written.text).toMatch(/^Shop: https:\/\/api\.example\.com\/t\/c\/[A-Za-z0-9_-]+\. Docs \(/);
    expect(written.text).toContain('mailto:a@example.com');
    expect(written.text).toContain(`Leave: ${written.unsubscribeUrl}`);
    expect(written.text).not.toContain('shop.example');

    const generated = compose({
      ...base,
      contact: { firstName: 'Ann' },
      template: {
        subject: 'S',
        html: `<p>Hi</p><a href="${authored.replace('&', '&amp;')}">See the offer</a>`,
      },
    });
    expect(clicksIn(generated.text)).toEqual([authored]);
    expect(generated.text).not.toContain('shop.example');
    expect(generated.text).toContain(generated.unsubscribeUrl);
  });

  it('puts tracking links under an IDN public URL in ASCII (they also go into List-Unsubscribe)', () => {
    const email = compose({
      ...base,
      baseUrl: 'https://crm.müller.example/prod/',
      contact: { firstName: 'Ann' },
      template: { subject: 'S', html: '<a href="https://example.com/">x</a>' },
    });
    expect(email.unsubscribeUrl).toMatch(/^https:\/\/crm\.xn--mller-kva\.example\/prod\/u\/[A-Za-z0-9_-]+$/);
    expect(email.headers['List-Unsubscribe']).toBe(`<${email.unsubscribeUrl}>`);
    expect(email.html).toContain('href="https://crm.xn--mller-kva.example/prod/t/c/');
  });
});
