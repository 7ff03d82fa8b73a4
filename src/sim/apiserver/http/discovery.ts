// Discovery documents: legacy (/api, /apis, /apis/<g>, /apis/<g>/<v>) and aggregated
// (apidiscovery.k8s.io/v2 APIGroupDiscoveryList), which kubectl and client-go ask for first.

import { apiVersionOf } from '../resources.ts';
import type { ResourceType } from '../resources.ts';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The aggregated discovery media type the client accepts, if any. */
export function wantsAggregated(accept: string | undefined): string | undefined {
  const parts = (accept ?? '').split(',').map((p) => p.replaceAll(' ', ''));
  for (const part of parts) {
    if (part.includes('as=APIGroupDiscoveryList') && part.includes('g=apidiscovery.k8s.io')) {
      return part.includes('v=v2beta1') ? AGGREGATED_V2BETA1 : AGGREGATED_V2;
    }
    if (part.startsWith('application/json') || part.startsWith('*/*')) return undefined;
  }
  return undefined;
}

interface GroupVersions {
  group: string;
  versions: string[];
}

/** Groups in serving order (core first, then the built-in groups, then CRD groups), with their versions. */
function groupsOf(types: ResourceType[]): GroupVersions[] {
  const out: GroupVersions[] = [];
  for (const rt of types) {
    let g = out.find((x) => x.group === rt.group);
    if (!g) {
      g = { group: rt.group, versions: [] };
      out.push(g);
    }
    if (!g.versions.includes(rt.version)) g.versions.push(rt.version);
  }
  return out;
}

function preferredVersion(g: GroupVersions, types: ResourceType[]): string {
  const crd = types.find((t) => t.group === g.group && t.crd)?.crd;
  return crd?.storageVersion && g.versions.includes(crd.storageVersion) ? crd.storageVersion : g.versions[0];
}

export function apiVersions(): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
  };
}

function apiGroup(g: GroupVersions, types: ResourceType[]): object {
  const pv = preferredVersion(g, types);
  return {
    name: g.group,
    versions: g.versions.map((v) => ({ groupVersion: `${g.group}/${v}`, version: v })),
    preferredVersion: { groupVersion: `${g.group}/${pv}`, version: pv },
  };
}

export function apiGroupList(types: ResourceType[]): object {
  const groups = groupsOf(types).filter((g) => g.group !== '');
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups.map((g) => apiGroup(g, types)) };
}

export function apiGroupDoc(types: ResourceType[], group: string): object | undefined {
  const g = groupsOf(types).find((x) => x.group === group && group !== '');
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...apiGroup(g, types) } : undefined;
}

/** Kind and verbs of a subresource: status is the object itself; log is read-only; binding is created. */
function subresourceShape(rt: ResourceType, sub: string): { kind: string; verbs: string[] } {
  if (sub === 'log') return { kind: rt.kind, verbs: ['get'] };
  if (sub === 'binding') return { kind: 'Binding', verbs: ['create'] };
  return { kind: rt.kind, verbs: ['get', 'patch', 'update'] };
}

function resourceEntries(rt: ResourceType): object[] {
  const main = {
    name: rt.resource,
    singularName: rt.singular,
    namespaced: rt.namespaced,
    kind: rt.kind,
    verbs: rt.verbs,
    ...(rt.shortNames.length ? { shortNames: rt.shortNames } : {}),
    ...(rt.categories.length ? { categories: rt.categories } : {}),
    storageVersionHash: Buffer.from(`${rt.group}/${rt.version}/${rt.kind}`).toString('base64').slice(0, 11),
  };
  const subs = rt.subresources.map((sub) => ({
    name: `${rt.resource}/${sub}`,
    singularName: '',
    namespaced: rt.namespaced,
    ...subresourceShape(rt, sub),
  }));
  return [main, ...subs];
}

export function apiResourceList(types: ResourceType[], group: string, version: string): object | undefined {
  const matching = types.filter((t) => t.group === group && t.version === version);
  if (matching.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: apiVersionOf({ group, version }),
    resources: matching.flatMap(resourceEntries),
  };
}

function aggregatedResource(rt: ResourceType): object {
  return {
    resource: rt.resource,
    responseKind: { group: rt.group, version: rt.version, kind: rt.kind },
    scope: rt.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: rt.singular,
    verbs: rt.verbs,
    ...(rt.shortNames.length ? { shortNames: rt.shortNames } : {}),
    ...(rt.categories.length ? { categories: rt.categories } : {}),
    ...(rt.subresources.length
      ? {
          subresources: rt.subresources.map((sub) => {
            const { kind, verbs } = subresourceShape(rt, sub);
            const responseKind =
              sub === 'log'
                ? { group: '', version: '', kind: 'string' }
                : { group: rt.group, version: rt.version, kind };
            return { subresource: sub, responseKind, verbs };
          }),
        }
      : {}),
  };
}

/** APIGroupDiscoveryList for /api (legacy: core only) or /apis (every other group). */
export function aggregatedDiscovery(types: ResourceType[], legacy: boolean, mediaType: string): object {
  const groups = groupsOf(types).filter((g) => (g.group === '') === legacy);
  const apiVersion = mediaType.includes('v2beta1') ? 'apidiscovery.k8s.io/v2beta1' : 'apidiscovery.k8s.io/v2';
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion,
    metadata: {},
    items: groups.map((g) => {
      const pv = preferredVersion(g, types);
      const ordered = [pv, ...g.versions.filter((v) => v !== pv)];
      return {
        metadata: { name: g.group },
        versions: ordered.map((v) => ({
          version: v,
          resources: types.filter((t) => t.group === g.group && t.version === v).map(aggregatedResource),
          freshness: 'Current',
        })),
      };
    }),
  };
}

export function versionInfo(): object {
  return {
    major: '1',
    minor: '35',
    emulationMajor: '1',
    emulationMinor: '35',
    minCompatibilityMajor: '1',
    minCompatibilityMinor: '34',
    gitVersion: 'v1.35.0-brigade-sim',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'n/a',
    compiler: 'n/a',
    platform: `${process.platform}/${process.arch}`,
  };
}
