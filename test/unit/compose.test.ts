import { describe, expect, it } from 'vitest';
import { verifyTrackingToken } from '../../shared/domain/tracking-token.ts';
import { composeEmail } from '../../shared/mail/compose.ts';

const key = Buffer.from('compose-test-key');
const ref = {
  kind: 'campaign',
  campaignId: '01J0000000000000000000000A',
  contactId: '01J0000000000000000000000B',
} as const;
const base = { baseUrl: 'https://api.example.com', tenantId: 't-1', ref, signingKey: key };
const tokenOf = (url: string, kind: 'o' | 'c' | 'u') =>
  new RegExp(`^https://api\\.example\\.com/(t/)?${kind}/([A-Za-z0-9_-]+)(\\.gif)?$`).exec(url)?.[2] ?? '';

describe('composeEmail', () => {
  it('personalises, tracks http(s) links, adds the pixel and the unsubscribe link and headers', () => {
    const email = composeEmail({
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
    const email = composeEmail({
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
    const email = composeEmail({
      ...base,
      contact: { firstName: '<script>alert(1)</script>' },
      template: { subject: 'S', html: '<p>{{contact.firstName}}</p>' },
    });
    expect(email.html).not.toContain('<script>');
    expect(email.html).toContain('&lt;script&gt;');
  });
});
