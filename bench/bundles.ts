import { spawn } from 'node:child_process';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type BuildOptions, build, type Metafile } from 'esbuild';
import { lambdas } from '../infra/lambdas.ts';
import { bundleTargetExpectations } from './bundle-targets.ts';
import { median } from './stats.ts';

/**
 * Bundles every Lambda entry exactly as it is deployed, next to a baseline bundle
 * that only constructs the AWS SDK clients the same bundle contains, and measures
 * size and module init time (a fresh `node` process importing the bundle).
 */

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** Used only while infra/bundling.ts cannot be loaded; mirrors what CDK was specified to use. */
const fallbackOptions: BuildOptions = {
  bundle: true,
  minify: true,
  treeShaking: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  mainFields: ['module', 'main'],
  banner: {
    js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  },
  external: [],
};

export async function deployedBuildOptions(
  log: (line: string) => void,
): Promise<{ options: BuildOptions; source: string }> {
  try {
    const module = (await import(new URL('../infra/bundling.ts', import.meta.url).href)) as {
      esbuildOptions?: BuildOptions;
    };
    if (module.esbuildOptions && typeof module.esbuildOptions === 'object') {
      return { options: module.esbuildOptions, source: 'infra/bundling.ts (esbuildOptions, as CDK deploys)' };
    }
    log('infra/bundling.ts exports no esbuildOptions; using the bench fallback options');
  } catch (error) {
    log(`infra/bundling.ts not usable (${String(error).split('\n')[0]}); using the bench fallback options`);
  }
  return { options: fallbackOptions, source: 'bench fallback options (infra/bundling.ts not loadable)' };
}

export interface PackageBytes {
  readonly name: string;
  readonly bytes: number;
}

export interface BundleFigures {
  readonly bytes: number;
  readonly gzipBytes: number;
  /** Median wall-clock time of the import. */
  readonly initMs: number;
  /** Median CPU time (user + system, all threads) the import took. */
  readonly initCpuMs: number;
  readonly initSamples: number[];
}

export interface FunctionBundleReport {
  /** As the report shows it: the catalogue name, with its trigger kind unless HTTP. */
  readonly name: string;
  /** The catalogue name (infra/lambdas.ts), or the module's name for a shared module. */
  readonly functionName: string;
  readonly entry: string;
  /** SDK client packages found in the bundle (metafile inputs), which the baseline constructs. */
  readonly clients: string[];
  readonly ours: BundleFigures;
  readonly baseline: BundleFigures;
  readonly addedBytes: number;
  readonly addedGzipBytes: number;
  readonly addedInitMs: number;
  readonly addedInitCpuMs: number;
  /** Added bytes outside the AWS SDK (@aws-sdk, @smithy, @aws-crypto): our code and its other dependencies. */
  readonly addedNonSdkBytes: number;
  /** Where our bundle's bytes come from, by package (minified bytes in the output). */
  readonly composition: PackageBytes[];
  /** Per package: bytes in ours minus bytes in the baseline (what our code pulls in). */
  readonly addedByPackage: PackageBytes[];
  readonly exportsHandler: boolean;
}

export interface BundleSettings {
  readonly runs: number;
  readonly log: (line: string) => void;
  readonly outDir: string;
  /** Catalogue names (infra/lambdas.ts) to measure, and no shared modules; default every function and module. */
  readonly only?: readonly string[];
}

export interface BundlesReport {
  readonly optionsSource: string;
  readonly options: string;
  readonly runs: number;
  readonly functions: FunctionBundleReport[];
  /**
   * Shared modules measured alone against an empty module, the same way: what
   * one cross-cutting part (the logger, the metrics) costs every function that loads it.
   */
  readonly modules: FunctionBundleReport[];
}

/** The shared modules measured alone (see BundlesReport.modules). */
const measuredModules = [
  { name: 'logger (shared/observability/logger.ts)', entry: 'shared/observability/logger.ts' },
  { name: 'metrics (shared/observability/metrics.ts)', entry: 'shared/observability/metrics.ts' },
];

/** `node_modules/@scope/pkg/...` → `@scope/pkg`; project files → `project code`. */
function packageOf(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at === -1) return 'project code';
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : (parts[0] ?? input);
}

function byPackage(meta: Metafile): Map<string, number> {
  const totals = new Map<string, number>();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput === 0) continue;
      const name = packageOf(input);
      totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
    }
  }
  return totals;
}

const clientPackage = /^@aws-sdk\/client-[a-z0-9-]+$/;
const isSdkPackage = (name: string) => /^@(aws-sdk|smithy|aws-crypto)\//.test(name);

async function clientClassName(pkg: string): Promise<string> {
  const module = (await import(pkg)) as Record<string, unknown>;
  const name = Object.keys(module).find(
    (key) => key.endsWith('Client') && key !== '__Client' && typeof module[key] === 'function',
  );
  if (!name) throw new Error(`${pkg} exports no client class`);
  return name;
}

