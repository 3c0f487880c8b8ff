import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openApiDocument } from '#shared/api/openapi';
import { projectRoot } from './bundling.ts';

/**
 * `npm run lint:openapi`: writes the document `GET /openapi.json` serves to a temporary file
 * and lints it with Redocly CLI under redocly.yaml (the `recommended` ruleset). Exits with
 * Redocly's status: any error fails `npm test`.
 */
const folder = mkdtempSync(join(tmpdir(), 'crm-openapi-'));
try {
  const file = join(folder, 'openapi.json');
  writeFileSync(file, JSON.stringify(openApiDocument('https://api.crm.example'), null, 2));
  const result = spawnSync(
    join(projectRoot, 'node_modules/.bin/redocly'),
    ['lint', file, '--config', join(projectRoot, 'redocly.yaml'), '--format', 'codeframe'],
    {
      stdio: 'inherit',
      env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
    },
  );
  process.exitCode = result.status ?? 1;
} finally {
  rmSync(folder, { recursive: true, force: true });
}
