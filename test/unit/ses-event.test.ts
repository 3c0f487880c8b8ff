import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  deliveryTargetOf,
  effectsOf,
  namesRecipient,
  type ParsedSesEvent,
  parseSesEvent,
  type SesMailEvent,
} from '#shared/domain/ses-event';

type Json = Record<string, unknown>;
const fixture = (name: string): Json =>
  JSON.parse(readFileSync(new URL(`../fixtures/ses-events/${name}.json`, import.meta.url), 'utf8'));

const campaignTags = {
  tenant: ['t-1'],
  kind: ['campaign'],
  campaign: ['01J0000000000000000000CAMP'],
  contact: ['01J0000000000000000000CONT'],
};

/** A fixture with our tags added, as a message we sent would carry them. */
function tagged(name: string, tags: Record<string, string[]> = campaignTags): Json {
  const event = fixture(name);
  const detail = event.detail as Json;
  const mail = detail.mail as Json;
  return { ...event, detail: { ...detail, mail: { ...mail, tags: { ...(mail.tags as Json), ...tags } } } };
}

/** A minimal event of any type around a fixture's mail section. */
function eventOf(eventType: string, section: Json = {}): Json {
  const base = tagged('delivery');
  const { delivery: _delivery, ...detail } = base.detail as Json;
  return { ...base, detail: { ...detail, eventType, ...section } };
}

function parsedEvent(parsed: ParsedSesEvent): SesMailEvent {
  if (parsed.kind !== 'event') throw new Error(`expected an event, got ${parsed.kind}: ${parsed.reason}`);
  return parsed.event;
}

describe('SES event parsing: the fixtures', () => {
  it('reads a delivery: message id, the delivered recipients, the delivery time; no tags → no target', () => {
    const event = parsedEvent(parseSesEvent(fixture('delivery')));
    expect(event).toMatchObject({
      type: 'Delivery',
      messageId: '0102019a8f3c1d2e-7f1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d-000000',
      recipients: ['ana.garcia@example.com'],
      at: new Date('2026-11-20T10:15:31.987Z'),
      sentAt: new Date('2026-11-20T10:15:20.123Z'),
      target: undefined,
    });
  });

  it('reads a permanent bounce with its bounced recipients (not destination[0])', () => {
    const raw = fixture('bounce-permanent');
    ((raw.detail as Json).mail as Json).destination = [
      'someone.else@example.org',
      'no.such.user@example.org',
    ];
    const event = parsedEvent(parseSesEvent(raw));
    expect(event).toMatchObject({
      type: 'Bounce',
      bounceType: 'Permanent',
      bounceSubType: 'General',
      recipients: ['no.such.user@example.org'],
      at: new Date('2026-11-20T10:16:01.669Z'),
    });
    expect(effectsOf(event)).toEqual({ provesSent: true, engagement: 'bouncedAt', suppress: 'bounced' });
  });

  it('reads a complaint with its complained recipients', () => {
    const event = parsedEvent(parseSesEvent(fixture('complaint')));
    expect(event).toMatchObject({ type: 'Complaint', recipients: ['luis.perez@example.net'] });
    expect(effectsOf(event)).toEqual({
      provesSent: true,
      engagement: 'complainedAt',
      suppress: 'complained',
    });
  });

  it('locates the delivery from our tags: campaign and sequence', () => {
    expect(parsedEvent(parseSesEvent(tagged('delivery'))).target).toEqual({
      tenantId: 't-1',
      ref: {
        kind: 'campaign',
        campaignId: '01J0000000000000000000CAMP',
        contactId: '01J0000000000000000000CONT',
      },
    });
    const sequence = {
      tenant: ['t-2'],
      kind: ['sequence'],
      sequence: ['seq1'],
      contact: ['c1'],
      step: ['3'],
    };
    expect(deliveryTargetOf(sequence)).toEqual({
      tenantId: 't-2',
      ref: { kind: 'sequence', sequenceId: 'seq1', contactId: 'c1', step: 3 },
    });
  });

  it('finds no delivery in incomplete or unsafe tags', () => {
    const cases: Json[] = [
      { ...campaignTags, tenant: undefined },
      { ...campaignTags, kind: ['reminder'] },
      { ...campaignTags, campaign: undefined },
      { ...campaignTags, contact: ['a#b'] },
      { ...campaignTags, tenant: ['T#other'] },
      { tenant: ['t'], kind: ['sequence'], sequence: ['s'], contact: ['c'] },
      { tenant: ['t'], kind: ['sequence'], sequence: ['s'], contact: ['c'], step: ['-1'] },
      { tenant: 't', kind: 'campaign', campaign: 'c', contact: 'c' },
    ];
    for (const tags of cases) expect(deliveryTargetOf(tags), JSON.stringify(tags)).toBeUndefined();
    expect(deliveryTargetOf(undefined)).toBeUndefined();
  });
});

