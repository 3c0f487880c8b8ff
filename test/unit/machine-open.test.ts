import { describe, expect, it } from 'vitest';
import { classifyClick, classifyOpen, MACHINE_OPEN_WINDOW_MS } from '#shared/domain/machine-open';

const deliveredAt = '2030-03-01T09:00:00.000Z';
const delivery = { deliveredAt, sentAt: '2030-03-01T08:59:59.000Z' };
/** An hour after delivery: late enough that timing says nothing. */
const later = new Date(Date.parse(deliveredAt) + 3_600_000);

/** User agents as the clients and proxies send them on an image request. */
const agents = {
  appleMailMac: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  appleMailIphone:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  outlookDesktop: 'Mozilla/4.0 (compatible; ms-office; MSOffice 16)',
  thunderbird: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.9.0',
  chromeWebmail:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  mailPrivacyProtection: 'Mozilla/5.0',
  gmailProxy: 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)',
  yahooProxy: 'YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html',
  barracuda: 'Mozilla/5.0 (compatible; Barracuda Sentinel; +https://www.barracuda.com)',
  headless:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/120.0.6099.71 Safari/537.36',
  curl: 'curl/8.5.0',
  pythonRequests: 'python-requests/2.31.0',
  goClient: 'Go-http-client/1.1',
};

/** Mail clients and webmail in a browser: people reading. */
const readers = [
  agents.appleMailMac,
  agents.appleMailIphone,
  agents.outlookDesktop,
  agents.thunderbird,
  agents.chromeWebmail,
];
/** Security gateways, headless browsers and HTTP libraries. */
const scanners = [agents.barracuda, agents.headless, agents.curl, agents.pythonRequests, agents.goClient];

const residentialIp = '81.44.12.7';
const appleProxyIp = '17.58.101.12';

describe('classifyOpen', () => {
  it("counts a mail client's fetch an hour after delivery as a person's open", () => {
    for (const agent of readers)
      expect(classifyOpen({ userAgent: agent, sourceIp: residentialIp }, delivery, later), agent).toEqual({
        machine: false,
      });
  });

  it("takes Mail Privacy Protection's bare agent from Apple's network for a privacy proxy, at any time", () => {
    expect(
      classifyOpen({ userAgent: agents.mailPrivacyProtection, sourceIp: appleProxyIp }, delivery, later),
    ).toEqual({ machine: true, reason: 'privacy_proxy' });
    expect(classifyOpen({ sourceIp: appleProxyIp }, delivery, later)).toEqual({
      machine: true,
      reason: 'privacy_proxy',
    });
  });

  it("does not take Apple's network alone, or the bare agent elsewhere, for a proxy", () => {
    // Apple's own staff read mail in Apple Mail from 17/8; the full agent says so.
    expect(classifyOpen({ userAgent: agents.appleMailMac, sourceIp: appleProxyIp }, delivery, later)).toEqual(
      {
        machine: false,
      },
    );
    expect(
      classifyOpen({ userAgent: agents.mailPrivacyProtection, sourceIp: residentialIp }, delivery, later),
    ).toEqual({ machine: false });
    // 170.x and 117.x are not Apple's /8.
    expect(
      classifyOpen({ userAgent: agents.mailPrivacyProtection, sourceIp: '170.58.1.1' }, delivery, later),
    ).toEqual({ machine: false });
  });

  it("takes Gmail's and Yahoo's image proxies for image proxies", () => {
    for (const agent of [agents.gmailProxy, agents.yahooProxy])
      expect(classifyOpen({ userAgent: agent, sourceIp: '66.249.84.1' }, delivery, later), agent).toEqual({
        machine: true,
        reason: 'image_proxy',
      });
  });

  it('takes security gateways, headless browsers and HTTP libraries for scanners', () => {
    for (const agent of scanners)
      expect(classifyOpen({ userAgent: agent, sourceIp: residentialIp }, delivery, later), agent).toEqual({
        machine: true,
        reason: 'scanner',
      });
  });

  it('takes any fetch within seconds of delivery, or before the send, for a prefetch', () => {
    const request = { userAgent: agents.appleMailIphone, sourceIp: residentialIp };
    const at = (ms: number) => new Date(Date.parse(deliveredAt) + ms);
    expect(classifyOpen(request, delivery, at(2_000))).toEqual({ machine: true, reason: 'prefetch' });
    expect(classifyOpen(request, delivery, at(MACHINE_OPEN_WINDOW_MS - 1))).toEqual({
      machine: true,
      reason: 'prefetch',
    });
    expect(classifyOpen(request, delivery, at(MACHINE_OPEN_WINDOW_MS))).toEqual({ machine: false });
    // Not delivered yet: the window starts at the send.
    expect(classifyOpen(request, { sentAt: deliveredAt }, at(MACHINE_OPEN_WINDOW_MS))).toEqual({
      machine: false,
    });
    expect(classifyOpen(request, {}, later)).toEqual({ machine: true, reason: 'prefetch' });
  });

  it('reads a missing user agent as no evidence either way', () => {
    expect(classifyOpen({ sourceIp: residentialIp }, delivery, later)).toEqual({ machine: false });
    expect(classifyOpen({}, delivery, later)).toEqual({ machine: false });
  });
});

describe('classifyClick', () => {
  it("takes scanners' and HTTP libraries' link fetches for a scanner's, a browser's for a person's", () => {
    for (const agent of scanners)
      expect(classifyClick({ userAgent: agent }, delivery, later), agent).toEqual({
        machine: true,
        reason: 'scanner',
      });
    for (const agent of readers)
      expect(classifyClick({ userAgent: agent, sourceIp: appleProxyIp }, delivery, later), agent).toEqual({
        machine: false,
      });
    expect(classifyClick({}, delivery, later)).toEqual({ machine: false });
  });

  it('takes a browser-like click as the message arrives for a link scanner, a later one for a person', () => {
    const at = (ms: number) => new Date(Date.parse(deliveredAt) + ms);
    const browser = { userAgent: agents.chromeWebmail };
    // Gateways that rewrite links (Safe Links and the like) fetch them all on arrival, posing as a browser.
    expect(classifyClick(browser, delivery, at(1_500))).toEqual({ machine: true, reason: 'prefetch' });
    expect(classifyClick(browser, delivery, at(MACHINE_OPEN_WINDOW_MS - 1))).toEqual({
      machine: true,
      reason: 'prefetch',
    });
    expect(classifyClick(browser, delivery, at(MACHINE_OPEN_WINDOW_MS))).toEqual({ machine: false });
    // A click before the email was sent, or on a message never sent, cannot be a person's.
    expect(classifyClick(browser, delivery, at(-60_000))).toEqual({ machine: true, reason: 'prefetch' });
    expect(classifyClick(browser, {}, later)).toEqual({ machine: true, reason: 'prefetch' });
  });
});
