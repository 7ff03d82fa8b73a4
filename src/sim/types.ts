// Contracts between the parts of the Kubernetes API simulator. The API server (src/sim/apiserver)
// implements SimStore; the CRD machinery (src/sim/crd) implements CrdMachinery; the workload
// controllers (scheduler, batch Job controller, kubelet in src/sim/workloads) consume SimStore and
// implement PodLogs, which the API server serves at pods/log.

/** Any Kubernetes object as JSON. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  [field: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string;
  kind: string;
  name: string;
  uid: string;
  controller?: boolean;
  blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  finalizers?: string[];
  ownerReferences?: OwnerReference[];
  managedFields?: unknown[];
  [field: string]: unknown;
}

/** Identifies a resource type: group "" is the core group. */
export interface GroupVersionResource {
  group: string;
  version: string;
  resource: string;
}

export interface ListOptions {
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchOptions extends ListOptions {
  /** Start after this version; absent means "from now" (no initial events). */
  resourceVersion?: string;
}

export interface DeleteOptions {
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  gracePeriodSeconds?: number;
  preconditions?: { uid?: string; resourceVersion?: string };
}

/**
 * In-process access to the simulator's storage with full API semantics (validation, resourceVersion,
 * conflicts, generation, finalizers, garbage collection, watch fan-out). Errors are thrown as
 * SimApiError carrying the Kubernetes Status the HTTP layer would answer with.
 */
export interface SimStore {
  get(gvr: GroupVersionResource, namespace: string | undefined, name: string): KubeObject | undefined;
  list(gvr: GroupVersionResource, opts?: ListOptions): ListResult;
  create(gvr: GroupVersionResource, obj: KubeObject): KubeObject;
  /** Replaces the object; resourceVersion in obj.metadata must match unless empty. */
  update(gvr: GroupVersionResource, obj: KubeObject, opts?: { subresource?: 'status' }): KubeObject;
  delete(
    gvr: GroupVersionResource,
    namespace: string | undefined,
    name: string,
    opts?: DeleteOptions,
  ): KubeObject | undefined;
  /** Calls onEvent for every change after opts.resourceVersion; returns a function that stops the watch. */
  watch(
    gvr: GroupVersionResource,
    opts: WatchOptions,
    onEvent: (type: WatchEventType, obj: KubeObject) => void,
  ): () => void;
  /** Records a core/v1 Event about an object, as a controller's event recorder would. */
  recordEvent(about: KubeObject, type: 'Normal' | 'Warning', reason: string, message: string, component: string): void;
}

export interface PodLogReadOptions {
  container?: string;
  follow?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
  previous?: boolean;
}

/** Pod logs written by the kubelet and served by the API server at .../pods/{name}/log. */
export interface PodLogs {
  /** Streams the log; with follow, the iterator ends when the container terminates or signal aborts. */
  read(namespace: string, pod: string, opts: PodLogReadOptions, signal: AbortSignal): AsyncIterable<string>;
  /** True when a log exists for the pod (any container). */
  has(namespace: string, pod: string, container?: string): boolean;
}

/** A node the simulator registers at start. */
export interface SimNodeSpec {
  name: string;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }>;
  /** Allocatable resources, Kubernetes quantities: { cpu: '2', memory: '8Gi', pods: '110' }. */
  allocatable: { cpu: string; memory: string; pods: string };
  /** Behave like the Azure Container Instances virtual-kubelet provider (refuse PVC/hostPath/downwardAPI/args without command). */
  virtualKubeletProvider?: boolean;
}

export interface WorkloadsOptions {
  store: SimStore;
  /** Nodes to register; absent means the defaults (node-1 and virtual-kubelet). */
  nodes?: SimNodeSpec[];
  /** Directory where pods' emptyDir/PVC volumes and logs live; a temp dir when absent. */
  dataDir?: string;
}

export interface Workloads {
  logs: PodLogs;
  stop(): Promise<void>;
}

/** Implemented by src/sim/workloads/index.ts: scheduler, batch/v1 Job controller and kubelet. */
export type StartWorkloads = (opts: WorkloadsOptions) => Promise<Workloads>;
