import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { config } from '../config.ts';

/**
 * The base URL that links in emails (tracking, unsubscribe) point at:
 * PUBLIC_API_URL when set (a custom domain in front of the API), else the
 * host the request came to. API Gateway always answers on https; the local
 * server speaks http and says so in `x-forwarded-proto`.
 */
export function publicBaseUrl(event: Pick<APIGatewayProxyEventV2, 'headers' | 'requestContext'>): string {
  const configured = config.publicApiUrl;
  if (configured) return configured.replace(/\/+$/, '');
  const proto = event.headers?.['x-forwarded-proto'] === 'http' ? 'http' : 'https';
  return `${proto}://${event.requestContext.domainName}`;
}
