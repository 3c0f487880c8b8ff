import { trackingRoutes } from '#shared/api/tracking';
import { acceptsEngagement, type Delivery, healableStatus } from '#shared/domain/delivery';
import { classifyClick, classifyOpen } from '#shared/domain/machine-open';
import {
  isTrackableUrl,
  type TrackingClaim,
  type TrackingPurpose,
  verifyTrackingToken,
} from '#shared/domain/tracking-token';
import { httpHandler } from '#shared/http/handler';
import { escapeHtml, pageDocument as page, pageHeaders } from '#shared/http/pages';
import { notFound } from '#shared/http/problem';
import { binary, type HttpResult, redirect } from '#shared/http/results';
import { getSigningKey } from '#shared/secrets';
import { getDelivery, recordEngagement } from '#shared/store/deliveries';
import type { Contact } from '#shared/store/entities';
import {
  addSuppression,
  changeMarketingStatus,
  liveContact,
  recordEngagementItem,
} from '#shared/store/marketing';
import { keptIfPresent } from '#shared/store/update-expression';

/** Stamped as `updatedBy` on a contact who unsubscribed through a link. */
export const UNSUBSCRIBE_ACTOR = 'system:unsubscribe';

/** The smallest transparent GIF (1x1, 43 bytes). */
const PIXEL = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');

/** Tracking answers must never be cached, or a second open would not reach us (nor a proxy keep a token). */
const noCache = {
  'cache-control': 'no-store, no-cache, must-revalidate, private',
  pragma: 'no-cache',
  // The token is the credential: never pass it on to the page a click lands on.
  'referrer-policy': 'no-referrer',
};

interface Located {
  readonly claim: TrackingClaim;
  readonly delivery: Delivery;
  readonly contact: Contact;
}

/**
 * The delivery a genuine token of `purpose` names, whose email may have gone
 * out, and its live contact; anything else is a 404 before anything is
 * written. The token's tenant is the only tenant touched: it is sealed, so a
 * token cannot be pointed at another tenant or delivery.
 */
async function locate(token: string, purpose: TrackingPurpose): Promise<Located> {
  const claim = verifyTrackingToken(token, await getSigningKey());
  if (!claim || claim.purpose !== purpose) throw notFound('Link');
  const [delivery, contact] = await Promise.all([
    getDelivery(claim.tenantId, claim.ref),
    liveContact(claim.tenantId, claim.ref.contactId),
  ]);
  const mayHaveBeenSent = delivery && (delivery.status === 'sent' || healableStatus(delivery));
  if (!delivery || !mayHaveBeenSent || !contact) throw notFound('Link');
  return { claim, delivery, contact };
}

/**
 * A person's first open or click of the email: the campaign's engagement items
 * (what segments read), then the delivery's stamps in one write. In that
 * order, so a stamp proves its item is there: a later open or click of a
 * stamped delivery writes nothing (each write would cost a unit to change
 * nothing), and a failure between the two is finished by the next open or
 * click. A first click is also the first open when none was recorded
 * (clicking is reading, even with the images blocked): both moments are set
 * by the same write, so the delivery changes, and the stream counts it, once.
 */
async function recordFirst({ claim, delivery }: Located, field: 'openedAt' | 'clickedAt', at: Date) {
  const fields = (
    field === 'clickedAt' ? (['clickedAt', 'openedAt'] as const) : (['openedAt'] as const)
  ).filter((name) => !delivery[name]);
  const [first, ...also] = fields;
  if (!first) return;
  if (claim.ref.kind === 'campaign')
    for (const name of fields) {
      const kind = name === 'openedAt' ? 'opened' : 'clicked';
      await recordEngagementItem(claim.tenantId, claim.ref.campaignId, kind, claim.ref.contactId, at);
    }
  // An open recorded since the delivery was read keeps its own moment.
  const more = Object.fromEntries(also.map((name) => [name, keptIfPresent(at.toISOString())]));
  await recordEngagement(claim.tenantId, claim.ref, first, at, { also: more });
}

/** A person opened the email: the delivery's first open, and the campaign's engagement for segments. */
async function recordOpen(located: Located, at: Date): Promise<void> {
  if (acceptsEngagement(located.delivery)) await recordFirst(located, 'openedAt', at);
}

