import { generateKeyPairSync, randomBytes, randomUUID } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Secrets that exist only on a developer's machine, generated on first use and kept
 * in the data folder so tokens and signed links stay valid across restarts:
 * the RS256 key pair behind dev tokens and the secret behind SIGNING_SECRET.
 */
export interface DevTokenKeys {
  readonly kid: string;
  readonly privateKeyPem: string;
  readonly publicKeyPem: string;
}

export const DEV_TOKEN_KEYS_FILE = 'dev-token-keys.json';
export const SIGNING_SECRET_FILE = 'signing-secret';

export async function loadOrCreateDevTokenKeys(dataDir: string): Promise<DevTokenKeys> {
  const text = await readOrCreate(join(dataDir, DEV_TOKEN_KEYS_FILE), () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const keys: DevTokenKeys = { kid: randomUUID(), privateKeyPem: privateKey, publicKeyPem: publicKey };
    return `${JSON.stringify(keys, null, 2)}\n`;
  });
  return JSON.parse(text) as DevTokenKeys;
}

export async function loadOrCreateSigningSecret(dataDir: string): Promise<string> {
  const text = await readOrCreate(
    join(dataDir, SIGNING_SECRET_FILE),
    () => `${randomBytes(32).toString('hex')}\n`,
  );
  return text.trim();
}

/**
 * `npm start` and the token CLI may both create a file on a fresh clone at the same
 * moment: write to a private temp file, then hard-link it into place, which fails if
 * the other process won, in which case its file is the one everybody reads.
 */
async function readOrCreate(path: string, create: () => string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
  await mkdir(join(path, '..'), { recursive: true });
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  await writeFile(temp, create(), { mode: 0o600 });
  try {
    await link(temp, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  } finally {
    await unlink(temp).catch(() => undefined);
  }
  return readFile(path, 'utf8');
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