/** Source of a module that imports and constructs the same SDK clients, and nothing else. */
async function baselineSource(packages: readonly string[]): Promise<string> {
  const lines: string[] = [];
  const constructed: string[] = [];
  const usesDocumentClient = packages.includes('@aws-sdk/lib-dynamodb');
  for (const pkg of packages.filter((name) => clientPackage.test(name)).sort()) {
    const className = await clientClassName(pkg);
    lines.push(`import { ${className} } from '${pkg}';`);
    if (className === 'DynamoDBClient' && usesDocumentClient) {
      lines.push(`import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';`);
      constructed.push(
        'DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } })',
      );
    } else {
      constructed.push(`new ${className}({})`);
    }
  }
  lines.push(`export const clients = [${constructed.join(', ')}];`);
  return `${lines.join('\n')}\n`;
}

async function bundle(
  options: BuildOptions,
  input: { entry: string } | { source: string },
  outfile: string,
): Promise<{ meta: Metafile; bytes: number; gzipBytes: number }> {
  const result = await build({
    ...options,
    ...('entry' in input
      ? { entryPoints: [resolve(projectRoot, input.entry)] }
      : {
          stdin: { contents: input.source, resolveDir: projectRoot, sourcefile: 'baseline.ts', loader: 'ts' },
        }),
    outfile,
    write: true,
    metafile: true,
    absWorkingDir: projectRoot,
    logLevel: 'error',
  });
  const code = await readFile(outfile);
  return { meta: result.metafile, bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length };
}

/** Imports a file in a fresh process and returns the milliseconds the import took. */
const runnerSource = `import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
const cpuBefore = process.cpuUsage();
const started = performance.now();
const module = await import(pathToFileURL(process.argv[2]).href);
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpuBefore);
process.stdout.write(JSON.stringify({ ms, cpuMs: (cpu.user + cpu.system) / 1000, handler: typeof module.handler }));
`;

interface ImportTiming {
  readonly ms: number;
  readonly cpuMs: number;
  readonly handler: string;
}

/**
 * What a function's module sees at init in AWS, with placeholders: nothing at
 * import time may reach the network, so none of these needs to be real.
 */
const initEnv = (functionName: string): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME,
  LANG: 'C.UTF-8',
  TZ: 'UTC',
  AWS_REGION: 'eu-west-1',
  AWS_DEFAULT_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  AWS_EC2_METADATA_DISABLED: 'true',
  AWS_LAMBDA_FUNCTION_NAME: functionName,
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '1024',
  AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  TABLE_NAME: 'crm',
  USER_DIRECTORY: 'cognito',
  USER_POOL_ID: 'eu-west-1_bench',
  SIGNING_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:000000000000:secret:bench',
});

function timeImport(runner: string, file: string, env: NodeJS.ProcessEnv): Promise<ImportTiming> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [runner, file], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`importing ${file} failed (exit ${code}): ${err.slice(0, 500)}`));
        return;
      }
      try {
        resolvePromise(JSON.parse(out) as ImportTiming);
      } catch {
        reject(new Error(`unexpected output importing ${file}: ${out.slice(0, 200)} ${err.slice(0, 200)}`));
      }
    });
  });
}

function difference(ours: Map<string, number>, base: Map<string, number>): PackageBytes[] {
  const names = new Set([...ours.keys(), ...base.keys()]);
  return [...names]
    .map((name) => ({ name, bytes: (ours.get(name) ?? 0) - (base.get(name) ?? 0) }))
    .filter((entry) => entry.bytes !== 0)
    .sort((a, b) => b.bytes - a.bytes);
}

