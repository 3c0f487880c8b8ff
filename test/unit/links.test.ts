import { describe, expect, it } from 'vitest';
import { hrefValue, rewriteTextLinks } from '../../shared/domain/links.ts';
import { asciiUrl } from '../../shared/domain/urls.ts';
import { redirect } from '../../shared/http/results.ts';

describe('hrefValue', () => {
  it('reads an attribute value as a browser does', () => {
    expect(hrefValue(' https://a.example/?q=1&amp;x=2 ')).toBe('https://a.example/?q=1&x=2');
    expect(hrefValue('https://a.example/?who=A&#x3D;B&#39;s&#x60;')).toBe("https://a.example/?who=A=B's`");
    // In an attribute, a legacy entity name followed by `=` is text (WHATWG HTML).
    expect(hrefValue('https://a.example/?a=1&copy=2')).toBe('https://a.example/?a=1&copy=2');
    expect(hrefValue('https://a.example/caf%C3%A9')).toBe('https://a.example/caf%C3%A9');
  });
});

describe('asciiUrl', () => {
  it('percent-encodes non-ASCII (WHATWG URL), punycodes the host and never encodes twice', () => {
    expect(asciiUrl('https://shop.example/café/日本?q=ü&x=1#größe')).toBe(
      'https://shop.example/caf%C3%A9/%E6%97%A5%E6%9C%AC?q=%C3%BC&x=1#gr%C3%B6%C3%9Fe',
    );
    expect(asciiUrl('https://shop.example/caf%C3%A9?q=%C3%BC')).toBe(
      'https://shop.example/caf%C3%A9?q=%C3%BC',
    );
    expect(asciiUrl('https://Müller.example/')).toBe('https://xn--mller-kva.example/');
    expect(asciiUrl('not a url')).toBeUndefined();
  });

  it('is what a redirect puts in Location, so the header carries only ASCII', () => {
    const location = redirect('https://shop.example/café/日本?q=ü&x=1#größe').headers?.location ?? '';
    expect(location).toBe('https://shop.example/caf%C3%A9/%E6%97%A5%E6%9C%AC?q=%C3%BC&x=1#gr%C3%B6%C3%9Fe');
    expect(/^[\x21-\x7e]+$/.test(location)).toBe(true);
    // Node refuses a header with characters outside Latin-1: what answered 500 before.
    expect(() => new Headers({ location })).not.toThrow();
  });
});

describe('rewriteTextLinks', () => {
  const mark = (url: string) => `<${url}>`;
  it('finds http(s) URLs in text, without the punctuation that ends a sentence', () => {
    expect(
      rewriteTextLinks(
        'See https://a.example/x?y=ü. Or (https://b.example/wiki/A_(b)), [https://c.example/] and https://d.example/a!',
        mark,
      ),
    ).toBe(
      'See <https://a.example/x?y=ü>. Or (<https://b.example/wiki/A_(b)>), [<https://c.example/>] and <https://d.example/a>!',
    );
  });

  it('leaves other schemes and declined URLs alone', () => {
    const text = 'mailto:a@b.example tel:+1 ftp://c.example https://keep.example/';
    expect(rewriteTextLinks(text, () => undefined)).toBe(text);
    expect(rewriteTextLinks(text, mark)).toBe(
      'mailto:a@b.example tel:+1 ftp://c.example <https://keep.example/>',
    );
  });
});
