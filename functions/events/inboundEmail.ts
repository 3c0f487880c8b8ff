import { monotonicFactory } from 'ulid';
import { config } from '#shared/config';
import { type Actor, canRead } from '#shared/domain/access';
import {
  automaticReason,
  emailActivity,
  INBOUND_ACTOR,
  INBOUND_LEAD_SOURCE,
  type InboundOutcome,
  loggingToken,
  MAX_OUTBOUND_CONTACTS,
  outboundRecipients,
  personFromSender,
  type ReceivedMessage,
  withoutForwardPrefix,
} from '#shared/domain/inbound-email';
import type { StoredRecord } from '#shared/domain/records';
import { INBOUND_MAIL_PREFIX, parseReceiptEvent, type ReceivedMail } from '#shared/domain/ses-receipt';
import type { InboundMessage } from '#shared/mail/inbound-message';
import { observed } from '#shared/observability/invocation';
import { errorFields, logger } from '#shared/observability/logger';
import { getObjectStore } from '#shared/storage/select';
import { actingAs } from '#shared/store/actor';
import { type Activity, type Contact, contacts, type Lead, type User, users } from '#shared/store/entities';
import {
  messageLogged,
  messageMarker,
  openLeadWithEmail,
  tenantOfLoggingToken,
  writeInboundLog,
} from '#shared/store/inbound-email';
import { ruleAssignee } from '#shared/store/lead-assignment';
import { getRecord, getRecords, listRecords } from '#shared/store/records';
import { holderOf } from '#shared/store/unique';

/**
 * Mail to the tenants' logging addresses (`log-<token>@<inbound domain>`).
 * In AWS, SES's receipt rule stores each message in the inbound bucket and
 * then invokes this function asynchronously (its Lambda action) with the
 * receipt event; under `npm start` the SMTP listener does the same
 * (infra/local/smtp-local.ts). The rule's Lambda action is the trigger rather
 * than the bucket's notification because only its event carries the SMTP
 * envelope: a Bcc to the logging address (how reps log the mail they send)
 * appears nowhere in the stored message.
 *
 * Per message: automatic mail (shared/domain/inbound-email.ts automaticReason)
 * and mail that cannot be read are logged and left in the bucket; otherwise,
 * for each tenant the envelope names, the message becomes an email activity:
 * `inbound` on the contact that sent it, `outbound` on the contacts a user of
 * the tenant wrote to, `inbound` from the original sender of mail a user
 * forwarded (planForward), or `inbound` on a new lead for a stranger. Everything
 * one message writes in a tenant is one transaction guarded by the message's
 * marker, so a redelivery or retry logs it once. Only infrastructure errors
 * (S3, DynamoDB) throw: Lambda retries the event twice, then parks it in the
 * dead-letter queue; the message stays in the bucket until its expiry.
 */

const ulid = monotonicFactory();

/**
 * The MIME parser and HTML sanitiser (mailparser with iconv-lite, libmime and
 * encoding-japanese; sanitize-html with postcss), loaded on the first message a
 * container reads rather than at init: they are most of this function's bundle,
 * and a container that only drops mail to no logging address never needs them.
 */
let inboundParser: Promise<typeof import('#shared/mail/inbound-message')> | undefined;
const loadInboundParser = () => {
  inboundParser ??= import('#shared/mail/inbound-message');
  return inboundParser;
};

/** Recipients of a user's message looked up as contacts (the first ones, in To then Cc order). */
const MAX_OUTBOUND_LOOKUPS = 2 * MAX_OUTBOUND_CONTACTS;

function base(
  owner: { ownerId: string; teamId?: string | undefined },
  now: Date,
  actor: string,
): StoredRecord {
  const at = now.toISOString();
  return {
    id: ulid(),
    createdAt: at,
    updatedAt: at,
    createdBy: actor,
    updatedBy: actor,
    version: 1,
    archived: false,
    ownerId: owner.ownerId,
    ...(owner.teamId ? { teamId: owner.teamId } : {}),
  };
}

const ownerOf = (record: { ownerId: string; teamId?: string | undefined }) => ({
  ownerId: record.ownerId,
  ...(record.teamId ? { teamId: record.teamId } : {}),
});