/** `an•••@example.com`: enough for the person to recognise the address, not enough to harvest it. */
export function maskEmail(email: string | undefined): string {
  if (!email) return 'this address';
  const at = email.lastIndexOf('@');
  if (at < 1) return '•••';
  const local = email.slice(0, at);
  return `${local.slice(0, local.length > 3 ? 2 : 1)}•••@${email.slice(at + 1)}`;
}

const htmlPage = (body: string): HttpResult => ({ status: 200, body, headers: pageHeaders() });

const unsubscribedPage = (email: string | undefined) =>
  htmlPage(
    page(
      'You are unsubscribed',
      `<p>${escapeHtml(maskEmail(email))} will not receive these emails any more.</p>`,
    ),
  );

// A GET only shows the button: link scanners and previews follow GETs, people press buttons.
const confirmationPage = (email: string | undefined) =>
  htmlPage(
    page(
      'Unsubscribe',
      `<p>Stop sending marketing emails to ${escapeHtml(maskEmail(email))}?</p>
<form method="post"><input type="hidden" name="List-Unsubscribe" value="One-Click">
<button type="submit">Unsubscribe</button></form>`,
    ),
  );

const addressOf = ({ delivery, contact }: Located) => delivery.email ?? contact.email;

export const handler = httpHandler(trackingRoutes, {
  async trackOpen({ params, event }) {
    const path = params.token;
    if (!path.endsWith('.gif')) throw notFound('Link');
    const located = await locate(path.slice(0, -'.gif'.length), 'open');
    const now = new Date();
    const { userAgent, sourceIp } = event.requestContext.http;
    // A bounced message reached nobody: the pixel is served and nothing is recorded.
    if (
      acceptsEngagement(located.delivery) &&
      classifyOpen({ userAgent, sourceIp }, located.delivery, now).machine
    ) {
      // A privacy or image proxy, or a scanner: reported apart, never as a person's open.
      if (!located.delivery.machineOpenedAt)
        await recordEngagement(located.claim.tenantId, located.claim.ref, 'machineOpenedAt', now);
    } else {
      await recordOpen(located, now);
    }
    const gif = binary(PIXEL, 'image/gif');
    return { ...gif, headers: { ...gif.headers, ...noCache } };
  },

  async trackClick({ params, event }) {
    const located = await locate(params.token, 'click');
    const { claim, delivery } = located;
    // verifyTrackingToken already refuses anything else; checked again right where the redirect is made.
    if (!claim.url || !isTrackableUrl(claim.url)) throw notFound('Link');
    const now = new Date();
    const { userAgent, sourceIp } = event.requestContext.http;
    // The link works whatever happened to the message; a bounced one records nothing.
    if (acceptsEngagement(delivery) && classifyClick({ userAgent, sourceIp }, delivery, now).machine) {
      // A scanner following every link: the message was fetched by a machine, not read or clicked.
      if (!delivery.machineOpenedAt)
        await recordEngagement(claim.tenantId, claim.ref, 'machineOpenedAt', now);
    } else if (acceptsEngagement(delivery)) {
      await recordFirst(located, 'clickedAt', now);
    }
    const target = redirect(claim.url);
    return { ...target, headers: { ...target.headers, ...noCache } };
  },

  async getUnsubscribePage({ params }) {
    const located = await locate(params.token, 'unsubscribe');
    const done = located.contact.marketingStatus !== 'subscribed' || located.delivery.unsubscribedAt;
    return done ? unsubscribedPage(addressOf(located)) : confirmationPage(addressOf(located));
  },

  /**
   * RFC 8058 one-click: mail clients POST `List-Unsubscribe=One-Click` without
   * any page. The body is not needed: only a deliberate POST gets here. Each
   * step is idempotent, so a retry finishes what a failure left half done.
   */
  async unsubscribe({ params }) {
    const located = await locate(params.token, 'unsubscribe');
    const { claim } = located;
    const now = new Date();
    await changeMarketingStatus(claim.tenantId, claim.ref.contactId, 'unsubscribed', {
      actor: UNSUBSCRIBE_ACTOR,
      now,
    });
    const email = addressOf(located);
    if (email) await addSuppression(claim.tenantId, email, 'unsubscribed', now);
    if (!located.delivery.unsubscribedAt)
      await recordEngagement(claim.tenantId, claim.ref, 'unsubscribedAt', now);
    return unsubscribedPage(email);
  },
});
