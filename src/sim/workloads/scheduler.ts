// The scheduler: binds pods that have no spec.nodeName to a node that fits (see fit.ts), or marks
// them PodScheduled=False/Unschedulable with the real FitError message and a FailedScheduling event.
// Unschedulable pods are retried when something frees room or changes the nodes: a pod terminating
// or being deleted, a node added or updated. There is no periodic loop.

import type { KubeObject, SimStore } from '../types.ts';
import { choosePlacement, type PlacementDecision } from './fit.ts';
import { QuantityError } from './quantity.ts';
import { claimProblem } from './volume-binder.ts';
import { GVR, isPodTerminal, objectKey, type NodeObject, type Pod } from './kube-types.ts';
import { inform } from './informer.ts';
import { WorkQueue, isPermanent } from './queue.ts';
import { setCondition } from './conditions.ts';

const COMPONENT = 'default-scheduler';

/** Pods naming another scheduler are left to it, as the real default-scheduler does. */
function isOurs(pod: Pod): boolean {
  const name = pod.spec.schedulerName;
  return name === undefined || name === COMPONENT;
}

export interface SchedulerOptions {
  store: SimStore;
  now?: () => Date;
  onError?: (err: unknown, key: string) => void;
}

export class Scheduler {
  readonly #store: SimStore;
  readonly #now: () => Date;
  readonly #queue: WorkQueue;
  /** Pods that did not fit last time, retried when room may have freed up. */
  readonly #waiting = new Set<string>();
  /** resourceVersions this scheduler wrote itself, so its own status write does not trigger a retry. */
  readonly #ownWrites = new Set<string>();
  readonly #stops: Array<() => void> = [];
  /** Pods bound to a node, from the watch: what each node already holds, without re-listing every pod per attempt. */
  readonly #boundPods = new Map<string, Pod>();

  constructor(opts: SchedulerOptions) {
    this.#store = opts.store;
    this.#now = opts.now ?? ((): Date => new Date());
    this.#queue = new WorkQueue({
      name: 'scheduler',
      handle: (key) => {
        this.#schedule(key);
      },
      onError: opts.onError,
    });
  }

  start(): void {
    this.#stops.push(
      inform(this.#store, GVR.pods, (type, obj) => {
        this.#onPod(type, obj as Pod);
      }),
    );
    this.#stops.push(
      inform(this.#store, GVR.nodes, () => {
        this.#retryWaiting();
      }),
    );
    this.#stops.push(
      inform(this.#store, GVR.claims, () => {
        this.#retryWaiting();
      }),
    );
  }

  async stop(): Promise<void> {
    for (const stop of this.#stops) stop();
    await this.#queue.stop();
  }

  #onPod(type: string, pod: Pod): void {
    const key = objectKey(pod);
    // Only pods that hold resources on their node: a terminated pod no longer counts against it, so
    // the fit check walks the running pods, not every pod that ever ran.
    if (type === 'DELETED' || !pod.spec.nodeName || isPodTerminal(pod)) this.#boundPods.delete(key);
    else this.#boundPods.set(key, pod);
    if (type === 'DELETED' || isPodTerminal(pod)) {
      this.#waiting.delete(key);
      if (pod.spec.nodeName) this.#retryWaiting();
      return;
    }
    if (pod.spec.nodeName || pod.metadata.deletionTimestamp || !isOurs(pod)) return;
    const rv = pod.metadata.resourceVersion ?? '';
    if (this.#ownWrites.delete(rv)) return;
    this.#queue.add(key);
  }

  #retryWaiting(): void {
    for (const key of this.#waiting) this.#queue.add(key);
  }

  #schedule(key: string): void {
    const [namespace, name] = key.split('/');
    const pod = this.#store.get(GVR.pods, namespace, name) as Pod | undefined;
    if (!pod || pod.spec.nodeName || pod.metadata.deletionTimestamp || isPodTerminal(pod)) {
      this.#waiting.delete(key);
      return;
    }
    const nodes = this.#store.list(GVR.nodes).items as NodeObject[];
    const claims = (pod.spec.volumes ?? []).flatMap((v) =>
      v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : [],
    );
    const claimIssue = claimProblem(this.#store, namespace, claims);
    if (claimIssue) {
      // Like the VolumeBinding PreFilter: the pod as a whole is refused before any node is tried.
      this.#waiting.add(key);
      this.#markUnschedulable(pod, `0/${nodes.length} nodes are available: ${claimIssue}.`);
      return;
    }
    let decision: PlacementDecision;
    try {
      decision = choosePlacement(pod, nodes, this.#podsByNode());
    } catch (err) {
      // A malformed quantity (on this pod or, worse, a node) cannot be fixed by retrying.
      if (!(err instanceof QuantityError)) throw err;
      decision = { message: `0/${nodes.length} nodes are available: ${err.message}.` };
    }
    if (decision.node) {
      this.#waiting.delete(key);
      this.#bind(pod, decision.node);
    } else {
      this.#waiting.add(key);
      this.#markUnschedulable(pod, decision.message ?? 'no nodes available to schedule pods');
    }
  }

  #podsByNode(): Map<string, Pod[]> {
    const byNode = new Map<string, Pod[]>();
    for (const pod of this.#boundPods.values()) {
      const node = pod.spec.nodeName;
      if (!node) continue;
      const list = byNode.get(node);
      if (list) list.push(pod);
      else byNode.set(node, [pod]);
    }
    return byNode;
  }

  /** Binds as the real scheduler does: a core/v1 Binding (the in-process twin of pods/{name}/binding), which also sets PodScheduled=True. */
  #bind(pod: Pod, node: string): void {
    const binding: KubeObject = {
      apiVersion: 'v1',
      kind: 'Binding',
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, uid: pod.metadata.uid },
      target: { apiVersion: 'v1', kind: 'Node', name: node },
    };
    try {
      this.#store.create(GVR.bindings, binding);
    } catch (err) {
      if (isPermanent(err)) {
        this.#store.recordEvent(
          pod,
          'Warning',
          'FailedScheduling',
          `Binding rejected: ${(err as Error).message}`,
          COMPONENT,
        );
      }
      throw err;
    }
    // Count the pod on its node right away, even if the watch event has not arrived yet.
    const key = objectKey(pod);
    if (!this.#boundPods.has(key)) this.#boundPods.set(key, { ...pod, spec: { ...pod.spec, nodeName: node } });
    const ns = pod.metadata.namespace ?? 'default';
    this.#store.recordEvent(
      pod,
      'Normal',
      'Scheduled',
      `Successfully assigned ${ns}/${pod.metadata.name} to ${node}`,
      COMPONENT,
    );
  }

  #markUnschedulable(pod: Pod, message: string): void {
    const status = { ...pod.status, phase: pod.status?.phase ?? 'Pending' };
    const before = JSON.stringify(status.conditions ?? []);
    status.conditions = setCondition(
      status.conditions,
      { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message },
      this.#now(),
    );
    if (JSON.stringify(status.conditions) !== before || pod.status?.phase !== 'Pending') {
      const written = this.#store.update(GVR.pods, { ...pod, status }, { subresource: 'status' });
      this.#ownWrites.add(written.metadata.resourceVersion ?? '');
    }
    this.#store.recordEvent(pod, 'Warning', 'FailedScheduling', message, COMPONENT);
  }
}