async function activeUser(tenantId: string, address: string): Promise<User | undefined> {
  const id = await holderOf(tenantId, 'USER_EMAIL', address);
  const user = id ? await getRecord(users, tenantId, id) : undefined;
  return user?.active && !user.archived ? user : undefined;
}

async function contactOf(tenantId: string, address: string): Promise<Contact | undefined> {
  const id = await holderOf(tenantId, 'CONTACT_EMAIL', address);
  return id ? getRecord(contacts, tenantId, id) : undefined;
}

/**
 * The owner of a lead nobody assigned: the tenant's rule, else its first
 * active admin, else its first active user (in id order); undefined for a
 * tenant without users, where the message is logged and dropped.
 */
async function leadOwner(tenantId: string): Promise<{ ownerId: string; teamId?: string } | undefined> {
  const assigned = await ruleAssignee(tenantId, undefined);
  if (assigned) return assigned;
  let fallback: User | undefined;
  let startKey: Parameters<typeof listRecords>[2]['startKey'];
  do {
    const page = await listRecords(users, tenantId, { archived: false, limit: 100, startKey });
    const active = page.items.filter((user) => user.active);
    const admin = active.find((user) => user.role === 'admin');
    if (admin) return ownerOf(admin);
    fallback ??= active[0];
    startKey = page.lastKey;
  } while (startKey);
  return fallback ? ownerOf(fallback) : undefined;
}

/** An inbound message on a lead that already exists (a stranger writing again), owned as the lead is. */
function onLead(lead: Lead, message: ReceivedMessage, now: Date, actor: string): Plan {
  return {
    ok: true,
    actor,
    activities: [
      emailActivity(base(ownerOf(lead), now, actor), message, {
        related: { type: 'lead', id: lead.id },
        direction: 'inbound',
      }),
    ],
  };
}

type Plan =
  | { readonly ok: true; readonly actor: string; readonly lead?: Lead; readonly activities: Activity[] }
  | { readonly ok: false; readonly reason: string };

/** A new lead for a stranger who wrote (`sender`, the address; `name`, their display name), with the mail as its first activity. */
function onNewLead(
  owner: { ownerId: string; teamId?: string },
  sender: string,
  message: ReceivedMessage,
  name: string | undefined,
  now: Date,
  actor: string,
): Plan {
  const lead: Lead = {
    ...base(owner, now, actor),
    ...personFromSender(name, sender),
    email: sender,
    source: INBOUND_LEAD_SOURCE,
    status: 'new',
    customFields: {},
  };
  return {
    ok: true,
    actor,
    lead,
    activities: [
      emailActivity(base(owner, now, actor), message, {
        related: { type: 'lead', id: lead.id },
        direction: 'inbound',
      }),
    ],
  };
}

/**
 * A user forwarded someone's mail to the logging address (and to no contact):
 * the original is logged as `inbound` from its sender, as if they had copied
 * the address. On their contact when it exists and the user may read it; for
 * a stranger, on a new lead the forwarding user owns (they brought it in). A
 * forward of a colleague's or the user's own mail, or of mail from the
 * inbound domain, is not a customer's and is not logged.
 */
async function planForward(
  tenantId: string,
  user: User,
  actor: Actor,
  original: ReceivedMessage,
  domain: string,
  now: Date,
): Promise<Plan> {
  const sender = original.from.address;
  if (sender.endsWith(`@${domain.toLowerCase()}`) || (await holderOf(tenantId, 'USER_EMAIL', sender)))
    return { ok: false, reason: "a user forwarded their own or a colleague's mail" };
  const contact = await contactOf(tenantId, sender);
  if (contact && (contact.archived || !canRead(actor, contact)))
    return { ok: false, reason: 'a user forwarded mail from a contact they may not read' };
  if (contact)
    return {
      ok: true,
      actor: user.id,
      activities: [
        emailActivity(base(ownerOf(contact), now, user.id), original, {
          related: { type: 'contact', id: contact.id },
          direction: 'inbound',
          ...(contact.companyId ? { companyId: contact.companyId } : {}),
        }),
      ],
    };
  const known = await openLeadWithEmail(tenantId, sender);
  if (known) return onLead(known, original, now, user.id);
  return onNewLead(ownerOf(user), sender, original, original.from.name, now, user.id);
}

