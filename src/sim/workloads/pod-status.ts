// Pure construction of a pod's status from the kubelet's in-memory view of its containers: phase,
// the five pod conditions, container statuses and QoS class, as the real kubelet reports them.

import { rfc3339, setCondition } from './conditions.ts';
import type { Condition, ContainerState, ContainerStatus, Pod, PodStatus } from './kube-types.ts';

export interface ContainerRecord {
  name: string;
  image: string;
  state: ContainerState;
  lastState: ContainerState;
  restartCount: number;
  containerID?: string;
}

export interface PodRuntime {
  phase: NonNullable<PodStatus['phase']>;
  reason?: string;
  message?: string;
  startTime: Date;
  hostIP: string;
  podIP?: string;
  /** Volumes are set up and the "sandbox" exists. */
  sandboxReady: boolean;
  init: ContainerRecord[];
  main: ContainerRecord[];
}

export function newContainerRecord(name: string, image: string | undefined, waitingReason: string): ContainerRecord {
  return { name, image: image ?? '', state: { waiting: { reason: waitingReason } }, lastState: {}, restartCount: 0 };
}

/** The image is never pulled; imageID says so instead of pretending to be a digest. */
export function simImageID(image: string): string {
  return `sim://not-pulled/${image}`;
}

function toStatus(c: ContainerRecord, isInit: boolean): ContainerStatus {
  const running = c.state.running !== undefined;
  const status: ContainerStatus = {
    name: c.name,
    image: c.image,
    imageID: c.state.waiting ? '' : simImageID(c.image),
    ready: running,
    restartCount: c.restartCount,
    started: running,
    state: c.state,
    lastState: c.lastState,
  };
  if (isInit) status.ready = c.state.terminated?.exitCode === 0;
  if (c.containerID) status.containerID = c.containerID;
  return status;
}

export function qosClass(pod: Pod): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])];
  const any = containers.some(
    (c) => Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0,
  );
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) =>
    ['cpu', 'memory'].every((r) => {
      const limit = c.resources?.limits?.[r];
      const request = c.resources?.requests?.[r] ?? limit;
      return limit !== undefined && String(request) === String(limit);
    }),
  );
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function podConditions(existing: Condition[] | undefined, rt: PodRuntime, now: Date): Condition[] {
  const completed = rt.phase === 'Succeeded' || rt.phase === 'Failed';
  const initPending = rt.init.filter((c) => c.state.terminated?.exitCode !== 0).map((c) => c.name);
  const unready = rt.main.filter((c) => c.state.running === undefined).map((c) => c.name);
  let conditions = setCondition(
    existing,
    { type: 'PodReadyToStartContainers', status: rt.sandboxReady && !completed ? 'True' : 'False' },
    now,
  );
  conditions = setCondition(
    conditions,
    initPending.length === 0
      ? { type: 'Initialized', status: 'True' }
      : {
          type: 'Initialized',
          status: 'False',
          reason: 'ContainersNotInitialized',
          message: `containers with incomplete status: [${initPending.join(' ')}]`,
        },
    now,
  );
  const readiness =
    unready.length === 0 && !completed
      ? { status: 'True' as const }
      : completed
        ? { status: 'False' as const, reason: 'PodCompleted' }
        : {
            status: 'False' as const,
            reason: 'ContainersNotReady',
            message: `containers with unready status: [${unready.join(' ')}]`,
          };
  conditions = setCondition(conditions, { type: 'ContainersReady', ...readiness }, now);
  conditions = setCondition(conditions, { type: 'Ready', ...readiness }, now);
  return setCondition(conditions, { type: 'PodScheduled', status: 'True' }, now);
}

/** The pod status the kubelet would post for this runtime view, keeping fields others own. */
export function buildPodStatus(pod: Pod, rt: PodRuntime, now: Date): PodStatus {
  const status: PodStatus = {
    ...pod.status,
    phase: rt.phase,
    conditions: podConditions(pod.status?.conditions, rt, now),
    hostIP: rt.hostIP,
    hostIPs: [{ ip: rt.hostIP }],
    startTime: rfc3339(rt.startTime),
    qosClass: qosClass(pod),
    containerStatuses: rt.main.map((c) => toStatus(c, false)),
  };
  if (rt.podIP) {
    status.podIP = rt.podIP;
    status.podIPs = [{ ip: rt.podIP }];
  }
  if (rt.init.length > 0) status.initContainerStatuses = rt.init.map((c) => toStatus(c, true));
  if (rt.reason) status.reason = rt.reason;
  else delete status.reason;
  if (rt.message) status.message = rt.message;
  else delete status.message;
  return status;
}

/** The phase once every container has stopped for good (restartPolicy decides what "for good" means). */
export function terminalPhase(main: ContainerRecord[]): 'Succeeded' | 'Failed' {
  return main.every((c) => c.state.terminated?.exitCode === 0) ? 'Succeeded' : 'Failed';
}
