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

/** The optional path segments after the resource: an object's name, then a subresource. */
function nameAndSubresource(route: ResourceRoute, name: string | undefined, subresource: string | undefined): void {
  if (name !== undefined) route.name = name;
  if (subresource !== undefined) route.subresource = subresource;
}

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
    nameAndSubresource(route, segs.at(3), segs.at(4));
    if (segs.length > 5) return { kind: 'other', path: segs.join('/') };
  } else {
    route = { group, version, resource: segs[0], watchPrefix };
    nameAndSubresource(route, segs.at(1), segs.at(2));
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
