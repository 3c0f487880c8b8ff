import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../infra/bundling.ts';
import { tokenFor, uniqueTenant } from '../support/api.ts';

const run = promisify(execFile);
const example = join(projectRoot, 'docs/examples/typed-client.ts');

describe("the README's typed client (docs/examples/typed-client.ts)", () => {
  let folder = '';
  afterAll(() => (folder ? rm(folder, { recursive: true, force: true }) : undefined));

  it('type-checks against the types generated from /openapi.json and runs against the API', async () => {
    folder = await mkdtemp(join(tmpdir(), 'crm-typed-client-'));
    const apiUrl = inject('apiUrl').replace(/\/$/, '');
    // As the README does: openapi-typescript (the console's) on the served document.
    await run(
      join(projectRoot, 'console/node_modules/.bin/openapi-typescript'),
      [`${apiUrl}/openapi.json`, '-o', join(folder, 'crm-api.d.ts')],
      { cwd: folder },
    );
    await copyFile(example, join(folder, 'typed-client.ts'));
    await writeFile(
      join(folder, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2023',
          lib: ['ES2023', 'DOM'],
          module: 'ESNext',
          moduleResolution: 'Bundler',
          allowImportingTsExtensions: true,
          noEmit: true,
          strict: true,
          noUncheckedIndexedAccess: true,
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(projectRoot, 'node_modules/@types')],
          paths: { 'openapi-fetch': [join(projectRoot, 'node_modules/openapi-fetch')] },
        },
        files: ['typed-client.ts'],
      }),
    );
    // Fails the test with every type error: a route or schema the example no longer matches.
    await run(join(projectRoot, 'node_modules/.bin/tsc'), ['-p', join(folder, 'tsconfig.json')]);

    const token = await tokenFor({ tenant: uniqueTenant(), role: 'rep' });
    const { stdout } = await run(join(projectRoot, 'node_modules/.bin/tsx'), [example], {
      cwd: projectRoot,
      env: { ...process.env, CRM_API: apiUrl, CRM_TOKEN: token },
    });
    const id = /^created ([0-9A-HJKMNP-TV-Z]{26}) Ana Ruiz \(version 1\)$/m.exec(stdout)?.[1];
    expect(id, stdout).toBeDefined();
    expect(stdout).toMatch(new RegExp(`^listed ${id} ana\\.ruiz\\.[0-9a-z]+@example\\.com$`, 'm'));
    expect(stdout).toContain('refused 400 1 invalid field\n  email: must be a valid email');
  }, 60_000);
});
