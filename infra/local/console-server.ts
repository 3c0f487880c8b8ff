import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { createGzip } from 'node:zlib';
import type { Role } from '#shared/domain/access';
import { consoleSecurityHeaders } from '../console-headers.ts';
import type { Logger } from './logger.ts';

/**
 * The web console under /app on the local API's port, as CloudFront serves it in AWS: the built
 * files (hashed assets cached for a year, index.html never), index.html for every page path (the
 * console routes in the browser), the same security headers, `config.json` pointing at this API
 * with local sign-in, and `POST /app/local/token`, which makes a dev token for the demo tenant
 * (from this machine only: the local runtime has no other sign-in).
 */
export const CONSOLE_BASE = '/app';
export const DEMO_TENANT = 'demo';

export interface ConsoleServerOptions {
  /** The built console (console/dist), or a promise of it while `npm start` builds it. */
  readonly distDir: string | Promise<string>;
  readonly apiUrl: () => string;
  /** Origins the console may also call: the local S3 endpoint that imports upload to (presigned PUT). */
  readonly storageOrigins?: () => readonly string[];
  readonly mintDemoToken: (request: { role: Role; user?: string; team?: string }) => Promise<string>;
  /** The problem with a token request in words, or undefined (tokens.ts). */
  readonly tokenRequestProblem: (request: {
    tenant: string;
    role: Role;
    user?: string;
    team?: string;
  }) => string | undefined;
  readonly log: Logger;
}

const compressible = new Set(['.html', '.js', '.css', '.json', '.svg', '.txt']);

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const roles = new Set(['admin', 'manager', 'rep']);

/** Answers a request under /app and returns true, or returns false for the API to route it. */
export async function serveConsole(
  options: ConsoleServerOptions,
  request: IncomingMessage,
  response: ServerResponse,
  rawPath: string,
): Promise<boolean> {
  if (rawPath !== CONSOLE_BASE && !rawPath.startsWith(`${CONSOLE_BASE}/`)) return false;
  const method = request.method ?? 'GET';
  const apiUrl = options.apiUrl();
  const headers = consoleSecurityHeaders([apiUrl, ...(options.storageOrigins?.() ?? [])]);

  if (rawPath === `${CONSOLE_BASE}/local/token`) {
    if (method !== 'POST') return sendJson(response, 405, problem(405, 'Use POST'), { allow: 'POST' });
    return mintToken(options, request, response);
  }
  if (method !== 'GET' && method !== 'HEAD')
    return sendJson(response, 405, problem(405, 'Use GET'), { allow: 'GET, HEAD' });
  if (rawPath === `${CONSOLE_BASE}/config.json`) {
    return sendJson(
      response,
      200,
      { apiUrl, auth: { mode: 'local', tokenUrl: `${CONSOLE_BASE}/local/token` } },
      {
        'cache-control': 'no-store',
      },
    );
  }

  const distDir = await options.distDir;
  const relative = decodeURIComponent(rawPath.slice(CONSOLE_BASE.length)).replace(/^\/+/, '');
  const file = normalize(join(distDir, relative));
  if (file !== distDir && !file.startsWith(distDir + sep))
    return sendJson(response, 404, problem(404, 'Not found'));
  const found = relative && (await stat(file).catch(() => undefined))?.isFile();
  if (found) {
    const immutable = relative.startsWith('assets/');
    // Text compressed as CloudFront compresses it, so what a browser (or Lighthouse) loads here weighs the same.
    const gzip =
      compressible.has(extname(file)) && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
    response.writeHead(200, {
      ...headers,
      'content-type': contentTypes[extname(file)] ?? 'application/octet-stream',
      'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      vary: [response.getHeader('vary'), 'Accept-Encoding'].filter(Boolean).join(', '),
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
    });
    if (method === 'HEAD') response.end();
    else if (gzip) createReadStream(file).pipe(createGzip()).pipe(response);
    else createReadStream(file).pipe(response);
    return true;
  }
  // A missing asset is a 404 (a stale tab after a deploy); any other path is a page of the console.
  if (extname(relative) && relative !== 'index.html')
    return sendJson(response, 404, problem(404, 'Not found'));
  const index = await readFile(join(distDir, 'index.html')).catch(() => undefined);
  if (!index) {
    options.log.error(`The console is not built: ${join(distDir, 'index.html')} is missing`);
    return sendJson(response, 503, problem(503, 'The console is not built yet; run npm run build:console'));
  }
  response.writeHead(200, {
    ...headers,
    'content-type': contentTypes['.html'] ?? 'text/html',
    'cache-control': 'no-cache',
  });
  response.end(method === 'HEAD' ? undefined : index);
  return true;
}

async function mintToken(options: ConsoleServerOptions, request: IncomingMessage, response: ServerResponse) {
  const remote = request.socket.remoteAddress ?? '';
  if (!/^(127\.|::1$|::ffff:127\.)/.test(remote))
    return sendJson(response, 403, problem(403, 'Dev tokens are only made for requests from this machine'));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 4096) return sendJson(response, 413, problem(413, 'The body is larger than 4 kB'));
    chunks.push(chunk);
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
  } catch {
    return sendJson(
      response,
      400,
      problem(400, 'The body must be JSON', [{ path: '', message: 'invalid JSON' }]),
    );
  }
  const fields = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
  const role = fields.role ?? 'admin';
  if (typeof role !== 'string' || !roles.has(role))
    return sendJson(
      response,
      400,
      problem(400, '1 invalid field', [{ path: 'role', message: 'must be admin, manager or rep' }]),
    );
  for (const key of ['user', 'team'] as const) {
    const value = fields[key];
    if (value !== undefined && (typeof value !== 'string' || value === ''))
      return sendJson(
        response,
        400,
        problem(400, '1 invalid field', [{ path: key, message: 'must be a non-empty string' }]),
      );
  }
  const tokenRequest = {
    role: role as Role,
    ...(typeof fields.user === 'string' ? { user: fields.user } : {}),
    ...(typeof fields.team === 'string' ? { team: fields.team } : {}),
  };
  const invalid = options.tokenRequestProblem({ tenant: DEMO_TENANT, ...tokenRequest });
  if (invalid) {
    const path = invalid.startsWith('user') ? 'user' : invalid.startsWith('team') ? 'team' : 'role';
    return sendJson(response, 400, problem(400, '1 invalid field', [{ path, message: invalid }]));
  }
  const token = await options.mintDemoToken(tokenRequest);
  return sendJson(response, 201, { token, tenant: DEMO_TENANT, role }, { 'cache-control': 'no-store' });
}

function problem(status: number, detail: string, errors?: readonly { path: string; message: string }[]) {
  return {
    type: `https://crm.dev/problems/${status}`,
    title: detail,
    status,
    detail,
    ...(errors ? { errors } : {}),
  };
}

function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): true {
  const type = status >= 400 ? 'application/problem+json' : 'application/json';
  response.writeHead(status, { 'content-type': type, ...headers });
  response.end(JSON.stringify(body));
  return true;
}
