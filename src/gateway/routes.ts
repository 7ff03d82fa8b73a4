// The gateway's URL space. Path parameters are Kubernetes names; anything else is not a route (404),
// so odd names never reach an API call.
import { refuse } from './errors.ts';

export type RouteName =
  | 'healthz'
  | 'readyz'
  | 'metrics'
  | 'cloudevents-v1'
  | 'cloudevents-v02'
  | 'webhook'
  | 'github'
  | 'registry-webhook'
  | 'simpleevents';

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
  // Brigade 1's paths (docs/intake.md, "Brigade 1 routes"): its GitHub gateway, its container
  // registry gateway (project by name, id or org/repo; the revision in ?commit= or the path) and its
  // generic gateway's simple events.
  { name: 'github', method: 'POST', segments: ['events', 'github'] },
  { name: 'registry-webhook', method: 'POST', segments: ['events', 'webhook', ':b1name'] },
  { name: 'registry-webhook', method: 'POST', segments: ['events', 'webhook', ':b1name', ':b1name'] },
  { name: 'registry-webhook', method: 'POST', segments: ['events', 'webhook', ':b1name', ':b1name', ':commitish'] },
  { name: 'simpleevents', method: 'POST', segments: ['simpleevents', 'v1', ':project', ':secret'] },
];

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
// A GitHub owner or repository name, as Brigade 1 project names were made of.
const BRIGADE1_NAME = /^[A-Za-z0-9_.-]{1,100}$/;
// A branch, tag or commit id (git check-ref-format, bounded).
const COMMITISH = /^[A-Za-z0-9_./-]{1,255}$/;

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
  if (placeholder === ':b1name') return BRIGADE1_NAME.test(value) && value !== '.' && value !== '..';
  if (placeholder === ':commitish') return COMMITISH.test(value) && !value.includes('..');
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

const COMPAT_ROUTES =
  'POST /events/github, /events/webhook/{project|org/repo}[/{commit}][?commit=], /simpleevents/v1/{project}/{secret}, /cloudevents/v02/{project}/{secret}';

/**
 * The path as a refusal may repeat it (refusals are logged): on the routes that carry a secret in the
 * path, only the part before the secret.
 */
function shownPath(parts: string[]): string {
  const secretAt = ['cloudevents', 'simpleevents'].includes(parts[0] ?? '') ? 3 : parts.length;
  const shown = parts.slice(0, secretAt);
  return `/${shown.join('/')}${parts.length > secretAt ? '/...' : ''}`;
}

/** Under a prefix Brigade 1 used, a miss says which of its routes exist here (docs/intake.md). */
function compatHint(first: string | undefined): string {
  return first !== undefined && ['events', 'simpleevents', 'cloudevents'].includes(first)
    ? ` (Brigade 1's routes here: ${COMPAT_ROUTES}; project and namespace names are lowercase Kubernetes names)`
    : '';
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
  if (matches.length === 0) throw refuse.notFound(`no route for ${shownPath(parts)}${compatHint(parts[0])}`);
  const byMethod = matches.find(
    (m) => m.spec.method === opts.method || (opts.method === 'HEAD' && m.spec.method === 'GET'),
  );
  if (!byMethod) throw refuse.methodNotAllowed([...new Set(matches.map((m) => m.spec.method))]);
  return { name: byMethod.spec.name, params: byMethod.params ?? [] };
}
