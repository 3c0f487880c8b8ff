import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Runtime } from 'aws-cdk-lib/aws-lambda';
import { OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { cdkBundling, esbuildOptions, nodeTarget, projectRoot } from '../../infra/bundling.ts';
import { httpEntry, lambdas } from '../../infra/lambdas.ts';

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
