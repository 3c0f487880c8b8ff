import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CfnResource } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CONSOLE_HSTS_SECONDS } from '../../infra/console-headers.ts';
import { consoleRouterCode } from '../../infra/stacks/console-stack.ts';
import { logicalId, synthApp } from './support.ts';

const { app, stacks, templates } = synthApp();
const site = templates.console;
const id = (construct: { node: { defaultChild?: unknown } }) =>
  logicalId(construct.node.defaultChild as CfnResource);
const only = (template: typeof site, type: string) => {
  const found = Object.values(template.findResources(type));
  expect(found).toHaveLength(1);
  return (found[0]?.Properties ?? {}) as Record<string, never>;
};
const distribution = only(site, 'AWS::CloudFront::Distribution').DistributionConfig as unknown as Record<
  string,
  never
>;
const securityHeaders = (
  only(site, 'AWS::CloudFront::ResponseHeadersPolicy').ResponseHeadersPolicyConfig as unknown as {
    SecurityHeadersConfig: Record<string, Record<string, unknown>>;
  }
).SecurityHeadersConfig;
/** A template string, its Fn::Join of pseudo parameters written `<AWS::Region>`. */
const rendered = (value: unknown): string =>
  typeof value === 'string'
    ? value
    : ((value as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1] ?? [])
        .map((part) => (typeof part === 'string' ? part : `<${(part as { Ref: string }).Ref}>`))
        .join('');
const csp = rendered(securityHeaders.ContentSecurityPolicy?.ContentSecurityPolicy);
const directive = (name: string) =>
  csp
    .split(';')
    .map((part) => part.trim())
    .find((part) => part.startsWith(`${name} `));
const importOf = (stack: string) => ({ 'Fn::ImportValue': Match.stringLikeRegexp(`^${stack}:`) });

