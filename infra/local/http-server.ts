import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyResultV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { JWTPayload } from 'jose';
import { buildHttpApiEvent, newApiGatewayRequestId, requestFacts, splitUrl } from './api-gateway-event.ts';
import { type ConsoleServerOptions, serveConsole } from './console-server.ts';
import { PortInUseError, StartupError } from './errors.ts';
import type { LoadHttpHandler } from './handler-loader.ts';
import { authorize } from './jwt-authorizer.ts';
import { createLambdaContext } from './lambda-context.ts';
import type { Logger } from './logger.ts';
import { type LocalRoute, matchRoute } from './routes.ts';

/**
 * The local stand-in for API Gateway (HTTP API, payload 2.0, JWT authorizer): routes a
 * request to the handler module that serves it in AWS and answers the gateway's own
 * errors (404, 401, 413, 500, 503) with the gateway's bodies.
 */
export interface HttpServerOptions {
  /** May still be loading when the server starts listening. */
  readonly routes: readonly LocalRoute[] | Promise<readonly LocalRoute[]>;
  readonly loadHandler: LoadHttpHandler;
  /** Resolves the claims of a valid token; rejects (any error) when the token is not acceptable. */
  readonly verifyToken: (token: string) => Promise<JWTPayload>;
  readonly port: number;
  readonly host?: string;
  /** Named in the busy-port message. */
  readonly portEnvVar?: string;
  readonly region: string;
  readonly log: Logger;
  /** Requests wait for this (the table and emulators being up) before reaching a handler. */
  readonly whenReady?: Promise<unknown>;
  /** API Gateway answers 30 s with 503 when the integration has not answered. */
  readonly handlerTimeoutMs?: number;
  /** API Gateway's payload limit: 10 MB. */
  readonly maxBodyBytes?: number;
  /** One log line per request; a function picks which (npm start leaves out its own demo seed's). */
  readonly logRequests?: boolean | ((request: IncomingMessage) => boolean);
  /** Serves the web console under /app (console-server.ts); without it /app is the API's 404. */
  readonly console?: ConsoleServerOptions;
}

export interface RunningHttpServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

const corsAllowMethods = 'GET,POST,PUT,PATCH,DELETE,OPTIONS';

export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const server = createServer((request, response) => {
    handleRequest(options, request, response).catch((error: unknown) => {
      options.log.error('Local API gateway failed on a request', error);
      if (!response.headersSent)
        sendGatewayError(response, 500, 'Internal Server Error', newApiGatewayRequestId());
      else response.destroy();
    });
  });
  // Node's defaults would cut long handler runs and slow uploads short of the gateway's limits.
  server.requestTimeout = 0;
  server.headersTimeout = 60_000;
  // Idle connections outlive the clients' own keep-alive (undici drops them after 4 s): with Node's
  // 5 s, a busy machine let the server close a socket just as a client reused it ("other side closed").
  server.keepAliveTimeout = 65_000;
  await listen(server, options);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://localhost:${port}`,
    port,
    server,
    close: () => closeServer(server),
  };
}

function listen(server: Server, options: HttpServerOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      const envVar = options.portEnvVar ?? 'PORT';
      if (error.code === 'EADDRINUSE') reject(new PortInUseError(options.port, envVar, 'API port'));
      else if (error.code === 'EACCES')
        reject(
          new StartupError(`Port ${options.port} needs privileges; set ${envVar}=... to use another port`),
        );
      else reject(error);
    };
    server.once('error', onError);
    const listening = () => {
      server.off('error', onError);
      resolve();
    };
    if (options.host) server.listen(options.port, options.host, listening);
    else server.listen(options.port, listening);
  });
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    if (!server.listening) return resolve();
    server.close(() => resolve());
    server.closeIdleConnections();
    // In-flight requests get a moment to finish; then keep-alive sockets must not hold the process.
    setTimeout(() => server.closeAllConnections(), 1000).unref();
  });
}

