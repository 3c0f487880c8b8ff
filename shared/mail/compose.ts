import type { DeliveryRef } from '../domain/delivery.ts';
import { hrefValue, rewriteTextLinks } from '../domain/links.ts';
import { type CompiledTemplate, renderTemplate } from '../domain/template.ts';
import { isTrackableUrl, signTrackingToken, trackingUrls } from '../domain/tracking-token.ts';

export interface ComposeInput {
  /** Where tracking and unsubscribe links point (publicBaseUrl, captured when sending began). */
  readonly baseUrl: string;
  readonly tenantId: string;
  readonly ref: DeliveryRef;
  readonly contact: Readonly<Record<string, unknown>>;
  readonly company?: Readonly<Record<string, unknown>> | undefined;
  /** The template as compiled when saved (shared/domain/template.ts templateFromSpecs). */
  readonly template: CompiledTemplate;
  readonly signingKey: Buffer;
}

export interface ComposedEmail {
  readonly subject: string;
  readonly html: string;
  readonly text: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly unsubscribeUrl: string;
}

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const ANCHOR = /<a\b[^>]*>/gi;
const HREF = /(\shref\s*=\s*)("([^"]*)"|'([^']*)'|([^\s"'=<>`]+))/i;

/**
 * Points every http(s) link of `<a>` tags at the click tracker, which
 * redirects to the URL sealed in its token: the href as a browser reads it
 * (character references decoded), so the reader lands exactly where the author
 * pointed. mailto:, tel:, anchors and the unsubscribe link itself stay as they are.
 */
function trackLinks(html: string, sealClick: (url: string) => string | undefined): string {
  return html.replace(ANCHOR, (tag) =>
    tag.replace(HREF, (whole, prefix: string, _quoted, double?: string, single?: string, bare?: string) => {
      const url = hrefValue(double ?? single ?? bare ?? '');
      const tracked = sealClick(url);
      return tracked ? `${prefix}"${escapeAttribute(tracked)}"` : whole;
    }),
  );
}

/** Inserts before `</body>` when there is one, else appends. */
function beforeBodyEnd(html: string, addition: string): string {
  const end = html.search(/<\/body\s*>/i);
  return end === -1 ? `${html}${addition}` : `${html.slice(0, end)}${addition}${html.slice(end)}`;
}

/**
 * One personalised marketing email: the template rendered for the contact
 * (variables `contact`, `company`, `unsubscribeUrl`), the links of both the
 * HTML and the text part rewritten for click tracking, the open pixel, a visible unsubscribe link when the template shows
 * none, and the RFC 8058 one-click unsubscribe headers.
 */
export function composeEmail(input: ComposeInput): ComposedEmail {
  const { baseUrl, tenantId, ref, signingKey } = input;
  const token = (purpose: 'open' | 'unsubscribe') =>
    signTrackingToken({ purpose, tenantId, ref }, signingKey);
  const unsubscribeUrl = trackingUrls.unsubscribe(baseUrl, token('unsubscribe'));
  const pixelUrl = trackingUrls.open(baseUrl, token('open'));
  const rendered = renderTemplate(input.template, {
    contact: input.contact,
    company: input.company,
    unsubscribeUrl,
  });

  const sealClick = (url: string) =>
    url !== unsubscribeUrl && isTrackableUrl(url)
      ? trackingUrls.click(baseUrl, signTrackingToken({ purpose: 'click', tenantId, ref, url }, signingKey))
      : undefined;
  let html = trackLinks(rendered.html, sealClick);
  if (!html.includes(escapeAttribute(unsubscribeUrl))) {
    html = beforeBodyEnd(
      html,
      `<p style="font-size:12px;color:#666666">You receive this email because you subscribed to our updates. ` +
        `<a href="${escapeAttribute(unsubscribeUrl)}">Unsubscribe</a></p>`,
    );
  }
  html = beforeBodyEnd(
    html,
    `<img src="${escapeAttribute(pixelUrl)}" width="1" height="1" alt="" style="display:block;border:0">`,
  );
  // A text part written with the template, or made from its HTML: either way its links are the HTML's.
  const trackedText = rewriteTextLinks(rendered.text, sealClick);
  const text = trackedText.includes(unsubscribeUrl)
    ? trackedText
    : `${trackedText.trimEnd()}\n\n--\nUnsubscribe: ${unsubscribeUrl}\n`;

  return {
    subject: rendered.subject,
    html,
    text,
    headers: {
      'List-Unsubscribe': `<${unsubscribeUrl}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    },
    unsubscribeUrl,
  };
}
