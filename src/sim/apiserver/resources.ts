// The resource types the simulator serves: the built-in ones and those that registered CRDs add.
// One ResourceType per served group/version/resource; storage is shared per group/resource.

import type { CompiledCrd } from '../crd/index.ts';
import type { GroupVersionResource, KubeObject } from '../types.ts';
import { eventFromCore, eventToCore } from './events-v1.ts';

export const STANDARD_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export interface ResourceType {
  group: string;
  version: string;
  resource: string;
  kind: string;
  listKind: string;
  singular: string;
  namespaced: boolean;
  shortNames: string[];
  categories: string[];
  verbs: string[];
  /** Subresources served besides the object itself, e.g. `status`, `log`. */
  subresources: string[];
  /** Whether metadata.generation is maintained (bumped on changes outside metadata and status). */
  tracksGeneration: boolean;
  /** The CRD that defines this type, for admission, tables and OpenAPI. */
  crd?: CompiledCrd;
  /** Only created, never stored (reviews such as SelfSubjectAccessReview). */
  virtual?: boolean;
  /** Another type's storage this one is a view of (events.k8s.io events are core events). */
  storedAs?: { group: string; resource: string };
  /** Converts between this view and the stored shape. */
  codec?: { toStored(obj: KubeObject): KubeObject; fromStored(obj: KubeObject): KubeObject };
}

export function hasStatus(rt: ResourceType): boolean {
  return rt.subresources.includes('status');
}

export function apiVersionOf(rt: { group: string; version: string }): string {
  return rt.group ? `${rt.group}/${rt.version}` : rt.version;
}

/** The storage key of a resource: versions of one group/resource share their objects. */
export function storageKey(gr: {
  group: string;
  resource: string;
  storedAs?: { group: string; resource: string };
}): string {
  const target = gr.storedAs ?? gr;
  return `${target.resource}.${target.group}`;
}

interface BuiltinSpec {
  group?: string;
  version?: string;
  resource: string;
  kind: string;
  namespaced?: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources?: string[];
  tracksGeneration?: boolean;
  verbs?: string[];
  virtual?: boolean;
}

function builtin(spec: BuiltinSpec): ResourceType {
  return {
    group: spec.group ?? '',
    version: spec.version ?? 'v1',
    resource: spec.resource,
    kind: spec.kind,
    listKind: `${spec.kind}List`,
    singular: spec.kind.toLowerCase(),
    namespaced: spec.namespaced ?? true,
    shortNames: spec.shortNames ?? [],
    categories: spec.categories ?? [],
    verbs: spec.verbs ?? STANDARD_VERBS,
    subresources: spec.subresources ?? [],
    tracksGeneration: spec.tracksGeneration ?? false,
    ...(spec.virtual ? { virtual: true } : {}),
  };
}

export const BUILTIN_RESOURCES: ResourceType[] = [
  builtin({
    resource: 'namespaces',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status'],
    verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
  }),
  builtin({
    resource: 'pods',
    kind: 'Pod',
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'log', 'binding'],
    tracksGeneration: true,
  }),
  builtin({ resource: 'bindings', kind: 'Binding', verbs: ['create'], virtual: true }),
  builtin({ resource: 'secrets', kind: 'Secret' }),
  builtin({ resource: 'configmaps', kind: 'ConfigMap', shortNames: ['cm'] }),
  builtin({ resource: 'serviceaccounts', kind: 'ServiceAccount', shortNames: ['sa'] }),
  builtin({ resource: 'events', kind: 'Event', shortNames: ['ev'] }),
  builtin({
    resource: 'persistentvolumeclaims',
    kind: 'PersistentVolumeClaim',
    shortNames: ['pvc'],
    subresources: ['status'],
  }),
  builtin({ resource: 'nodes', kind: 'Node', namespaced: false, shortNames: ['no'], subresources: ['status'] }),
  builtin({
    group: 'batch',
    resource: 'jobs',
    kind: 'Job',
    categories: ['all'],
    subresources: ['status'],
    tracksGeneration: true,
  }),
  // Stored only, with no controller behind them: so manifests (Helm charts, kustomize output) that
  // carry them apply cleanly. A Deployment never gets pods; a Service routes nothing.
  builtin({
    resource: 'services',
    kind: 'Service',
    shortNames: ['svc'],
    categories: ['all'],
    subresources: ['status'],
  }),
  builtin({
    group: 'apps',
    resource: 'deployments',
    kind: 'Deployment',
    shortNames: ['deploy'],
    categories: ['all'],
    subresources: ['status'],
    tracksGeneration: true,
  }),
  builtin({ group: 'rbac.authorization.k8s.io', resource: 'roles', kind: 'Role' }),
  builtin({ group: 'rbac.authorization.k8s.io', resource: 'rolebindings', kind: 'RoleBinding' }),
  builtin({ group: 'rbac.authorization.k8s.io', resource: 'clusterroles', kind: 'ClusterRole', namespaced: false }),
  builtin({
    group: 'rbac.authorization.k8s.io',
    resource: 'clusterrolebindings',
    kind: 'ClusterRoleBinding',
    namespaced: false,
  }),
  builtin({ group: 'coordination.k8s.io', resource: 'leases', kind: 'Lease' }),
  {
    ...builtin({ group: 'events.k8s.io', resource: 'events', kind: 'Event' }),
    storedAs: { group: '', resource: 'events' },
    codec: { toStored: eventToCore, fromStored: eventFromCore },
  },
  builtin({
    group: 'apiextensions.k8s.io',
    resource: 'customresourcedefinitions',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    categories: ['api-extensions'],
    subresources: ['status'],
    tracksGeneration: true,
  }),
  builtin({
    group: 'authorization.k8s.io',
    resource: 'selfsubjectaccessreviews',
    kind: 'SelfSubjectAccessReview',
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  }),
  builtin({
    group: 'authorization.k8s.io',
    resource: 'selfsubjectrulesreviews',
    kind: 'SelfSubjectRulesReview',
    namespaced: false,
    verbs: ['create'],
    virtual: true,
  }),
];