describe('CrmConsole: the site', () => {
  it('keeps the bucket private, encrypted, TLS only and without website hosting', () => {
    const bucket = site.findResources('AWS::S3::Bucket')[id(stacks.console.bucket)]?.Properties;
    expect(bucket).toMatchObject({
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
    });
    expect(bucket?.WebsiteConfiguration).toBeUndefined();
    site.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          // Reads only by this distribution, through origin access control.
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudfront.amazonaws.com' },
            Condition: { StringEquals: { 'AWS:SourceArn': Match.anyValue() } },
          }),
        ]),
      },
    });
  });

  it('serves through CloudFront with origin access control, HTTPS only, HTTP/2 and 3, PriceClass_100', () => {
    const oac = only(site, 'AWS::CloudFront::OriginAccessControl').OriginAccessControlConfig;
    expect(oac).toMatchObject({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' });
    expect(distribution).toMatchObject({
      DefaultRootObject: 'app/index.html',
      HttpVersion: 'http2and3',
      PriceClass: 'PriceClass_100',
      DefaultCacheBehavior: {
        ViewerProtocolPolicy: 'https-only',
        FunctionAssociations: [{ EventType: 'viewer-request' }],
      },
      Origins: [{ OriginAccessControlId: expect.anything() }],
    });
    expect(JSON.stringify(distribution.Origins)).not.toContain('OriginAccessIdentity":"origin-access');
    // Page paths come from the router function, not from error responses turned into index.html.
    expect(distribution.CustomErrorResponses).toBeUndefined();
  });

  it('routes / to /app/ and page paths to index.html, files to themselves', () => {
    const handler = new Function(`${consoleRouterCode}; return handler;`)() as (event: {
      request: { uri: string };
    }) => { uri?: string; statusCode?: number; headers?: { location: { value: string } } };
    const route = (uri: string) => handler({ request: { uri } });
    expect(route('/')).toMatchObject({ statusCode: 302, headers: { location: { value: '/app/' } } });
    expect(route('/app')).toMatchObject({ statusCode: 302, headers: { location: { value: '/app/' } } });
    expect(route('/app/').uri).toBe('/app/index.html');
    expect(route('/app/contacts/01J8Z').uri).toBe('/app/index.html');
    expect(route('/app/callback').uri).toBe('/app/index.html');
    expect(route('/app/assets/index-3f2a.js').uri).toBe('/app/assets/index-3f2a.js');
    expect(route('/app/config.json').uri).toBe('/app/config.json');
    expect(route('/app/v1.2/page').uri).toBe('/app/index.html');
  });

  it('sends a CSP without inline scripts that allows the API and the hosted UI, HSTS and no framing', () => {
    expect(directive('script-src')).toBe("script-src 'self'");
    expect(directive('connect-src')).toBe(
      "connect-src 'self' https://*.execute-api.<AWS::Region>.<AWS::URLSuffix> " +
        'https://crm-<AWS::AccountId>.auth.<AWS::Region>.amazoncognito.com ' +
        'https://crm-imports-<AWS::AccountId>-<AWS::Region>.s3.<AWS::Region>.<AWS::URLSuffix>',
    );
    expect(directive('frame-ancestors')).toBe("frame-ancestors 'none'");
    expect(securityHeaders).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: CONSOLE_HSTS_SECONDS, IncludeSubdomains: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY' },
      ReferrerPolicy: { ReferrerPolicy: 'strict-origin-when-cross-origin' },
    });
    expect(CONSOLE_HSTS_SECONDS).toBeGreaterThanOrEqual(2 * 365 * 24 * 3600);
  });

  it('names the custom API domain in the CSP when publicApiUrl is set', () => {
    const custom = synthApp({ publicApiUrl: 'https://api.crm.example.com/v1' }).templates.console;
    const policy = JSON.stringify(custom.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    expect(policy).toContain("connect-src 'self' https://api.crm.example.com https://");
    expect(policy).not.toContain('execute-api');
  });

  it('deploys hashed assets immutable and kept, the pages revalidated, under app/', () => {
    const deployments = Object.values(site.findResources('Custom::CDKBucketDeployment')).map(
      (resource) => resource.Properties,
    );
    expect(deployments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          DestinationBucketKeyPrefix: 'app/',
          Include: ['assets/*'],
          Prune: false,
          SystemMetadata: { 'cache-control': 'public, max-age=31536000, immutable' },
        }),
        expect.objectContaining({
          DestinationBucketKeyPrefix: 'app/',
          Exclude: ['assets/*', 'config.json'],
          SystemMetadata: { 'cache-control': 'no-cache' },
        }),
      ]),
    );
  });

  it('outputs the console URL, bucket and distribution', () => {
    expect(Object.keys(site.findOutputs('*')).sort()).toEqual(
      expect.arrayContaining(['ConsoleBucketName', 'ConsoleUrl', 'DistributionId']),
    );
    expect(JSON.stringify(site.findOutputs('ConsoleUrl'))).toContain('/app/');
  });
});

describe('CrmApi: the console sign-in', () => {
  const clients = templates.api.findResources('AWS::Cognito::UserPoolClient');
  const consoleClient = clients[id(stacks.api.consoleClient)]?.Properties;
  const consoleUrl = (path: string) => ({
    'Fn::Join': ['', ['https://', importOf('CrmConsole'), path]],
  });

  it('has a public client with the authorization code grant only, back to the console', () => {
    expect(consoleClient).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      ExplicitAuthFlows: ['ALLOW_REFRESH_TOKEN_AUTH'],
      SupportedIdentityProviders: ['COGNITO'],
    });
    templates.api.hasResourceProperties('AWS::Cognito::UserPoolClient', {
      CallbackURLs: [consoleUrl('/app/callback')],
      LogoutURLs: [consoleUrl('/app/')],
    });
  });

  it('has a hosted UI domain with a stable prefix, or the one from context', () => {
    const domain = only(templates.api, 'AWS::Cognito::UserPoolDomain');
    expect(domain.Domain).toEqual({ 'Fn::Join': ['', ['crm-', { Ref: 'AWS::AccountId' }]] });
    const custom = synthApp({ cognitoDomainPrefix: 'acme-crm' }).templates.api;
    custom.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-crm' });
    expect(() => synthApp({ cognitoDomainPrefix: 'my-cognito' })).toThrow(/cognitoDomainPrefix/);
  });

  it("accepts the console client's tokens and the console's origin", () => {
    const authorizer = only(templates.api, 'AWS::ApiGatewayV2::Authorizer');
    expect(authorizer).toMatchObject({
      JwtConfiguration: {
        Audience: expect.arrayContaining([
          { Ref: id(stacks.api.userPoolClient) },
          { Ref: id(stacks.api.consoleClient) },
        ]),
      },
    });
    templates.api.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: Match.objectLike({
        AllowOrigins: [{ 'Fn::Join': ['', ['https://', importOf('CrmConsole')]] }],
        AllowHeaders: Match.arrayWith(['authorization']),
      }),
    });
  });
});

