import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { badRequest, HttpProblem } from './problem.ts';

export const MAX_BODY_BYTES = 1024 * 1024;

const isJson = (contentType: string | undefined) =>
  contentType !== undefined && /^application\/([a-z0-9.+-]+\+)?json\s*(;|$)/i.test(contentType.trim());

/** The raw body text, enforcing the 1 MiB limit before anything is parsed. */
export function rawBody(event: APIGatewayProxyEventV2): string {
  const body = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(body, 'base64') : Buffer.from(body, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) throw new HttpProblem(413, 'The body must not exceed 1 MiB');
  return bytes.toString('utf8');
}

/** Parses a JSON body: 415 when it is declared as something else, 400 when it does not parse. */
export function jsonBody(event: APIGatewayProxyEventV2): unknown {
  const text = rawBody(event);
  if (!isJson(event.headers['content-type'])) {
    throw new HttpProblem(415, 'Send the body as application/json');
  }
  if (text.trim() === '') throw badRequest('The request body is empty; send a JSON object');
  try {
    return JSON.parse(text);
  } catch {
    throw badRequest('The request body is not valid JSON');
  }
}
