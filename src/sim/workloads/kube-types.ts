// The parts of core/v1 and batch/v1 objects the workloads read and write. Objects arrive from the
// store as untyped JSON (KubeObject); these views name the fields the controllers rely on.

import type { GroupVersionResource, KubeObject } from '../types.ts';

export const GVR = {
  pods: { group: '', version: 'v1', resource: 'pods' },
  nodes: { group: '', version: 'v1', resource: 'nodes' },
  secrets: { group: '', version: 'v1', resource: 'secrets' },
  configMaps: { group: '', version: 'v1', resource: 'configmaps' },
  jobs: { group: 'batch', version: 'v1', resource: 'jobs' },
  bindings: { group: '', version: 'v1', resource: 'bindings' },
  claims: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
} as const satisfies Record<string, GroupVersionResource>;

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}
export interface Toleration {
  key?: string;
  operator?: 'Equal' | 'Exists';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

export interface SelectorRequirement {
  key: string;
  operator: string;
  values?: string[];
}
export interface NodeSelectorTerm {
  matchExpressions?: SelectorRequirement[];
  matchFields?: SelectorRequirement[];
}
export interface NodeAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] };
  preferredDuringSchedulingIgnoredDuringExecution?: Array<{ weight: number; preference: NodeSelectorTerm }>;
}

export interface KeyRef {
  name?: string;
  key: string;
  optional?: boolean;
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: KeyRef;
    configMapKeyRef?: KeyRef;
    fieldRef?: { fieldPath: string };
  };
}
export interface EnvFromSource {
  prefix?: string;
  secretRef?: { name: string; optional?: boolean };
  configMapRef?: { name: string; optional?: boolean };
}
export interface VolumeMount {
  name: string;
  mountPath: string;
  readOnly?: boolean;
  subPath?: string;
}
export interface ResourceList {
  cpu?: string | number;
  memory?: string | number;
  [name: string]: string | number | undefined;
}
export interface Container {
  name: string;
  image?: string;
  command?: string[];
  args?: string[];
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  volumeMounts?: VolumeMount[];
  resources?: { requests?: ResourceList; limits?: ResourceList };
  securityContext?: { privileged?: boolean };
}
export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}
export interface Volume {
  name: string;
  emptyDir?: object;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  hostPath?: { path: string };
  downwardAPI?: object;
  secret?: { secretName?: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  [source: string]: unknown;
}
export interface PodSpec {
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  affinity?: { nodeAffinity?: NodeAffinity };
  tolerations?: Toleration[];
  // Required by the real apiserver; the simulator's admission does not check it, so a stored pod may lack it.
  containers?: Container[];
  initContainers?: Container[];
  volumes?: Volume[];
  restartPolicy?: 'Always' | 'OnFailure' | 'Never';
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  schedulerName?: string;
  serviceAccountName?: string;
  [field: string]: unknown;
}
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
  lastProbeTime?: string | null;
  [field: string]: unknown;
}
export interface ContainerState {
  waiting?: { reason?: string; message?: string };
  running?: { startedAt: string };
  terminated?: {
    exitCode: number;
    signal?: number;
    reason?: string;
    message?: string;
    startedAt?: string;
    finishedAt?: string;
    containerID?: string;
  };
}
export interface ContainerStatus {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  ready: boolean;
  started?: boolean;
  restartCount: number;
  state: ContainerState;
  lastState: ContainerState;
}
export interface PodStatus {
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed' | 'Unknown';
  conditions?: Condition[];
  reason?: string;
  message?: string;
  hostIP?: string;
  hostIPs?: Array<{ ip: string }>;
  podIP?: string;
  podIPs?: Array<{ ip: string }>;
  startTime?: string;
  qosClass?: string;
  initContainerStatuses?: ContainerStatus[];
  containerStatuses?: ContainerStatus[];
  [field: string]: unknown;
}
export interface Pod extends KubeObject {
  spec: PodSpec;
  status?: PodStatus;
}

export interface NodeObject extends KubeObject {
  spec: { taints?: Taint[]; unschedulable?: boolean; [field: string]: unknown };
  status: {
    allocatable?: Partial<Record<string, string>>;
    capacity?: Partial<Record<string, string>>;
    addresses?: Array<{ type: string; address: string }>;
    [field: string]: unknown;
  };
}

export interface JobSpec {
  parallelism?: number;
  completions?: number;
  backoffLimit?: number;
  activeDeadlineSeconds?: number;
  ttlSecondsAfterFinished?: number | null;
  suspend?: boolean;
  selector?: { matchLabels?: Record<string, string> };
  template: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: PodSpec };
  [field: string]: unknown;
}
export interface JobStatus {
  active?: number;
  ready?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  startTime?: string;
  completionTime?: string;
  conditions?: Condition[];
  [field: string]: unknown;
}
export interface JobObject extends KubeObject {
  spec: JobSpec;
  status?: JobStatus;
}

export function isPodTerminal(pod: Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

export function objectKey(obj: KubeObject): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}
