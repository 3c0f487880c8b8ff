import type { RouteDef } from '#shared/api/route';

/** One API Gateway route and the Lambda function behind it. */
export interface LocalRoute {
  readonly functionName: string;
  readonly method: string;
  /** API Gateway path template, e.g. `/contacts/{id}`. */
  readonly path: string;
  /** `GET /contacts/{id}`, as in API Gateway's `routeKey`. */
  readonly routeKey: string;
  readonly public: boolean;
  readonly segments: readonly Segment[];
}

type Segment =
  | { readonly kind: 'literal'; readonly value: string }
  | { readonly kind: 'param'; readonly name: string }
  | { readonly kind: 'greedy'; readonly name: string };

export interface RouteMatch {
  readonly route: LocalRoute;
  /** URL-decoded, as API Gateway passes `pathParameters`. */
  readonly pathParameters: Record<string, string>;
}

/** Flattens the catalogue (function name -> route definitions) into routes. */
export function routesFromCatalogue(
  catalogue: Readonly<Record<string, readonly Pick<RouteDef, 'method' | 'path' | 'public'>[]>>,
): LocalRoute[] {
  return Object.entries(catalogue).flatMap(([functionName, definitions]) =>
    definitions.map((definition) => localRoute(functionName, definition)),
  );
}

export function localRoute(
  functionName: string,
  definition: Pick<RouteDef, 'method' | 'path' | 'public'>,
): LocalRoute {
  return {
    functionName,
    method: definition.method,
    path: definition.path,
    routeKey: `${definition.method} ${definition.path}`,
    public: definition.public === true,
    segments: splitPath(definition.path).map(parseSegment),
  };
}

function parseSegment(segment: string): Segment {
  const greedy = /^\{(\w+)\+\}$/.exec(segment);
  if (greedy?.[1]) return { kind: 'greedy', name: greedy[1] };
  const param = /^\{(\w+)\}$/.exec(segment);
  if (param?.[1]) return { kind: 'param', name: param[1] };
  return { kind: 'literal', value: segment };
}

function splitPath(path: string): string[] {
  return path.split('/').slice(1);
}

/**
 * API Gateway's rule: the most specific route wins. Segment by segment from the
 * left, a literal beats `{param}`, which beats `{proxy+}`. A path whose method has
 * no route is simply not found (HTTP APIs answer 404, not 405).
 */
export function matchRoute(
  routes: readonly LocalRoute[],
  method: string,
  rawPath: string,
): RouteMatch | undefined {
  const pathSegments = splitPath(rawPath);
  let best: { match: RouteMatch; rank: number[] } | undefined;
  for (const route of routes) {
    if (route.method !== method) continue;
    const matched = matchSegments(route, pathSegments);
    if (!matched) continue;
    if (!best || compareRanks(matched.rank, best.rank) > 0)
      best = { match: { route, pathParameters: matched.params }, rank: matched.rank };
  }
  return best?.match;
}

const specificity = { literal: 2, param: 1, greedy: 0 } as const;

function matchSegments(
  route: LocalRoute,
  pathSegments: readonly string[],
): { params: Record<string, string>; rank: number[] } | undefined {
  const params: Record<string, string> = {};
  const rank: number[] = [];
  for (const [index, segment] of route.segments.entries()) {
    rank.push(specificity[segment.kind]);
    if (segment.kind === 'greedy') {
      const rest = pathSegments.slice(index);
      if (rest.length === 0 || rest.join('') === '') return undefined;
      params[segment.name] = decode(rest.join('/'));
      return { params, rank };
    }
    const value = pathSegments[index];
    if (value === undefined) return undefined;
    if (segment.kind === 'literal') {
      if (value !== segment.value) return undefined;
    } else {
      if (value === '') return undefined;
      params[segment.name] = decode(value);
    }
  }
  return route.segments.length === pathSegments.length ? { params, rank } : undefined;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? -1) - (b[i] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

function decode(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
