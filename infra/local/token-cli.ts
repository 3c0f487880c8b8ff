import { parseArgs } from 'node:util';
import { type Role, roles } from '#shared/domain/access';
import { defaultDataDir } from './paths.ts';
import { mintToken, type TokenRequest, tokenRequestProblem } from './tokens.ts';

/**
 * `npm run --silent token -- --tenant <t> --role <admin|manager|rep> ...` prints only
 * the JWT on stdout, so `TOKEN=$(npm run --silent token -- ...)` works; everything
 * else goes to stderr.
 */
const usage = `Usage: npm run --silent token -- --tenant <tenant> --role <admin|manager|rep> [--user <id>] [--team <id>] [--email <address>] [--ttl <seconds>]

Prints a dev JWT that the local API (npm start) accepts. The default user id is <role>-<tenant>.
Tokens are signed with the key in the local data folder (LOCAL_DATA_DIR, default .local/); they are useless in AWS.`;

function fail(problem: string): never {
  process.stderr.write(`${problem}\n\n${usage}\n`);
  process.exit(1);
}

function parseRequest(argv: string[]): TokenRequest {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        tenant: { type: 'string' },
        role: { type: 'string' },
        user: { type: 'string' },
        team: { type: 'string' },
        email: { type: 'string' },
        ttl: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    fail((error as Error).message);
  }
  if (values.help) {
    process.stderr.write(`${usage}\n`);
    process.exit(0);
  }
  const { tenant, role, user, team, email, ttl } = values as Record<string, string | undefined>;
  if (!tenant) fail('Missing --tenant');
  if (!role) fail('Missing --role');
  if (!roles.includes(role as Role)) fail(`--role must be one of ${roles.join(', ')}`);
  if (ttl !== undefined && !/^[1-9]\d*$/.test(ttl)) fail('--ttl must be a positive whole number of seconds');
  const request: TokenRequest = {
    tenant,
    role: role as Role,
    ...(user === undefined ? {} : { user }),
    ...(team === undefined ? {} : { team }),
    ...(email === undefined ? {} : { email }),
    ...(ttl === undefined ? {} : { ttlSeconds: Number(ttl) }),
  };
  const problem = tokenRequestProblem(request);
  if (problem) fail(`Invalid option: ${problem}`);
  return request;
}

const request = parseRequest(process.argv.slice(2));
try {
  process.stdout.write(`${await mintToken(defaultDataDir(), request)}\n`);
} catch (error) {
  process.stderr.write(`Could not mint a token: ${(error as Error).message}\n`);
  process.exit(1);
}
