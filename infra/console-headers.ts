/**
 * The web console's security headers, one definition for both servers of the console: the local
 * runtime (infra/local/console-server.ts) and CloudFront's response headers policy (the CrmConsole
 * stack), so the two cannot drift. No AWS imports: `npm start` loads this module.
 */

/** The referrer policy, in the form both the header and CloudFront's enum spell it. */
export const CONSOLE_REFERRER_POLICY = 'strict-origin-when-cross-origin';

/** HSTS over HTTPS only (CloudFront): two years, subdomains included. */
export const CONSOLE_HSTS_SECONDS = 2 * 365 * 24 * 60 * 60;

/**
 * Scripts only from the console's origin (no inline script), API calls only to `connectSrc`
 * (the API's origin and the Cognito hosted UI's), no framing.
 */
export function consoleContentSecurityPolicy(connectSrc: readonly string[]): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // uPlot and Preact set element styles; no stylesheet is inline.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    `connect-src 'self' ${connectSrc.join(' ')}`.trim(),
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Every security header of a console response except HSTS (which CloudFront adds over HTTPS). */
export function consoleSecurityHeaders(connectSrc: readonly string[]): Record<string, string> {
  return {
    'content-security-policy': consoleContentSecurityPolicy(connectSrc),
    'x-content-type-options': 'nosniff',
    'referrer-policy': CONSOLE_REFERRER_POLICY,
    'x-frame-options': 'DENY',
  };
}