export async function runBundles(settings: BundleSettings): Promise<BundlesReport> {
  const { log, runs, outDir, only } = settings;
  const { options, source } = await deployedBuildOptions(log);
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const runner = join(outDir, 'measure-import.mjs');
  await writeFile(runner, runnerSource);

  // Every Lambda of the catalogue; HTTP functions by name, the others with their kind.
  const unknown = (only ?? []).filter((name) => !lambdas.some((spec) => spec.name === name));
  if (unknown.length > 0) throw new Error(`no such function in infra/lambdas.ts: ${unknown.join(', ')}`);
  const entries = [
    ...lambdas
      .filter(({ name }) => !only || only.includes(name))
      .map(({ name, entry, trigger }) => ({
        name: trigger.kind === 'http' ? name : `${name} (${trigger.kind})`,
        functionName: name,
        entry,
        module: false,
      })),
    ...(only
      ? []
      : measuredModules.map((measured) => ({ ...measured, functionName: measured.name, module: true }))),
  ];

  const built = [];
  for (const { name, functionName, entry, module } of entries) {
    const slug = name.replace(/\W+/g, '-').replace(/-$/, '');
    const ourFile = join(outDir, slug, 'index.mjs');
    const baseFile = join(outDir, `${slug}-baseline`, 'index.mjs');
    const ours = await bundle(options, { entry }, ourFile);
    const ourPackages = byPackage(ours.meta);
    const sdkPackages = [...ourPackages.keys()].filter(
      (pkg) => clientPackage.test(pkg) || pkg === '@aws-sdk/lib-dynamodb',
    );
    const clients = sdkPackages.filter((pkg) => clientPackage.test(pkg)).sort();
    const baseline = await bundle(options, { source: await baselineSource(sdkPackages) }, baseFile);
    built.push({
      name,
      functionName,
      entry,
      module,
      slug,
      ourFile,
      baseFile,
      ours,
      baseline,
      ourPackages,
      clients,
    });
    log(
      `bundled ${entry}: ${(ours.bytes / 1000).toFixed(1)} kB (baseline ${(baseline.bytes / 1000).toFixed(1)} kB)`,
    );
  }

  const functions: FunctionBundleReport[] = [];
  const modules: FunctionBundleReport[] = [];
  for (const item of built) {
    const env = initEnv(item.slug);
    const ours: ImportTiming[] = [];
    const base: ImportTiming[] = [];
    // One unmeasured import of each warms the file cache; then they alternate (and swap who goes
    // first), so drift and load from elsewhere hit both alike.
    await timeImport(runner, item.ourFile, env);
    await timeImport(runner, item.baseFile, env);
    for (let run = 0; run < runs; run++) {
      if (run % 2 === 0) {
        ours.push(await timeImport(runner, item.ourFile, env));
        base.push(await timeImport(runner, item.baseFile, env));
      } else {
        base.push(await timeImport(runner, item.baseFile, env));
        ours.push(await timeImport(runner, item.ourFile, env));
      }
    }
    const oursInit = median(ours.map((timing) => timing.ms));
    const baseInit = median(base.map((timing) => timing.ms));
    const oursCpu = median(ours.map((timing) => timing.cpuMs));
    const baseCpu = median(base.map((timing) => timing.cpuMs));
    const addedByPackage = difference(item.ourPackages, byPackage(item.baseline.meta));
    const report: FunctionBundleReport = {
      name: item.name,
      functionName: item.functionName,
      entry: item.entry,
      clients: item.clients,
      ours: {
        bytes: item.ours.bytes,
        gzipBytes: item.ours.gzipBytes,
        initMs: oursInit,
        initCpuMs: oursCpu,
        initSamples: ours.map((timing) => timing.ms),
      },
      baseline: {
        bytes: item.baseline.bytes,
        gzipBytes: item.baseline.gzipBytes,
        initMs: baseInit,
        initCpuMs: baseCpu,
        initSamples: base.map((timing) => timing.ms),
      },
      addedBytes: item.ours.bytes - item.baseline.bytes,
      addedGzipBytes: item.ours.gzipBytes - item.baseline.gzipBytes,
      addedInitMs: oursInit - baseInit,
      addedInitCpuMs: oursCpu - baseCpu,
      addedNonSdkBytes: addedByPackage
        .filter((entry) => !isSdkPackage(entry.name))
        .reduce((sum, entry) => sum + entry.bytes, 0),
      composition: [...item.ourPackages]
        .map(([name, bytes]) => ({ name, bytes }))
        .sort((a, b) => b.bytes - a.bytes),
      addedByPackage,
      exportsHandler: ours.every((timing) => timing.handler === 'function'),
    };
    (item.module ? modules : functions).push(report);
    log(
      `init ${item.entry}: ${oursInit.toFixed(1)} ms vs baseline ${baseInit.toFixed(1)} ms (CPU ${oursCpu.toFixed(1)} vs ${baseCpu.toFixed(1)} ms; median of ${runs})`,
    );
  }

  const shown = { ...options } as Record<string, unknown>;
  return {
    optionsSource: source,
    options: JSON.stringify(shown),
    runs,
    functions,
    modules,
  };
}

/**
 * `npx tsx bench/bundles.ts [function ...]`: this section alone, for comparing a change
 * (BENCH_INIT_RUNS init runs per bundle, default 7). Prints each function's added kB and ms
 * and its largest added packages; writes nothing.
 */
async function main(): Promise<void> {
  const only = process.argv.slice(2);
  const runs = Number(process.env.BENCH_INIT_RUNS) || 7;
  const outDir = join(tmpdir(), `crm-bench-bundles-${process.pid}`);
  const report = await runBundles({
    runs,
    log: (line) => console.error(line),
    outDir,
    ...(only.length > 0 ? { only } : {}),
  }).finally(() => rm(outDir, { recursive: true, force: true }));
  console.log(
    `load average ${loadavg()
      .map((load) => load.toFixed(2))
      .join(' ')}; median of ${runs} init runs`,
  );
  for (const fn of [...report.functions, ...report.modules]) {
    const top = fn.addedByPackage
      .filter((entry) => entry.bytes > 0)
      .slice(0, 5)
      .map((entry) => `${entry.name} ${(entry.bytes / 1000).toFixed(1)}`)
      .join(', ');
    console.log(
      `${fn.functionName.padEnd(22)} +${(fn.addedBytes / 1000).toFixed(1).padStart(7)} kB +${fn.addedInitMs.toFixed(1).padStart(6)} ms (CPU +${fn.addedInitCpuMs.toFixed(1)})  ${top}`,
    );
  }
  for (const expectation of bundleTargetExpectations(report.functions))
    console.log(`${expectation.ok ? 'ok' : 'FAILS'}: ${expectation.text}: ${expectation.detail}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