describe('CrmFiles: uploads from the console', () => {
  it('lets the console PUT import files and GET their error reports, nothing else', () => {
    const bucket =
      templates.files.findResources('AWS::S3::Bucket')[id(stacks.files.imports.bucket)]?.Properties;
    expect(bucket?.CorsConfiguration).toEqual({
      CorsRules: [
        {
          AllowedOrigins: [
            { 'Fn::Join': ['', ['https://', { 'Fn::ImportValue': expect.stringMatching(/^CrmConsole:/) }]] },
          ],
          AllowedMethods: ['PUT', 'GET'],
          AllowedHeaders: ['content-type'],
          MaxAge: 3600,
        },
      ],
    });
    const exportsBucket = templates.files.findResources('AWS::S3::Bucket')[id(stacks.files.exports.bucket)];
    expect(exportsBucket?.Properties.CorsConfiguration).toBeUndefined();
  });
});

describe('CrmConsoleConfig: config.json', () => {
  const deployment = only(templates.consoleConfig, 'Custom::CDKBucketDeployment') as Record<string, unknown>;
  const markers = (deployment.SourceMarkers as Record<string, unknown>[])[0] ?? {};
  const asset = String((deployment.SourceObjectKeys as string[])[0]).replace(/\.zip$/, '');
  const written = JSON.parse(
    readFileSync(join(app.synth().directory, `asset.${asset}`, 'app', 'config.json'), 'utf8'),
  ) as Record<string, unknown>;
  /** config.json with each deploy-time marker replaced by the value CloudFormation puts there. */
  const resolved = JSON.parse(
    JSON.stringify(written).replace(/<<marker:0xbaba:\d+>>/g, (marker) =>
      JSON.stringify(markers[marker]).replace(/"/g, "'"),
    ),
  ) as Record<string, Record<string, unknown>>;
  const ref = (value: unknown) => String(value);

  it('writes app/config.json, revalidated, into the console bucket without pruning its files', () => {
    expect(deployment).toMatchObject({
      Prune: false,
      SystemMetadata: { 'cache-control': 'no-cache' },
      DestinationBucketName: {
        'Fn::Join': ['', ['crm-console-', { Ref: 'AWS::AccountId' }, '-', { Ref: 'AWS::Region' }]],
      },
    });
    expect(deployment.DestinationBucketKeyPrefix).toBeUndefined();
  });

  it("holds the API URL and the hosted UI's domain, client, callback and scopes", () => {
    expect(ref(resolved.apiUrl)).toMatch(/^https:\/\/\{'Fn::ImportValue':'CrmApi:ExportsOutputRefHttpApi/);
    expect(resolved.auth).toMatchObject({ mode: 'cognito', scopes: ['openid', 'email', 'profile'] });
    expect(ref(resolved.auth?.domain)).toMatch(/^https:\/\/\{'Fn::ImportValue':'CrmApi:.*HostedUi.*\.auth\./);
    expect(ref(resolved.auth?.clientId)).toContain(`CrmApi:ExportsOutputRef${id(stacks.api.consoleClient)}`);
    expect(ref(resolved.auth?.redirectUri)).toMatch(
      /^https:\/\/\{'Fn::ImportValue':'CrmConsole:.*'\}\/app\/callback$/,
    );
  });
});