describe('SES event parsing: the other event types', () => {
  it('Send: proves the send, sets nothing; about the whole destination', () => {
    const event = parsedEvent(parseSesEvent(eventOf('Send', { send: {} })));
    expect(event.recipients).toEqual(['ana.garcia@example.com']);
    expect(event.at).toEqual(new Date('2026-11-20T10:15:32Z')); // EventBridge time: Send has no section time
    expect(effectsOf(event)).toEqual({ provesSent: true });
  });

  it('Reject and Rendering Failure: rejected, never healed as sent', () => {
    for (const [type, section] of [
      ['Reject', { reject: { reason: 'Bad content' } }],
      ['Rendering Failure', { failure: { errorMessage: 'Attribute name is missing', templateName: 'x' } }],
    ] as const) {
      const event = parsedEvent(parseSesEvent(eventOf(type, section)));
      expect(effectsOf(event)).toEqual({ provesSent: false, engagement: 'rejectedAt' });
    }
  });

  it('DeliveryDelay: delayed, for the delayed recipients', () => {
    const event = parsedEvent(
      parseSesEvent(
        eventOf('DeliveryDelay', {
          deliveryDelay: {
            timestamp: '2026-11-20T11:00:00.000Z',
            delayType: 'TransientCommunicationFailure',
            expirationTime: '2026-11-21T10:15:20.000Z',
            delayedRecipients: [{ emailAddress: 'ana.garcia@example.com', status: '4.4.1' }],
          },
        }),
      ),
    );
    expect(event.at).toEqual(new Date('2026-11-20T11:00:00.000Z'));
    expect(effectsOf(event)).toEqual({ provesSent: true, engagement: 'delayedAt' });
  });

  it('a transient or undetermined bounce never suppresses', () => {
    for (const bounceType of ['Transient', 'Undetermined', 'Something new']) {
      const raw = tagged('bounce-permanent');
      ((raw.detail as Json).bounce as Json).bounceType = bounceType;
      const effects = effectsOf(parsedEvent(parseSesEvent(raw)));
      expect(effects.suppress, bounceType).toBeUndefined();
      expect(effects.engagement).toBe('delayedAt');
    }
  });

  it('ignores opens, clicks and subscriptions (tracked first-party) and unknown types', () => {
    for (const type of ['Open', 'Click', 'Subscription', 'SomethingNew']) {
      expect(parseSesEvent(eventOf(type)).kind, type).toBe('ignored');
    }
  });

  it('calls malformed events invalid', () => {
    const noMessageId = tagged('delivery');
    delete ((noMessageId.detail as Json).mail as Json).messageId;
    const noRecipients = tagged('delivery');
    ((noRecipients.detail as Json).delivery as Json).recipients = [];
    const cases: unknown[] = [
      null,
      'text',
      [],
      {},
      { source: 'aws.ses' },
      { ...tagged('delivery'), source: 'evil.app' },
      { detail: { mail: {} } },
      { detail: { eventType: 'Delivery' } },
      noMessageId,
      noRecipients,
    ];
    for (const input of cases) expect(parseSesEvent(input).kind, JSON.stringify(input)).toBe('invalid');
  });
});

describe('recipients', () => {
  it('matches the delivery address case-insensitively, and never an absent one', () => {
    const event = { recipients: ['Ana.Garcia@EXAMPLE.com'] };
    expect(namesRecipient(event, 'ana.garcia@example.com')).toBe(true);
    expect(namesRecipient(event, 'other@example.com')).toBe(false);
    expect(namesRecipient(event, undefined)).toBe(false);
  });
});
