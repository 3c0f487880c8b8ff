import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyResultV2,
  Context,
  DynamoDBBatchResponse,
  DynamoDBStreamEvent,
} from 'aws-lambda';
import type { LambdaName } from '../lambdas.ts';
import { repoRoot } from './paths.ts';

export type HttpHandler = (
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;
export type StreamHandler = (
  event: DynamoDBStreamEvent,
  context: Context,
) => Promise<DynamoDBBatchResponse | undefined>;

/** Resolves the handler of an HTTP function by name; injectable so tests can use fixtures. */
export type LoadHttpHandler = (functionName: string) => Promise<HttpHandler>;
export type LoadStreamHandler = () => Promise<StreamHandler>;

/**
 * Imports a Lambda entry module once, like a warm container, and returns its `handler`.
 * A failed import is not cached, so fixing the file and retrying works without a restart.
 */
export function moduleHandlerLoader<H>(
  entryFor: (name: string) => Promise<string>,
): (name: string) => Promise<H> {
  const loaded = new Map<string, Promise<H>>();
  return (name) => {
    let handler = loaded.get(name);
    if (!handler) {
      handler = entryFor(name).then(async (entry) => {
        const module: { handler?: unknown } = await import(pathToFileURL(resolve(repoRoot, entry)).href);
        if (typeof module.handler !== 'function') {
          throw new Error(`${entry} does not export a function named handler`);
        }
        return module.handler as H;
      });
      handler.catch(() => loaded.delete(name));
      loaded.set(name, handler);
    }
    return handler;
  };
}

/**
 * The handlers that serve AWS: the entry of each HTTP function in the Lambda catalogue
 * (infra/lambdas.ts). The catalogue is imported on first use, so the runtime itself
 * starts (and reports clearly) even while shared code is being edited.
 */
export const loadCatalogueHttpHandler: LoadHttpHandler = moduleHandlerLoader<HttpHandler>(
  async (name) => (await import('../lambdas.ts')).lambda(name as LambdaName).entry,
);

const loadStreamModule = moduleHandlerLoader<StreamHandler>(async () =>
  (await import('../lambdas.ts')).streamEntry(),
);
export const loadCatalogueStreamHandler: LoadStreamHandler = () => loadStreamModule('stream');
