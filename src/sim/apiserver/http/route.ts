// Parses API paths: /api/v1/..., /apis/<group>/<version>/..., with the optional legacy /watch/ prefix.

export interface ResourceRoute {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** The path used the deprecated /watch/ prefix. */
  watchPrefix: boolean;
}

export type Route =
  | { kind: 'resource'; route: ResourceRoute }
  | { kind: 'groupVersion'; group: string; version: string }
  | { kind: 'group'; group: string }
  | { kind: 'root'; legacy: boolean }
  | { kind: 'other'; path: string };

const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

function resourceRoute(group: string, version: string, segs: string[]): Route {
  let watchPrefix = false;
  if (segs[0] === 'watch') {
    watchPrefix = true;
    segs = segs.slice(1);
  }
  if (segs.length === 0) return { kind: 'groupVersion', group, version };
  let route: ResourceRoute;
  if (segs[0] === 'namespaces' && segs.length >= 3 && !(segs.length === 3 && NAMESPACE_SUBRESOURCES.has(segs[2]))) {
    route = { group, version, namespace: segs[1], resource: segs[2], watchPrefix };
    if (segs[3] !== undefined) route.name = segs[3];
    if (segs[4] !== undefined) route.subresource = segs[4];
    if (segs.length > 5) return { kind: 'other', path: segs.join('/') };
  } else {
    route = { group, version, resource: segs[0], watchPrefix };
    if (segs[1] !== undefined) route.name = segs[1];
    if (segs[2] !== undefined) route.subresource = segs[2];
    if (segs.length > 3) return { kind: 'other', path: segs.join('/') };
  }
  return { kind: 'resource', route };
}

export function parseRoute(pathname: string): Route {
  const segs = pathname
    .split('/')
    .filter((s) => s !== '')
    .map(decodeURIComponent);
  if (segs[0] === 'api') {
    if (segs.length === 1) return { kind: 'root', legacy: true };
    return resourceRoute('', segs[1], segs.slice(2));
  }
  if (segs[0] === 'apis') {
    if (segs.length === 1) return { kind: 'root', legacy: false };
    if (segs.length === 2) return { kind: 'group', group: segs[1] };
    return resourceRoute(segs[1], segs[2], segs.slice(3));
  }
  return { kind: 'other', path: pathname };
}
