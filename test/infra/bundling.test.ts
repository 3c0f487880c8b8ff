import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { App, Stack } from 'aws-cdk-lib';
import { AttributeType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { cdkBundling, esbuildOptions, nodeTarget, projectRoot } from '../../infra/bundling.ts';
import { readConfig } from '../../infra/config.ts';
import { CrmFunction } from '../../infra/constructs/crm-function.ts';
import { httpEntry, lambda, lambdas, swaggerUiFiles } from '../../infra/lambdas.ts';

/** Runs a bundled handler on `event` in a plain Node process, as Lambda would load it. */
function invoke(
  bundle: string,
  event: Record<string, unknown>,
): { statusCode: number; body: string; headers: Record<string, string>; isBase64Encoded?: boolean } {
  const script = `
    const { handler } = await import(${JSON.stringify(pathToFileURL(bundle).href)});
    const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 };
    process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, context)));
  `;
  const output = execFileSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', script], {
    encoding: 'utf8',
    // Outside the repository: the bundle must not find swagger-ui-dist in node_modules.
    cwd: tmpdir(),
    env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
  });
  return JSON.parse(output);
}

const getEvent = (routeKey: string, path: string, pathParameters?: Record<string, string>) => ({
  version: '2.0',
  routeKey,
  rawPath: path,
  rawQueryString: '',
  headers: { host: 'api.example.com' },
  ...(pathParameters ? { pathParameters } : {}),
  requestContext: {
    http: { method: 'GET', path },
    routeKey,
    requestId: 'test',
    domainName: 'api.example.com',
  },
  isBase64Encoded: false,
});

describe('bundling options (infra/bundling.ts)', () => {
  it('gives NodejsFunction the same options as the esbuild object', () => {
    expect(cdkBundling).toMatchObject({
      minify: esbuildOptions.minify,
      format: OutputFormat.ESM,
      target: esbuildOptions.target,
      mainFields: esbuildOptions.mainFields,
      banner: esbuildOptions.banner.js,
      bundleAwsSDK: true,
      externalModules: [],
    });
    expect(esbuildOptions).toMatchObject({ bundle: true, platform: 'node', format: 'esm', external: [] });
  });

  it('targets the Node.js version of the Lambda runtime', () => {
    expect(Runtime.NODEJS_24_X.name).toBe(`nodejs${nodeTarget.replace('node', '')}.x`);
  });
});

describe('a function bundled exactly as CDK does', () => {
  const dir = mkdtempSync(join(tmpdir(), 'crm-bundle-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is one self-contained ESM file (AWS SDK included) that serves GET /health', async () => {
    const outfile = join(dir, 'index.mjs');
    await build({
      ...esbuildOptions,
      entryPoints: [join(projectRoot, httpEntry('meta'))],
      outfile,
      logLevel: 'silent',
    });
    const code = readFileSync(outfile, 'utf8');
    expect(code.startsWith(esbuildOptions.banner.js)).toBe(true);
    // Only Node built-ins may stay as imports.
    const imports = [...code.matchAll(/\bfrom\s*["']([^"']+)["']/g)].map((match) => match[1]);
    expect(imports.filter((specifier) => !specifier?.startsWith('node:'))).toEqual([]);

    // Run it in a plain Node process, as Lambda would load it.
    const event = {
      version: '2.0',
      routeKey: 'GET /health',
      rawPath: '/health',
      rawQueryString: '',
      headers: {},
      requestContext: {
        http: { method: 'GET', path: '/health' },
        routeKey: 'GET /health',
        requestId: 'test',
      },
      isBase64Encoded: false,
    };
    const script = `
      const { handler } = await import(${JSON.stringify(pathToFileURL(outfile).href)});
      const context = { awsRequestId: 'test', getRemainingTimeInMillis: () => 10_000 };
      process.stdout.write(JSON.stringify(await handler(${JSON.stringify(event)}, context)));
    `;
    const output = execFileSync(process.execPath, ['--input-type=module', '--no-warnings', '-e', script], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, AWS_REGION: 'us-east-1' },
    });
    const response = JSON.parse(output) as { statusCode: number; body: string };
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ status: 'ok' });
  });
});

describe('the meta function as CDK packages it', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'crm-meta-asset-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it("carries Swagger UI's files beside the bundle and serves /docs from them", () => {
    // Bundling on for this one stack: esbuild runs, then the copy of the spec's files.
    const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': ['MetaBundle'] } });
    const stack = new Stack(app, 'MetaBundle');
    const table = new TableV2(stack, 'Table', { partitionKey: { name: 'pk', type: AttributeType.STRING } });
    CrmFunction.fromCatalogue(stack, lambda('meta'), { table, config: readConfig(app.node) });
    app.synth();
    const asset = readdirSync(outdir)
      .map((name) => join(outdir, name))
      .find((folder) => existsSync(join(folder, 'index.mjs')));
    expect(asset).toBeDefined();
    const folder = asset as string;
    for (const { from, to } of swaggerUiFiles)
      expect(readFileSync(join(folder, to)).equals(readFileSync(join(projectRoot, from))), to).toBe(true);

    const page = invoke(join(folder, 'index.mjs'), getEvent('GET /docs', '/docs'));
    expect(page.statusCode).toBe(200);
    const hashed = [...page.body.matchAll(/(?:src|href)="(docs\/[^"?]+)\?v=[0-9a-f]{16}"/g)].map(
      (match) => match[1],
    );
    expect(hashed.sort()).toEqual(['docs/docs.js', 'docs/swagger-ui-bundle.js', 'docs/swagger-ui.css']);

    const css = invoke(
      join(folder, 'index.mjs'),
      getEvent('GET /docs/{file}', '/docs/swagger-ui.css', { file: 'swagger-ui.css' }),
    );
    expect(css.statusCode).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(
      Buffer.from(css.body, 'base64').equals(
        readFileSync(join(projectRoot, 'node_modules/swagger-ui-dist/swagger-ui.css')),
      ),
    ).toBe(true);
  }, 60_000);
});

