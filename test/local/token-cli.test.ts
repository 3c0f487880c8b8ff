import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/local/paths.ts';
import { verifyToken } from '../../infra/local/tokens.ts';
import { tempDir } from './helpers.ts';

let dir: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  dir = await tempDir();
});
afterAll(() => dir.remove());

/** What `npm run --silent token -- ...` runs. */
function tokenCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [
        resolve(repoRoot, 'node_modules/tsx/dist/cli.mjs'),
        resolve(repoRoot, 'infra/local/token-cli.ts'),
        ...args,
      ],
      { env: { ...process.env, LOCAL_DATA_DIR: dir.path }, cwd: repoRoot },
      (error, stdout, stderr) => done({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('npm run token', () => {
  it('prints only a JWT that the local API accepts, with the Cognito claim shape', async () => {
    const { code, stdout, stderr } = await tokenCli([
      '--tenant',
      'acme',
      '--role',
      'manager',
      '--team',
      'red',
    ]);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = await verifyToken(dir.path, stdout.trim());
    expect(claims).toMatchObject({
      sub: 'manager-acme',
      email: 'manager-acme@example.com',
      'custom:tenantId': 'acme',
      'custom:teamId': 'red',
      'cognito:groups': ['manager'],
    });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(24 * 3600);
  });

  it('takes --user, --email and --ttl', async () => {
    const { stdout } = await tokenCli([
      '--tenant',
      't_1',
      '--role',
      'rep',
      '--user',
      'u-42',
      '--email',
      'ann@x.test',
      '--ttl',
      '60',
    ]);
    const claims = decodeJwt(stdout.trim());
    expect(claims).toMatchObject({ sub: 'u-42', email: 'ann@x.test', 'cognito:groups': ['rep'] });
    expect(claims['custom:teamId']).toBeUndefined();
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(60);
  });

  it('prints usage on stderr and exits 1 for missing or invalid flags', async () => {
    const cases = [
      [],
      ['--tenant', 'acme'],
      ['--tenant', 'acme', '--role', 'owner'],
      ['--tenant', 'no spaces', '--role', 'admin'],
      ['--tenant', 'x'.repeat(65), '--role', 'admin'],
      ['--tenant', 'acme', '--role', 'admin', '--ttl', '-5'],
      ['--tenant', 'acme', '--role', 'admin', '--bogus'],
    ];
    const results = await Promise.all(cases.map(tokenCli));
    for (const [index, { code, stdout, stderr }] of results.entries()) {
      const args = cases[index] ?? [];
      expect(code, args.join(' ')).toBe(1);
      expect(stdout, args.join(' ')).toBe('');
      expect(stderr, args.join(' ')).toContain('Usage: npm run --silent token --');
    }
  });
});