/** What one message becomes in one tenant, or why nothing. */
/**
 * The message as from the first of its authors the tenant knows (an active
 * user, else a contact), so mail that several people signed is not lost to
 * a new lead for the first of them; as it is when it has one author or none is known.
 */
async function asFromKnownAuthor(tenantId: string, message: InboundMessage): Promise<InboundMessage> {
  if (message.authors.length <= 1) return message;
  for (const author of message.authors)
    if (await activeUser(tenantId, author.address)) return { ...message, from: author };
  for (const author of message.authors)
    if (await holderOf(tenantId, 'CONTACT_EMAIL', author.address)) return { ...message, from: author };
  return message;
}

async function plan(tenantId: string, received: InboundMessage, domain: string, now: Date): Promise<Plan> {
  const message = await asFromKnownAuthor(tenantId, received);
  const sender = message.from.address;
  // A user of the tenant copying the logging address logs what they sent, on the contacts they wrote to.
  const user = await activeUser(tenantId, sender);
  if (user) {
    const actor: Actor = {
      userId: user.id,
      role: user.role,
      ...(user.teamId ? { teamId: user.teamId } : {}),
    };
    // Looked up in parallel, one GetItem each: bounded, as a message may name hundreds of recipients.
    const addresses = outboundRecipients(message, domain).slice(0, MAX_OUTBOUND_LOOKUPS);
    const ids = (
      await Promise.all(addresses.map((address) => holderOf(tenantId, 'CONTACT_EMAIL', address)))
    ).filter((id): id is string => id !== undefined);
    const found = await getRecords(contacts, tenantId, ids);
    const readable = ids
      .flatMap((id) => {
        const contact = found.get(id);
        return contact && !contact.archived && canRead(actor, contact) ? [contact] : [];
      })
      .slice(0, MAX_OUTBOUND_CONTACTS);
    if (readable.length === 0) {
      if (message.forwardedAutomatic)
        return { ok: false, reason: `a user forwarded automatic mail (${message.forwardedAutomatic})` };
      if (message.forwarded) return planForward(tenantId, user, actor, message.forwarded, domain, now);
      if (withoutForwardPrefix(message.subject) !== message.subject)
        return { ok: false, reason: 'a user forwarded mail whose original sender cannot be read' };
      return { ok: false, reason: 'a user wrote to no contact they may read' };
    }
    return {
      ok: true,
      actor: user.id,
      activities: readable.map((contact) =>
        emailActivity(base(ownerOf(user), now, user.id), message, {
          related: { type: 'contact', id: contact.id },
          direction: 'outbound',
          ...(contact.companyId ? { companyId: contact.companyId } : {}),
        }),
      ),
    };
  }
  const contact = await contactOf(tenantId, sender);
  if (contact) {
    return {
      ok: true,
      actor: INBOUND_ACTOR,
      activities: [
        emailActivity(base(ownerOf(contact), now, INBOUND_ACTOR), message, {
          related: { type: 'contact', id: contact.id },
          direction: 'inbound',
          ...(contact.companyId ? { companyId: contact.companyId } : {}),
        }),
      ],
    };
  }
  const known = await openLeadWithEmail(tenantId, sender);
  if (known) return onLead(known, message, now, INBOUND_ACTOR);
  const owner = await leadOwner(tenantId);
  if (!owner) return { ok: false, reason: 'no active user to own a new lead' };
  return onNewLead(owner, sender, message, message.from.name, now, INBOUND_ACTOR);
}

