import { randomBytes, randomUUID } from 'node:crypto';
import { QueryCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ulid } from 'ulid';
import { expect, inject } from 'vitest';
import { loadOrCreateSigningSecret } from '../../infra/local/dev-secrets.ts';
import { ensureQueueTable } from '../../infra/local/queue-consumer.ts';
import type { CampaignSendMessage } from '../../shared/store/campaign-run.ts';
import type { ApiClient } from '../support/api.ts';
import { dynamoClient, useTestTable } from '../support/dynamo.ts';

/**
 * Points this process's campaign functions at the runtime's table, SES and
 * signing key, with a local queue of their own that nobody consumes, so a test
 * runs a campaign start itself and decides what is sent. Returns the queue's
 * table name.
 */
export async function useHeldCampaignQueue(label: string): Promise<string> {
  useTestTable();
  const queue = `${inject('tableName')}-${label}-${randomBytes(3).toString('hex')}`;
  await ensureQueueTable(dynamoClient(), queue);
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_SESV2: inject('sesEndpoint'),
    SIGNING_SECRET: await loadOrCreateSigningSecret(inject('dataDir')),
    QUEUE: 'local',
    LOCAL_QUEUE_TABLE: queue,
    SEND_RATE_PER_SECOND: 'unlimited',
  });
  return queue;
}

/**
 * Deliveries made directly with the store, for tracking and SES event tests
 * that need "an email we sent" without running a campaign: the test process
 * points the store at the runtime's table and signs with the runtime's key.
 */
export async function useRuntimeStore() {
  useTestTable();
  process.env.SIGNING_SECRET = await loadOrCreateSigningSecret(inject('dataDir'));
  const [deliveries, keys, client, secrets, suppression] = await Promise.all([
    import('#shared/store/deliveries'),
    import('#shared/store/keys'),
    import('#shared/store/client'),
    import('#shared/secrets'),
    import('#shared/domain/suppression'),
  ]);
  const tableName = inject('tableName');
  const item = async (key: { pk: string; sk: string }) =>
    (await client.dynamo.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))).Item;
  return {
    ...deliveries,
    signingKey: await secrets.getSigningKey(),
    engagementItem: (tenantId: string, campaignId: string, kind: 'opened' | 'clicked', contactId: string) =>
      item({ pk: keys.engagementPk(tenantId, campaignId, kind), sk: contactId }),
    removeEngagementItem: async (
      tenantId: string,
      campaignId: string,
      kind: 'opened' | 'clicked',
      contactId: string,
    ) => {
      const Key = { pk: keys.engagementPk(tenantId, campaignId, kind), sk: contactId };
      await client.dynamo.send(new DeleteCommand({ TableName: tableName, Key }));
    },
    suppressionItem: (tenantId: string, email: string) =>
      item(keys.suppressionKey(tenantId, suppression.emailHash(tenantId, email))),
  };
}

export type RuntimeStore = Awaited<ReturnType<typeof useRuntimeStore>>;

export async function newContact(client: ApiClient, email: string) {
  const response = await client.post('/contacts', { firstName: 'Ana', lastName: 'García', email });
  expect(response.status, response.text).toBe(201);
  return response.body as { id: string; email: string; version: number; marketingStatus: string };
}

/**
 * A campaign delivery to the contact, claimed and marked sent (`sentAgoMs`
 * before now), with a fresh SES message id unless one is given.
 */
export async function sentDelivery(
  store: RuntimeStore,
  tenantId: string,
  contact: { id: string; email: string },
  options: { sentAgoMs?: number; messageId?: string; campaignId?: string; companyId?: string } = {},
) {
  const ref = { kind: 'campaign' as const, campaignId: options.campaignId ?? ulid(), contactId: contact.id };
  expect(
    await store.createDelivery(tenantId, {
      ref,
      email: contact.email,
      companyId: options.companyId,
      status: 'pending',
    }),
  ).toBe(true);
  const sentAt = new Date(Date.now() - (options.sentAgoMs ?? 0));
  const claimed = await store.claimDelivery(tenantId, ref, sentAt);
  const messageId = options.messageId ?? `0100${randomUUID()}-000000`;
  const sent = await store.markSent(tenantId, ref, claimed?.claimId ?? '', messageId, sentAt);
  expect(sent?.status).toBe('sent');
  return { ref, messageId };
}

/** `count` new contacts tagged `tag` (emails `<tag>-<n>@example.com`), created 25 at a time; their emails. */
export async function contactsTagged(admin: ApiClient, tag: string, count: number): Promise<string[]> {
  const emails: string[] = [];
  for (let first = 0; first < count; first += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, count - first) }, async (_, offset) => {
        const email = `${tag}-${first + offset}@example.com`;
        const response = await admin.post('/contacts', {
          firstName: `P${first + offset}`,
          email,
          tags: [tag],
        });
        expect(response.status, response.text).toBe(201);
        return email;
      }),
    );
    emails.push(...batch);
  }
  return emails;
}

/**
 * The send-queue messages of one campaign waiting on this process's own queue table (see
 * useHeldCampaignQueue): what an in-process start or decision queued and nobody consumed.
 */
export async function heldMessages(heldQueue: string, campaignId: string): Promise<CampaignSendMessage[]> {
  const { fromMessageItem } = await import('#shared/queue/local-queue');
  const { Items = [] } = await dynamoClient().send(
    new QueryCommand({
      TableName: heldQueue,
      KeyConditionExpression: '#q = :q',
      ExpressionAttributeNames: { '#q': 'queue' },
      ExpressionAttributeValues: { ':q': { S: 'campaignSend' } },
      ConsistentRead: true,
    }),
  );
  return Items.map((item) => JSON.parse(fromMessageItem(item).body) as CampaignSendMessage).filter(
    (message) => message.campaignId === campaignId,
  );
}

/**
 * Moves a recipient's sending and delivery a minute back (past MACHINE_OPEN_WINDOW_MS), so opens and
 * clicks from now on are a person's, without waiting out the window. Call it once SES's Delivery event
 * is counted (a later one would set deliveredAt again). Only the times move: the campaign's counters
 * follow the recipient's state, not these values.
 */
export async function backdateDelivery(tenantId: string, campaignId: string, contactId: string | undefined) {
  await dynamoClient().send(
    new UpdateItemCommand({
      TableName: inject('tableName'),
      Key: marshall({ pk: `T#${tenantId}#CAMPAIGN#${campaignId}#RECIPIENTS`, sk: contactId }),
      UpdateExpression: 'SET sentAt = :then, deliveredAt = :then',
      ExpressionAttributeValues: marshall({ ':then': new Date(Date.now() - 60_000).toISOString() }),
    }),
  );
}
