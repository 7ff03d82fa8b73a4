// The gateway's URL space. Path parameters are Kubernetes names; anything else is not a route (404),
// so odd names never reach an API call.
import { refuse } from './errors.ts';

export type RouteName = 'healthz' | 'readyz' | 'metrics' | 'cloudevents-v1' | 'cloudevents-v02' | 'webhook' | 'github';

interface RouteSpec {
  name: RouteName;
  method: 'GET' | 'POST';
  /** Literal segments and ':param' placeholders. */
  segments: string[];
}

const ROUTES: RouteSpec[] = [
  { name: 'healthz', method: 'GET', segments: ['healthz'] },
  { name: 'readyz', method: 'GET', segments: ['readyz'] },
  { name: 'metrics', method: 'GET', segments: ['metrics'] },
  { name: 'cloudevents-v1', method: 'POST', segments: ['cloudevents', 'v1', ':namespace', ':project'] },
  { name: 'cloudevents-v02', method: 'POST', segments: ['cloudevents', 'v02', ':project', ':secret'] },
  { name: 'webhook', method: 'POST', segments: ['webhook', ':namespace', ':project'] },
  { name: 'github', method: 'POST', segments: ['github'] },
];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export interface MatchedRoute {
  name: RouteName;
  params: string[];
}

function decode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    // Malformed percent-encoding cannot name anything: the caller answers 404.
    return undefined;
  }
}

function paramValid(placeholder: string, value: string): boolean {
  if (placeholder === ':namespace') return DNS_LABEL.test(value);
  if (placeholder === ':project') return DNS_SUBDOMAIN.test(value);
  return value.length > 0 && value.length <= 1024;
}

function matchSegments(spec: RouteSpec, parts: string[]): string[] | undefined {
  if (spec.segments.length !== parts.length) return undefined;
  const params: string[] = [];
  for (const [i, want] of spec.segments.entries()) {
    const value = decode(parts[i]);
    if (value === undefined) return undefined;
    if (!want.startsWith(':')) {
      if (value !== want) return undefined;
      continue;
    }
    if (!paramValid(want, value)) return undefined;
    params.push(value);
  }
  return params;
}

/** Finds the route for a path and method; throws 404 for an unknown path, 405 for a known path and wrong method. */
export function matchRoute(opts: {
  method: string;
  pathname: string;
  enabled: (name: RouteName) => boolean;
}): MatchedRoute {
  const parts = opts.pathname.split('/').filter((p) => p !== '');
  const matches = ROUTES.filter((spec) => opts.enabled(spec.name))
    .map((spec) => ({ spec, params: matchSegments(spec, parts) }))
    .filter((m) => m.params !== undefined);
  if (matches.length === 0) throw refuse.notFound(`no route for ${opts.pathname}`);
  const byMethod = matches.find(
    (m) => m.spec.method === opts.method || (opts.method === 'HEAD' && m.spec.method === 'GET'),
  );
  if (!byMethod) throw refuse.methodNotAllowed([...new Set(matches.map((m) => m.spec.method))]);
  return { name: byMethod.spec.name, params: byMethod.params ?? [] };
}
