import { execFileSync } from 'node:child_process';

/**
 * What each bench script records about its run: the commit it measured and its size settings
 * from the environment (`BENCH_*` variables), read the same way everywhere.
 */

/** What a bench run writes into the work tree. */
const benchOutputs = ['BENCHMARKS.md', 'bench/unit-counts.json'];

/**
 * The short hash of HEAD in `root`, followed by "with uncommitted changes" when the work tree
 * differs from it (the figures then measure more than the commit), or `unknown` outside a git checkout.
 * The files the bench itself writes do not count.
 */
export function gitCommit(root: string): string {
  try {
    const hash = execFileSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: root,
      encoding: 'utf8',
    }).trim();
    const dirty =
      execFileSync(
        'git',
        ['status', '--porcelain', '--', '.', ...benchOutputs.map((file) => `:(exclude)${file}`)],
        {
          cwd: root,
          encoding: 'utf8',
        },
      ).trim() !== '';
    return dirty ? `${hash} with uncommitted changes` : hash;
  } catch {
    return 'unknown';
  }
}

/** A positive whole number from the environment variable `name`, else `fallback`. */
export const intFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
