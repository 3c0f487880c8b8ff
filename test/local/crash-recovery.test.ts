import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { monotonicFactory } from 'ulid';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../../infra/local/paths.ts';
import { mintToken } from '../../infra/local/tokens.ts';
import { eventually } from '../support/api.ts';
import { tempDir } from './helpers.ts';

/**
 * `npm start` killed with SIGKILL while a campaign sends, then started again
 * on the same data folder: every recipient ends in a true, final state,
 * nobody is mailed twice or missed, the SES events of the first run are not
 * lost, and the campaign completes.
 */
/**
 * Three send messages of 50 at 25 emails a second: the kill lands once a quarter is out, seconds before
 * the last. The property does not grow with the list; campaign throughput is the bench's.
 */
const RECIPIENTS = 150;
const ulid = monotonicFactory();
process.env.TABLE_NAME ??= 'crm';

interface Started {
  readonly child: ChildProcess;
  readonly apiUrl: string;
  readonly sesUrl: string;
  readonly dynamoUrl: string;
  readonly output: () => string;
}

/**
 * main.ts as `npm start` runs it, on free ports, in this one process (tsx as a loader, not
 * tsx's launcher, so SIGKILL hits the process that runs everything); resolves once ready.
 */
async function startMain(dataDir: string): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/main.ts'], {
    cwd: repoRoot,
    env: {
      ...process.env,
      LOCAL_DATA_DIR: dataDir,
      PORT: '0',
      DYNAMODB_PORT: '0',
      SES_PORT: '0',
      S3_PORT: '0',
      // Slow enough that the kill lands mid-send.
      SEND_RATE_PER_SECOND: '25',
      // The demo tenant's seed would only compete with the send for the machine.
      SEED_DEMO: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  await eventually(
    () => {
      expect(child.exitCode, output).toBeNull();
      expect(output).toContain('Press Ctrl-C to stop.');
    },
    { timeoutMs: 90_000, intervalMs: 200 },
  );
  const url = (pattern: RegExp) => {
    const found = pattern.exec(output)?.[1];
    if (!found) throw new Error(`not in the output: ${pattern}\n${output}`);
    return found;
  };
  return {
    child,
    apiUrl: url(/API\s+(http:\/\/localhost:\d+)/),
    sesUrl: url(/Email inbox\s+(http:\/\/localhost:\d+)\//),
    dynamoUrl: url(/DynamoDB\s+(http:\/\/127\.0\.0\.1:\d+)/),
    output: () => output,
  };
}

const exited = (child: ChildProcess) =>
  new Promise<void>((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once('exit', () => done());
  });

/** Java processes serving this data folder (the guard of the killed run ends them). */
const javaFor = (dataDir: string) =>
  new Promise<string>((done) =>
    execFile('pgrep', ['-f', `DynamoDBLocal.jar -dbPath ${dataDir}`], (_, stdout) => done(stdout.trim())),
  );

interface StoredEmail {
  readonly messageId: string;
  readonly destination: { readonly to: string[] };
}

async function emailsTo(sesUrl: string, prefix: string): Promise<StoredEmail[]> {
  const { emails } = (await (await fetch(`${sesUrl}/store`)).json()) as { emails: StoredEmail[] };
  return emails.filter((email) => email.destination.to.some((to) => to.startsWith(prefix)));
}

function client(apiUrl: string, token: string) {
  return async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status >= 300)
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
    return json;
  };
}

/** Subscribed contacts written straight to the table, as an import would. */
async function loadContacts(dynamoUrl: string, tenantId: string, tag: string): Promise<void> {
  const { toItem } = await import('#shared/store/records');
  const { contacts } = await import('#shared/store/entities');
  const documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: dynamoUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
  const now = new Date().toISOString();
  const items = Array.from({ length: RECIPIENTS }, (_, index) =>
    toItem(contacts, tenantId, {
      id: ulid(),
      createdAt: now,
      updatedAt: now,
      version: 1,
      ownerId: 'admin-crash',
      archived: false,
      firstName: `Person ${index}`,
      email: `${tag}-${index}@example.com`,
      tags: [tag],
      customFields: {},
      marketingStatus: 'subscribed',
    }),
  );
  for (let start = 0; start < items.length; start += 25) {
    let requests = items.slice(start, start + 25).map((Item) => ({ PutRequest: { Item } }));
    while (requests.length > 0) {
      const output = await documents.send(new BatchWriteCommand({ RequestItems: { crm: requests } }));
      requests = (output.UnprocessedItems?.crm ?? []) as typeof requests;
    }
  }
  documents.destroy();
}

