import { execFileSync } from 'node:child_process';

/**
 * What each bench script records about its run: the commit it measured and its size settings
 * from the environment (`BENCH_*` variables), read the same way everywhere.
 */

/** The short hash of HEAD in `root`, or `unknown` outside a git checkout. */
export function gitCommit(root: string): string {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

/** A positive whole number from the environment variable `name`, else `fallback`. */
export const intFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name]);
  return Number.isInteger(value) && value > 0 ? value : fallback;
};
