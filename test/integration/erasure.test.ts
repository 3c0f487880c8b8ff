import { randomBytes } from 'node:crypto';
import { type AttributeValue, ScanCommand, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { emailHash } from '../../shared/domain/suppression.ts';
import { type ApiClient, eventually, pendingSchedules, runDueSchedules, tokenFor } from '../support/api.ts';
import { dynamoClient } from '../support/dynamo.ts';
import { createWorld, unique, type World } from './world.ts';

/**
 * A GDPR erasure reaches every copy of a person: after erasing someone who
 * was a lead, was converted with a deal, was commented on, followed, called,
 * mailed by a campaign (opened and clicked), enrolled in a sequence and
 * created through idempotent requests, no item of the tenant holds their
 * names, email address or phone number; only the hash on the suppression list
 * is left.
 */
let world: World;
let controlToken: string;

beforeAll(async () => {
  world = await createWorld();
  controlToken = await tokenFor({ tenant: world.tenant, role: 'admin', user: world.admin.id });
});

/** Every item of the tenant (a test-only scan; no request, schedule or stream path scans). */
async function tenantItems(tenantId: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamoClient().send(
      new ScanCommand({
        TableName: inject('tableName'),
        FilterExpression: 'begins_with(pk, :prefix) OR tenantId = :tenant',
        ExpressionAttributeValues: marshall({ ':prefix': `T#${tenantId}#`, ':tenant': tenantId }),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** The items holding any of `values` (ignoring case), each with the values it holds. */
async function tracesOf(tenantId: string, values: readonly string[]) {
  const wanted = values.map((value) => value.toLowerCase());
  return (await tenantItems(tenantId)).flatMap((item) => {
    const text = JSON.stringify(item).toLowerCase();
    const found = wanted.filter((value) => text.includes(value));
    return found.length > 0 ? [{ pk: item.pk, sk: item.sk, entity: item.entity, found }] : [];
  });
}

interface StoredEmail {
  readonly destination: { readonly to: string[] };
  readonly body: { readonly html?: string };
}

async function emailTo(address: string): Promise<StoredEmail | undefined> {
  const response = await fetch(`${inject('sesEndpoint')}/store`);
  const { emails } = (await response.json()) as { emails: StoredEmail[] };
  return emails.find((email) => email.destination.to.includes(address));
}

async function created(client: ApiClient, path: string, body: unknown, headers?: Record<string, string>) {
  const response = await client.post(path, body, headers);
  expect(response.status, `${path}: ${response.text}`).toBeLessThan(300);
  return response.body;
}

describe('erasure', () => {
  it('leaves no trace of the person in any item of the tenant but the suppression hash', {
    timeout: 240_000,
  }, async () => {
    const { admin, managerRed, repRed, repRed2 } = world;
    const tag = randomBytes(4).toString('hex');
    const person = {
      firstName: `Zephyrine${tag}`,
      lastName: `Quillfeather${tag}`,
      email: `zq-${tag}@example.com`,
      phone: `+34 611 ${tag.slice(0, 3)} ${tag.slice(3, 6)}`.replace(/[a-f]/g, '7'),
    };
    const values = [person.firstName, person.lastName, person.email, person.phone];

    // A lead, commented on with a mention and followed, converted (idempotently) with a deal.
    const lead = await created(repRed.client, '/leads', {
      ...person,
      companyName: `Logistics ${tag}`,
      source: 'web',
      ownerId: repRed.id,
    });
    await created(managerRed.client, `/leads/${lead.id}/comments`, {
      body: `@[${repRed.id}] ${person.firstName} wants a demo`,
    });
    await created(repRed2.client, `/leads/${lead.id}/follow`, undefined);
    const leadCall = await created(
      repRed.client,
      '/activities',
      {
        type: 'call',
        subject: `First call with ${person.firstName}`,
        related: { type: 'lead', id: lead.id },
      },
      { 'idempotency-key': `lead-call-${tag}` },
    );
    const conversion = await created(
      repRed.client,
      `/leads/${lead.id}/convert`,
      { deal: { name: `${person.lastName} fleet`, amount: 1000, currency: 'EUR' } },
      { 'idempotency-key': `convert-${tag}` },
    );
    const contactId = conversion.contact.id as string;
    // The conversion's deal moves a stage and is commented on by name.
    const pipeline = (await admin.client.get('/pipelines')).body.items[0];
    const proposal = pipeline.stages.find((stage: { name: string }) => stage.name === 'proposal').id;
    expect((await repRed.client.patch(`/deals/${conversion.deal.id}`, { stageId: proposal })).status).toBe(
      200,
    );
    const renewal = await created(repRed.client, '/deals', {
      name: `Renewal for ${person.lastName}`,
      companyId: conversion.company.id,
      contactIds: [contactId],
    });
    await created(repRed.client, `/deals/${conversion.deal.id}/quotes`, {
      lines: [{ description: `Fleet plan for ${person.lastName}`, quantity: 1, unitPrice: 100 }],
    });
    await created(
      managerRed.client,
      `/deals/${conversion.deal.id}/comments`,
      { body: `${person.firstName} asked for a discount` },
      { 'idempotency-key': `deal-comment-${tag}` },
    );
    const path = `/contacts/${contactId}`;

    // Comments (one idempotent), a follower, a change by someone else, a tag for the campaign.
    await created(
      managerRed.client,
      `${path}/comments`,
      { body: `@[${repRed.id}] call ${person.firstName} ${person.lastName} on ${person.phone}` },
      { 'idempotency-key': `comment-${tag}` },
    );
    await created(repRed2.client, `${path}/follow`, undefined);
    expect((await managerRed.client.patch(path, { city: 'Bilbao', tags: [tag] })).status).toBe(200);

    // Activities about them, one with a reminder that fires, one archived; a case.
    const call = await created(managerRed.client, '/activities', {
      type: 'call',
      subject: `Call ${person.firstName}`,
      remindAt: new Date(Date.now() + 3_600_000).toISOString(),
      assigneeId: repRed.id,
      related: { type: 'contact', id: contactId },
    });
    const note = await created(repRed.client, '/activities', {
      type: 'note',
      subject: 'Old note',
      body: `Wrote to ${person.email}`,
      related: { type: 'contact', id: contactId },
    });
    expect((await repRed.client.delete(`/activities/${note.id}`)).status).toBe(204);
    const complaint = await created(managerRed.client, '/cases', {
      subject: `${person.lastName} order is late`,
      type: 'complaint',
      contactId,
      companyId: conversion.company.id,
      assigneeId: repRed.id,
    });
    await created(repRed.client, `/cases/${complaint.id}/comments`, {
      body: `Spoke with ${person.lastName}`,
    });
    const reminder = (await pendingSchedules(controlToken)).find(
      (schedule) => schedule.name === `reminder-${call.id}`,
    );
    expect(reminder).toBeDefined();
    const fired = await runDueSchedules(controlToken, new Date(Date.now() + 3_601_000), {
      name: `reminder-${call.id}`,
    });
    expect(fired).toMatchObject([{ outcome: 'fired' }]);

    // A campaign they received, opened and clicked; a sequence they are enrolled in.
    const template = await created(admin.client, '/templates', {
      name: unique('Template'),
      subject: 'Hello {{contact.firstName}}',
      html: '<p>Hi {{contact.firstName}}</p><a href="https://example.com/offer">Offer</a>',
    });
    const segment = await created(admin.client, '/segments', {
      name: unique('Segment'),
      filter: { all: [{ field: 'tags', op: 'contains', value: tag }] },
    });
    const campaign = await created(admin.client, '/campaigns', {
      name: unique('Campaign'),
      templateId: template.id,
      segmentId: segment.id,
      fromEmail: 'news@example.com',
    });
    await created(admin.client, `/campaigns/${campaign.id}/send`, undefined);
    await eventually(
      async () =>
        expect((await admin.client.get(`/campaigns/${campaign.id}/stats`)).body).toMatchObject({
          sent: 1,
          delivered: 1,
        }),
      { timeoutMs: 120_000, intervalMs: 250 },
    );
    await dynamoClient().send(
      new UpdateItemCommand({
        TableName: inject('tableName'),
        Key: marshall({ pk: `T#${world.tenant}#CAMPAIGN#${campaign.id}#RECIPIENTS`, sk: contactId }),
        // A person's open comes later than a mail-privacy proxy's.
        UpdateExpression: 'SET sentAt = :then, deliveredAt = :then',
        ExpressionAttributeValues: marshall({ ':then': new Date(Date.now() - 60_000).toISOString() }),
      }),
    );
    const html = (await emailTo(person.email))?.body.html ?? '';
    const open = html.match(/src="(http[^"]+\/t\/o\/[A-Za-z0-9_-]+\.gif)"/)?.[1];
    const click = html.match(/href="(http[^"]+\/t\/c\/[A-Za-z0-9_-]+)"/)?.[1];
    expect((await fetch(open ?? 'http://invalid/')).status).toBe(200);
    expect((await fetch(click ?? 'http://invalid/', { redirect: 'manual' })).status).toBe(302);
    const sequence = await created(admin.client, '/sequences', {
      name: unique('Sequence'),
      steps: [{ delayHours: 24, templateId: template.id }],
    });
    const enrolled = await created(admin.client, `/sequences/${sequence.id}/enroll`, {
      contactIds: [contactId],
    });
    expect(enrolled.enrolled).toEqual([contactId]);

    // Everything the stream derives has arrived, and the scan does see the person everywhere.
    await eventually(
      async () => {
        const stats = (await admin.client.get(`/campaigns/${campaign.id}/stats`)).body;
        expect(stats).toMatchObject({ opened: 1, clicked: 1 });
        const notes = (await repRed.client.get('/me/notifications?limit=200')).body.items;
        expect(notes.map((n: { kind: string }) => n.kind)).toEqual(
          expect.arrayContaining(['mention', 'changed', 'assigned', 'reminder']),
        );
        const entities = new Set((await tracesOf(world.tenant, values)).map((trace) => trace.entity));
        for (const entity of [
          'contact',
          'lead',
          'comment',
          'timeline',
          'notification',
          'idempotency',
          'activity',
          'case',
          'deal',
          'deal-history',
          'quote',
        ])
          expect(entities, entity).toContain(entity);
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );

    expect((await admin.client.delete(`${path}?erase=true`)).status).toBe(204);

    await eventually(async () => expect(await tracesOf(world.tenant, values)).toEqual([]), {
      timeoutMs: 90_000,
      intervalMs: 1_000,
    });
    expect((await admin.client.get(`/leads/${lead.id}`)).status).toBe(404);
    // A deal that listed them among its contacts no longer does, and keeps its own content.
    const kept = await admin.client.get(`/deals/${renewal.id}`);
    expect(kept.body).toMatchObject({ name: 'Renewal for [erased]', contactIds: [] });
    // What was about the lead keeps its own content, without the person.
    const aboutLead = await repRed.client.get(`/activities/${leadCall.id}`);
    expect(aboutLead.body.related).toBeUndefined();
    expect(aboutLead.body.subject).toBe('First call with [erased]');
    expect((await admin.client.get(path)).status).toBe(404);
    const suppression = (await tenantItems(world.tenant)).filter((item) => item.entity === 'suppression');
    expect(suppression.map((item) => item.pk)).toContain(
      `T#${world.tenant}#SUPPRESSION#${emailHash(world.tenant, person.email)}`,
    );
    // A retried idempotent request does not run again, and gives nothing of the person back.
    const retried = await repRed.client.post(
      `/leads/${lead.id}/convert`,
      { deal: { name: `${person.lastName} fleet`, amount: 1000, currency: 'EUR' } },
      { 'idempotency-key': `convert-${tag}` },
    );
    expect(retried.status).toBe(410);
    expect(retried.text).not.toContain(person.email);
  });
});