async function handleRequest(options: HttpServerOptions, request: IncomingMessage, response: ServerResponse) {
  const started = Date.now();
  const requestId = newApiGatewayRequestId();
  const method = request.method ?? 'GET';
  const { rawPath } = splitUrl(request.url ?? '/');
  const origin = request.headers.origin;
  const logged =
    typeof options.logRequests === 'function' ? options.logRequests(request) : options.logRequests === true;
  response.on('finish', () => {
    if (logged) options.log.info(`${method} ${request.url} ${response.statusCode} ${Date.now() - started}ms`);
  });
  // Browsers running a local front end need CORS; the deployed API configures its own.
  response.setHeader('access-control-allow-origin', origin ?? '*');
  response.setHeader('access-control-expose-headers', '*');
  if (origin) response.setHeader('vary', 'Origin');

  if (options.console && (await serveConsole(options.console, request, response, rawPath))) return;

  if (method === 'OPTIONS') {
    response.writeHead(204, {
      'access-control-allow-methods': corsAllowMethods,
      'access-control-allow-headers': request.headers['access-control-request-headers'] ?? '*',
      'access-control-max-age': '600',
      'apigw-requestid': requestId,
    });
    response.end();
    return;
  }

  const body = await readBody(request, options.maxBodyBytes ?? 10 * 1024 * 1024);
  if (body === 'too-large') {
    response.setHeader('connection', 'close');
    sendGatewayError(response, 413, 'Request Entity Too Large', requestId);
    return;
  }

  const match = matchRoute(await options.routes, method, rawPath);
  if (!match) return sendGatewayError(response, 404, 'Not Found', requestId);

  let claims: JWTPayload | undefined;
  if (!match.route.public) {
    const outcome = await authorize(request.headers.authorization, options.verifyToken);
    if ('challenge' in outcome) {
      response.setHeader('www-authenticate', outcome.challenge);
      return sendGatewayError(response, 401, 'Unauthorized', requestId);
    }
    claims = outcome.claims;
  }

  await options.whenReady;
  const facts = requestFacts(request, body, requestId);
  const event = buildHttpApiEvent(facts, match, claims, { forwardedPort: request.socket.localPort ?? 0 });
  const timeoutMs = options.handlerTimeoutMs ?? 30_000;
  const context = createLambdaContext({
    functionName: match.route.functionName,
    region: options.region,
    timeoutMs,
  });

  let result: APIGatewayProxyResultV2;
  try {
    const handler = await options.loadHandler(match.route.functionName);
    const outcome = await withTimeout(handler(event, context), timeoutMs);
    if (outcome === timedOut) {
      options.log.error(
        `${match.route.routeKey}: handler ${match.route.functionName} did not answer within ${timeoutMs} ms`,
      );
      return sendGatewayError(response, 503, 'Service Unavailable', requestId);
    }
    result = outcome;
  } catch (error) {
    options.log.error(
      `${match.route.routeKey}: handler ${match.route.functionName} failed (request ${requestId})`,
      error,
    );
    return sendGatewayError(response, 500, 'Internal Server Error', requestId);
  }
  const structured = toStructuredResult(result);
  if (!structured) {
    options.log.error(
      `${match.route.routeKey}: handler ${match.route.functionName} returned an invalid response`,
      result,
    );
    return sendGatewayError(response, 500, 'Internal Server Error', requestId);
  }
  writeResult(response, structured, requestId);
}

function readBody(request: IncomingMessage, maxBytes: number): Promise<Buffer | 'too-large'> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    request.resume();
    return Promise.resolve('too-large');
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      if (!tooLarge) chunks.push(chunk);
    });
    request.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
    request.on('error', reject);
  });
}

const timedOut = Symbol('timed out');

async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | typeof timedOut> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<typeof timedOut>((resolve) => (timer = setTimeout(resolve, ms, timedOut))),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Payload 2.0 accepts a structured result or any JSON value; the latter means
 * 200 with that value as a JSON body. Returns undefined for what API Gateway rejects.
 */
function toStructuredResult(result: unknown): APIGatewayProxyStructuredResultV2 | undefined {
  if (result === undefined) return undefined;
  if (typeof result === 'string')
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: result };
  if (typeof result === 'object' && result !== null && 'statusCode' in result) {
    const structured = result as APIGatewayProxyStructuredResultV2;
    const status = structured.statusCode;
    if (typeof status !== 'number' || !Number.isInteger(status) || status < 100 || status > 599)
      return undefined;
    if (structured.body !== undefined && structured.body !== null && typeof structured.body !== 'string')
      return undefined;
    return structured;
  }
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) };
}

function writeResult(response: ServerResponse, result: APIGatewayProxyStructuredResultV2, requestId: string) {
  const headers = new Map<string, string | string[]>();
  for (const [name, value] of Object.entries(result.headers ?? {}))
    headers.set(name.toLowerCase(), String(value));
  const cookies = [...(result.cookies ?? [])];
  const setCookie = headers.get('set-cookie');
  if (typeof setCookie === 'string') cookies.unshift(setCookie);
  if (cookies.length > 0) headers.set('set-cookie', cookies);
  headers.set('apigw-requestid', requestId);
  for (const [name, value] of headers) response.setHeader(name, value);
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : undefined;
  response.writeHead(result.statusCode ?? 200);
  response.end(body);
}

function sendGatewayError(response: ServerResponse, status: number, message: string, requestId: string) {
  const body = JSON.stringify({ message });
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(body),
    'apigw-requestid': requestId,
  });
  response.end(body);
}