describe('a crash of npm start mid-campaign', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  const children: ChildProcess[] = [];
  beforeAll(async () => {
    dir = await tempDir();
  });
  afterAll(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGINT');
        await exited(child);
      }
    }
    await dir.remove();
  });

  it('finishes the campaign after a restart: every recipient sent exactly once, truly, with every delivery counted', async () => {
    const first = await startMain(dir.path);
    children.push(first.child);
    const tenantId = 'crash';
    const tag = `crash-${Date.now().toString(36)}`;
    const token = await mintToken(dir.path, { tenant: tenantId, role: 'admin', user: 'admin-crash' });
    await loadContacts(first.dynamoUrl, tenantId, tag);
    const call = client(first.apiUrl, token);
    const template = await call('POST', '/templates', {
      name: 'Crash',
      subject: 'News for {{contact.firstName}}',
      html: '<p>Hello {{contact.firstName}}</p><p><a href="https://example.com/news">Read more</a></p>',
    });
    const segment = await call('POST', '/segments', {
      name: 'Crash',
      filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
    });
    const campaign = await call('POST', '/campaigns', {
      name: 'Crash',
      templateId: template.id,
      segmentId: segment.id,
      fromEmail: 'news@example.com',
    });
    await call('POST', `/campaigns/${campaign.id}/send`);

    // Mid-send: some emails are out, most are not.
    await eventually(
      async () => expect((await emailsTo(first.sesUrl, tag)).length).toBeGreaterThanOrEqual(RECIPIENTS / 4),
      { timeoutMs: 120_000, intervalMs: 100 },
    );
    first.child.kill('SIGKILL');
    await exited(first.child);
    await eventually(async () => expect(await javaFor(dir.path)).toBe(''), {
      timeoutMs: 30_000,
      intervalMs: 200,
    });

    const second = await startMain(dir.path);
    children.push(second.child);
    const again = client(second.apiUrl, token);
    await eventually(
      async () => expect((await again('GET', `/campaigns/${campaign.id}`)).status).toBe('sent'),
      { timeoutMs: 180_000, intervalMs: 500 },
    );

    // Nobody twice, nobody missed: one email per address at the local SES, across both runs.
    const emails = await emailsTo(second.sesUrl, tag);
    const byAddress = new Map<string, StoredEmail[]>();
    for (const email of emails)
      for (const to of email.destination.to) byAddress.set(to, [...(byAddress.get(to) ?? []), email]);
    expect(byAddress.size).toBe(RECIPIENTS);
    expect([...byAddress.values()].filter((list) => list.length !== 1)).toEqual([]);

    // Every recipient final and true: `sent`, with the id of the one message SES has for them.
    const recipients: { email?: string; status: string; messageId?: string; reason?: string }[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
      const page = await again('GET', `/campaigns/${campaign.id}/recipients?${query}`);
      recipients.push(...(page.items as typeof recipients));
      cursor = page.nextCursor as string | null;
    } while (cursor);
    expect(recipients).toHaveLength(RECIPIENTS);
    const untrue = recipients.filter(
      (recipient) =>
        recipient.status !== 'sent' ||
        recipient.messageId !== byAddress.get(recipient.email ?? '')?.[0]?.messageId,
    );
    expect(untrue).toEqual([]);

    // The SES events of both runs all arrive: delivered counts every email that went out.
    await eventually(
      async () => {
        const stats = await again('GET', `/campaigns/${campaign.id}/stats`);
        expect(stats).toMatchObject({
          recipients: RECIPIENTS,
          sent: RECIPIENTS,
          failed: 0,
          delivered: RECIPIENTS,
        });
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
  }, 420_000);
});