export const CRD_GVR: GroupVersionResource = {
  group: 'apiextensions.k8s.io',
  version: 'v1',
  resource: 'customresourcedefinitions',
};
export const NAMESPACE_GVR: GroupVersionResource = { group: '', version: 'v1', resource: 'namespaces' };
export const EVENT_GVR: GroupVersionResource = { group: '', version: 'v1', resource: 'events' };

/** Resource types of one compiled CRD, one per served version. */
export function resourceTypesOfCrd(crd: CompiledCrd): ResourceType[] {
  return crd.servedVersions.map((version) => {
    const v = crd.versions.get(version);
    return {
      group: crd.group,
      version,
      resource: crd.names.plural,
      kind: crd.names.kind,
      listKind: crd.names.listKind,
      singular: crd.names.singular,
      namespaced: crd.scope === 'Namespaced',
      shortNames: crd.names.shortNames,
      categories: crd.names.categories,
      verbs: STANDARD_VERBS,
      subresources: v?.hasStatusSubresource ? ['status'] : [],
      tracksGeneration: true,
      crd,
    };
  });
}

/** All served types, looked up by group/version/resource; CRD types come and go. */
export class ResourceRegistry {
  readonly #builtins = new Map<string, ResourceType>();
  readonly #crds = new Map<string, ResourceType[]>();

  constructor() {
    for (const rt of BUILTIN_RESOURCES) this.#builtins.set(gvrKey(rt), rt);
  }

  get(gvr: GroupVersionResource): ResourceType | undefined {
    const key = gvrKey(gvr);
    const found = this.#builtins.get(key);
    if (found) return found;
    for (const types of this.#crds.values()) {
      const t = types.find((rt) => gvrKey(rt) === key);
      if (t) return t;
    }
    return undefined;
  }

  /** A built-in type: always registered, so a miss is a bug in the simulator. */
  builtin(gvr: GroupVersionResource): ResourceType {
    const found = this.#builtins.get(gvrKey(gvr));
    if (!found) throw new Error(`${gvrKey(gvr)} is not a built-in resource`);
    return found;
  }

  /** Every type of a group/resource (all served versions). */
  versionsOf(gr: { group: string; resource: string }): ResourceType[] {
    return this.all().filter((rt) => rt.group === gr.group && rt.resource === gr.resource);
  }

  all(): ResourceType[] {
    return [...this.#builtins.values(), ...[...this.#crds.values()].flat()];
  }

  /** Adds or replaces the types a CRD defines (keyed by the CRD's name). */
  setCrd(crdName: string, types: ResourceType[]): void {
    this.#crds.set(crdName, types);
  }

  removeCrd(crdName: string): void {
    this.#crds.delete(crdName);
  }

  crdTypes(crdName: string): ResourceType[] {
    return this.#crds.get(crdName) ?? [];
  }
}

function gvrKey(gvr: GroupVersionResource): string {
  return `${gvr.group}/${gvr.version}/${gvr.resource}`;
}
