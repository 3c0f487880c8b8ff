import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root, found from this file so `npm start` works from any working directory. */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Where the local runtime keeps its state (DynamoDB data, dev keys, stream checkpoints).
 * `.local/` is git-ignored; LOCAL_DATA_DIR points `npm start` and the token CLI elsewhere together.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.LOCAL_DATA_DIR ? resolve(env.LOCAL_DATA_DIR) : resolve(repoRoot, '.local');
}
