import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat, SourceMapMode } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';

/**
 * How every Lambda is bundled, in one place. CDK's NodejsFunction gets `cdkBundling`
 * (derived below); a benchmark can bundle exactly the same way with the esbuild API:
 *
 *   await esbuild.build({ ...esbuildOptions, entryPoints: [entry], outfile: 'out/index.mjs', metafile: true });
 */

/** The repository root (where package.json and package-lock.json live), whatever the working directory. */
export const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Matches the Lambda runtime in constructs/crm-function.ts (nodejs24.x). */
export const nodeTarget = 'node24';

/**
 * ESM output has no `require`, but some CommonJS dependencies call it for Node built-ins.
 * The import is aliased so that it cannot clash with a bundled `createRequire` import.
 */
const requireShim =
  "import { createRequire as __crmCreateRequire } from 'node:module'; const require = __crmCreateRequire(import.meta.url);";

/**
 * Source maps are off: they add to the bundle that every cold start loads, and
 * `--enable-source-maps` slows down every stack trace. Set to 'external' to turn them on;
 * the functions then get NODE_OPTIONS=--enable-source-maps (see crm-function.ts).
 */
const sourcemap: false | 'external' = false;

export const esbuildOptions = {
  bundle: true,
  minify: true,
  platform: 'node',
  format: 'esm',
  target: nodeTarget,
  // Prefer the ESM builds of dependencies (the AWS SDK ships them) so tree shaking works.
  mainFields: ['module', 'main'],
  banner: { js: requireShim },
  sourcemap,
  // Nothing is external: the AWS SDK is bundled so its version is the one in package-lock.json,
  // not whatever the Lambda runtime happens to ship.
  external: [],
} satisfies BuildOptions;

export const sourceMapsEnabled = esbuildOptions.sourcemap !== false;

/** The same options in NodejsFunction's vocabulary (it always bundles for platform node). */
export const cdkBundling: BundlingOptions = {
  minify: esbuildOptions.minify,
  format: OutputFormat.ESM,
  target: esbuildOptions.target,
  mainFields: esbuildOptions.mainFields,
  banner: esbuildOptions.banner.js,
  sourceMap: sourceMapsEnabled,
  ...(sourceMapsEnabled ? { sourceMapMode: SourceMapMode.EXTERNAL } : {}),
  bundleAwsSDK: true,
  externalModules: esbuildOptions.external,
};