describe('functions that validate no request', () => {
  // Only HTTP functions parse input with zod. A schema module imported by a shared module
  // (shared/store/campaigns.ts names the campaign record's fields) must not bring zod along:
  // its unused `lazy(…)` calls carry the `__PURE__` annotation (shared/schemas/lazy.ts).
  // The import worker validates every row against the create and patch schemas, as the API would.
  const validatesRows = new Set<string>(['importChunks']);
  const others = lambdas.filter((spec) => spec.trigger.kind !== 'http' && !validatesRows.has(spec.name));

  it.each(others.map((spec) => [spec.entry]))('%s bundles no zod', async (entry) => {
    const result = await build({
      ...esbuildOptions,
      entryPoints: [join(projectRoot, entry)],
      outfile: join(tmpdir(), 'crm-zod-check', 'index.mjs'),
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const zod = Object.values(result.metafile.outputs)
      .flatMap((output) => Object.entries(output.inputs))
      .filter(([input, { bytesInOutput }]) => /(^|\/)node_modules\/zod\//.test(input) && bytesInOutput > 0)
      .map(([input]) => input);
    expect(zod).toEqual([]);
  });
});

describe('what a function does not carry', () => {
  /** The inputs of a function's bundle that put bytes in it, relative to the repository. */
  async function inputsOf(entry: string): Promise<string[]> {
    const result = await build({
      ...esbuildOptions,
      entryPoints: [join(projectRoot, entry)],
      outfile: join(tmpdir(), 'crm-carry-check', 'index.mjs'),
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    return Object.values(result.metafile.outputs).flatMap((output) =>
      Object.entries(output.inputs)
        .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
        .map(([input]) => input),
    );
  }
  const matching = (inputs: string[], pattern: RegExp) => inputs.filter((input) => pattern.test(input));
  const iconvLite = /(^|\/)node_modules\/iconv-lite\//;
  const routeExamples = /(^|\/)shared\/api\/examples\//;

  // Windows-1252 has its own table (shared/domain/windows-1252.ts); iconv-lite is 493 kB.
  it.each(['meta', 'imports', 'importChunks'] as const)('%s bundles no iconv-lite', async (name) => {
    expect(matching(await inputsOf(lambda(name).entry), iconvLite)).toEqual([]);
  });

  it('serves route examples only from the OpenAPI document (meta), not from the routes', async () => {
    expect(matching(await inputsOf(httpEntry('contacts')), routeExamples)).toEqual([]);
    expect(matching(await inputsOf(httpEntry('meta')), routeExamples)).not.toEqual([]);
  });

  // Bundled, the stand-ins' lazy import made esbuild keep all of @aws-sdk/client-dynamodb
  // (the aggregated client, every command's schema, the waiters).
  it('leaves the local queue and scheduler stand-ins, and the aggregated DynamoDB client, out of a function that queues and schedules', async () => {
    const inputs = await inputsOf(lambda('campaignStart').entry);
    expect(
      matching(
        inputs,
        /shared\/(queue\/local-queue|schedule\/local-scheduler)\.ts$|client-dynamodb\/dist-es\/DynamoDB\.js$/,
      ),
    ).toEqual([]);
  });
});

describe('functions that render mail', () => {
  // Templates are compiled when saved (shared/domain/template-save.ts); the functions that render
  // mail carry the Handlebars runtime alone. The campaigns function also parses A/B variant
  // subjects (shared/domain/template-syntax.ts): Handlebars' parser, never its code generator.
  const renderers = ['campaignSend', 'sequenceStep', 'reminder', 'campaigns'] as const;
  const compilerOnly =
    /node_modules\/handlebars\/dist\/cjs\/handlebars\/compiler\/(?!base|parser|whitespace-control|helpers|visitor|node-types)/;
  const parser = /node_modules\/handlebars\/dist\/cjs\/handlebars\/compiler\//;
  const converter =
    /node_modules\/(html-to-text|htmlparser2|domhandler|domutils|dom-serializer|selderee|parseley|deepmerge-ts|source-map)\//;
  // What the HTML parser and serializer add to `entities`; link tracking decodes hrefs with its decoder alone.
  const encoder = /node_modules\/entities\/lib\/(esm\/)?(encode|escape)/;

  it.each(renderers.map((name) => [name, lambda(name).entry]))(
    '%s bundles no template compiler and no HTML-to-text converter',
    async (name, entry) => {
      const result = await build({
        ...esbuildOptions,
        entryPoints: [join(projectRoot, entry)],
        outfile: join(tmpdir(), 'crm-renderer-check', 'index.mjs'),
        write: false,
        metafile: true,
        logLevel: 'silent',
      });
      const inputs = Object.values(result.metafile.outputs)
        .flatMap((output) => Object.entries(output.inputs))
        .filter(([, { bytesInOutput }]) => bytesInOutput > 0)
        .map(([input]) => input);
      const forbidden = (pattern: RegExp) => inputs.filter((input) => pattern.test(input));
      expect(forbidden(compilerOnly)).toEqual([]);
      expect(forbidden(converter)).toEqual([]);
      expect(forbidden(encoder)).toEqual([]);
      if (name !== 'campaigns') expect(forbidden(parser)).toEqual([]);
    },
  );
});