/** Logs one parsed message in one tenant. */
export async function logInTenant(
  tenantId: string,
  message: InboundMessage,
  objectKey: string,
  domain: string,
  now = new Date(),
): Promise<InboundOutcome> {
  const marker = messageMarker({ ...(message.messageId ? { messageId: message.messageId } : {}), objectKey });
  if (await messageLogged(tenantId, marker)) return { kind: 'duplicate', tenantId };
  const planned = await plan(tenantId, message, domain, now);
  if (!planned.ok) return { kind: 'ignored', reason: planned.reason, tenantId };
  const written = await actingAs(planned.actor, () =>
    writeInboundLog(tenantId, marker, {
      ...(planned.lead ? { lead: planned.lead } : {}),
      activities: planned.activities,
    }),
  );
  if (written === 'duplicate') return { kind: 'duplicate', tenantId };
  return {
    kind: 'logged',
    tenantId,
    activityIds: planned.activities.map((activity) => activity.id),
    ...(planned.lead ? { leadId: planned.lead.id } : {}),
  };
}

async function readRaw(key: string): Promise<Buffer> {
  const stream = await (await getObjectStore()).read('inbound', key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

/** Everything one received message leads to, one outcome per tenant it reached (or one for the message). */
export async function receiveMail(mail: ReceivedMail): Promise<InboundOutcome[]> {
  const key = `${INBOUND_MAIL_PREFIX}${mail.messageId}`;
  const context = { messageId: mail.messageId, key };
  const ignored = (reason: string): InboundOutcome[] => {
    logger.info(`inbound email ignored: ${reason}`, context);
    return [{ kind: 'ignored', reason }];
  };
  const domain = config.inboundEmailDomain;
  if (!domain) return ignored('no inbound email domain is configured');
  if (mail.rejectedBy) return ignored(`SES's ${mail.rejectedBy} scan failed it`);
  const tokens = new Set<string>();
  for (const recipient of mail.recipients) {
    const token = loggingToken(recipient, domain);
    if (token) tokens.add(token);
    else
      logger.info('inbound email to an address that is no logging address dropped', {
        ...context,
        recipient,
      });
  }
  if (tokens.size === 0) return ignored('no logging address among the recipients');

  const { parseInboundMessage } = await loadInboundParser();
  const parsed = await parseInboundMessage(await readRaw(key));
  if (!parsed.ok) {
    logger.warn(`inbound email unreadable, left in the bucket: ${parsed.reason}`, context);
    return [{ kind: 'ignored', reason: `malformed: ${parsed.reason}` }];
  }
  const message = parsed.message;
  const automatic = automaticReason({
    headers: message.headers,
    from: message.from.address,
    envelopeFrom: mail.envelopeFrom,
  });
  if (automatic) return ignored(`automatic mail (${automatic})`);
  // Nobody writes from the inbound domain: such mail is a loop or forged, and would become a lead.
  if (message.from.address.endsWith(`@${domain.toLowerCase()}`))
    return ignored('mail from the inbound domain');

  const outcomes: InboundOutcome[] = [];
  for (const token of tokens) {
    const tenantId = await tenantOfLoggingToken(token);
    if (!tenantId) {
      logger.info('inbound email to an unknown or rotated logging address dropped', context);
      outcomes.push({ kind: 'ignored', reason: 'unknown logging address' });
      continue;
    }
    const outcome = await logInTenant(tenantId, message, key, domain);
    logger.info(`inbound email ${outcome.kind}`, { ...context, ...outcome });
    outcomes.push(outcome);
  }
  return outcomes;
}

/** Every message of a receipt event; an event that is not one is logged and dropped. */
export async function receiveEvent(event: unknown): Promise<InboundOutcome[]> {
  const parsed = parseReceiptEvent(event);
  if (!parsed.ok) {
    logger.warn(`inbound email event dropped: ${parsed.reason}`);
    return [{ kind: 'ignored', reason: parsed.reason }];
  }
  const outcomes: InboundOutcome[] = [];
  for (const mail of parsed.mails) {
    try {
      outcomes.push(...(await receiveMail(mail)));
    } catch (error) {
      logger.error('inbound email failed; the event will be retried', {
        messageId: mail.messageId,
        error: errorFields(error),
      });
      throw error;
    }
  }
  return outcomes;
}

/** SES receipt rule target (Lambda action, invocation type Event). */
export const handler = observed(async (event: unknown): Promise<void> => {
  await receiveEvent(event);
});
