import { describe, expect, it } from 'vitest';
import { frameAncestors } from '#shared/http/pages';
import { requestBaseUrl } from '../../functions/http/meta.ts';
import { apiIndex, indexPage } from '../../shared/api/index-page.ts';

describe('who may frame the unsubscribe page', () => {
  it('nobody in AWS (no local inbox)', () => {
    expect(frameAncestors(undefined)).toBe("'none'");
  });

  it('under npm start, only the local inbox, by either loopback name', () => {
    expect(frameAncestors('http://localhost:8005/')).toBe('http://localhost:8005 http://127.0.0.1:8005');
    expect(frameAncestors('http://127.0.0.1:41234/')).toBe('http://127.0.0.1:41234 http://localhost:41234');
  });
});

describe('the API front door (GET /)', () => {
  it('links the reference, the OpenAPI document and health on the URL the request came to', () => {
    expect(apiIndex('https://api.example.com')).toEqual({
      name: 'Serverless CRM API',
      links: [
        { rel: 'docs', href: 'https://api.example.com/docs', title: 'API reference' },
        { rel: 'openapi', href: 'https://api.example.com/openapi.json', title: 'OpenAPI 3.1 document' },
        { rel: 'health', href: 'https://api.example.com/health', title: 'Health check' },
      ],
    });
  });

  it('adds the inbox only where one runs, and renders every link as an escaped anchor', () => {
    const index = apiIndex('http://localhost:3000', 'http://localhost:8005/?a=1&b="2"');
    expect(index.links.map((link) => link.rel)).toEqual(['docs', 'openapi', 'health', 'inbox']);
    const page = indexPage(index);
    expect(page).toContain('<a href="http://localhost:3000/docs">API reference</a>');
    expect(page).toContain('<a href="http://localhost:8005/?a=1&#38;b=&#34;2&#34;">');
    expect(page).not.toContain('<script');
  });
});

describe("the OpenAPI document's server (try-it-out at /docs)", () => {
  const event = (domainName: string, stage: string, proto?: string) =>
    ({
      headers: proto ? { 'x-forwarded-proto': proto } : {},
      requestContext: { domainName, stage },
    }) as unknown as Parameters<typeof requestBaseUrl>[0];

  it('is the URL the request came to (its domain and stage; not PUBLIC_API_URL), so the page may call it', () => {
    expect(requestBaseUrl(event('abc123.execute-api.eu-west-1.amazonaws.com', '$default'))).toBe(
      'https://abc123.execute-api.eu-west-1.amazonaws.com',
    );
    expect(requestBaseUrl(event('api.example.com', 'prod'))).toBe('https://api.example.com/prod');
    expect(requestBaseUrl(event('localhost:3000', '$default', 'http'))).toBe('http://localhost:3000');
  });
});
