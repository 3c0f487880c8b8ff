import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { type DocsAsset, docsAssets, docsScript } from '#shared/api/docs-page';

/**
 * Swagger UI's files for `/docs`. In AWS they sit next to the bundle, in `swagger-ui/`
 * (infra/lambdas.ts copies them there when the meta function is bundled); under
 * `npm start` they are read from the swagger-ui-dist package.
 */
function swaggerUiFolder(): string {
  const bundled = join(dirname(fileURLToPath(import.meta.url)), 'swagger-ui');
  if (existsSync(bundled)) return bundled;
  return dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
}

export interface DocsFile {
  readonly contentType: string;
  readonly body: Buffer;
  /** The body gzipped (Swagger UI's bundle is 1.4 MB, 0.4 MB gzipped). */
  readonly gzipped: Buffer;
  /** The first 16 hex digits of the body's SHA-256: the `?v=` of its URL. */
  readonly hash: string;
}

const loaded = new Map<DocsAsset, DocsFile>();

export const isDocsAsset = (name: string): name is DocsAsset => Object.hasOwn(docsAssets, name);

/** A file of the reference, read (and gzipped) once per container. */
export function docsFile(name: DocsAsset): DocsFile {
  let file = loaded.get(name);
  if (!file) {
    const body = name === 'docs.js' ? Buffer.from(docsScript) : readFileSync(join(swaggerUiFolder(), name));
    file = {
      contentType: docsAssets[name],
      body,
      gzipped: gzipSync(body),
      hash: createHash('sha256').update(body).digest('hex').slice(0, 16),
    };
    loaded.set(name, file);
  }
  return file;
}
