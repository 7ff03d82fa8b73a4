// The kubelet of every simulated node: starts a PodRunner for each pod bound to one of its nodes,
// writes the pod status the runner reports, stops processes when a pod is deleted (SIGTERM, then
// SIGKILL after the grace period) and then finishes the deletion with gracePeriodSeconds=0, as the
// real kubelet does. Pods waiting for a missing Secret/ConfigMap are retried when one changes.

import type { KubeObject, SimStore } from '../types.ts';
import { GVR, isPodTerminal, objectKey, type Pod } from './kube-types.ts';
import { inform } from './informer.ts';
import type { LogStore } from './logs.ts';
import { buildPodStatus, type PodRuntime } from './pod-status.ts';
import { PodRunner, type SimNode } from './pod-runner.ts';
import { WorkQueue, isConflict, isNotFound } from './queue.ts';
import { removePodDir } from './volumes.ts';

const COMPONENT = 'kubelet';
const DEFAULT_GRACE_SECONDS = 30;

export interface KubeletOptions {
  store: SimStore;
  logs: LogStore;
  dataDir: string;
  nodes: SimNode[];
  now?: () => Date;
  restartDelayMs?: (restarts: number) => number;
  onError?: (err: unknown, key: string) => void;
}

function graceSeconds(pod: Pod): number {
  return pod.spec.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
}

interface Running {
  runner: PodRunner;
  pod: Pod;
  done: Promise<unknown>;
}

export class Kubelet {
  readonly #opts: KubeletOptions;
  readonly #now: () => Date;
  readonly #nodes: Map<string, SimNode>;
  readonly #queue: WorkQueue;
  readonly #running = new Map<string, Running>();
  /** Pods waiting for a Secret or ConfigMap, by key. */
  readonly #blocked = new Set<string>();
  /** Pod key -> uid whose final delete (grace 0) was already sent. */
  readonly #finalized = new Map<string, string>();
  readonly #ipCounters = new Map<string, number>();
  readonly #stops: Array<() => void> = [];
  /** Set by stop(): no pod is launched after it, so nothing outlives it. */
  #stopped = false;

  constructor(opts: KubeletOptions) {
    this.#opts = opts;
    this.#now = opts.now ?? ((): Date => new Date());
    this.#nodes = new Map(opts.nodes.map((n) => [n.name, n]));
    this.#queue = new WorkQueue({ name: 'kubelet', handle: (key) => this.#reconcile(key), onError: opts.onError });
  }

  start(): void {
    const store = this.#opts.store;
    this.#stops.push(
      inform(store, GVR.pods, (_type, obj) => {
        if (this.#nodes.has((obj as Pod).spec.nodeName ?? '')) this.#queue.add(objectKey(obj));
      }),
    );
    const onConfig = (_type: string, obj: KubeObject): void => {
      for (const key of this.#blocked) {
        if (!key.startsWith(`${obj.metadata.namespace ?? ''}/`)) continue;
        this.#blocked.delete(key);
        this.#queue.add(key);
      }
    };
    this.#stops.push(inform(store, GVR.secrets, onConfig), inform(store, GVR.configMaps, onConfig));
  }

  /** Stops watching and kills every process; resolves when all of them exited. */
  async stop(): Promise<void> {
    for (const stop of this.#stops) stop();
    this.#stopped = true;
    // Kill first: a reconcile may be waiting out a long grace period, which this cuts short.
    const running = [...this.#running.values()];
    const killed = Promise.all(running.map((r) => r.runner.stop(0)));
    await Promise.all([killed, this.#queue.stop()]);
    await Promise.all(running.map((r) => r.done));
  }

  async #reconcile(key: string): Promise<void> {
    const [namespace, name] = key.split('/');
    const pod = this.#opts.store.get(GVR.pods, namespace, name) as Pod | undefined;
    const current = this.#running.get(key);
    if (current && current.runner.uid !== pod?.metadata.uid) {
      // Deleted outright (no graceful deletion) or replaced by a pod of the same name: the
      // processes still get the pod's grace period between SIGTERM and SIGKILL.
      await this.#kill(key, current, graceSeconds(current.pod) * 1000);
      await removePodDir(this.#opts.dataDir, current.pod);
    }
    if (!pod) {
      this.#blocked.delete(key);
      this.#finalized.delete(key);
      this.#opts.logs.drop(namespace, name);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      await this.#terminate(key, pod);
      return;
    }
    // A pod waiting for a Secret/ConfigMap is retried when one changes, not on its own status writes.
    if (this.#running.has(key) || this.#blocked.has(key) || isPodTerminal(pod)) return;
    this.#launch(key, pod);
  }

  async #kill(key: string, running: Running, graceMs: number): Promise<void> {
    await running.runner.stop(graceMs);
    await running.done;
    this.#running.delete(key);
  }

  async #terminate(key: string, pod: Pod): Promise<void> {
    const uid = pod.metadata.uid ?? '';
    const running = this.#running.get(key);
    const grace = pod.metadata.deletionGracePeriodSeconds ?? graceSeconds(pod);
    if (running) {
      this.#opts.store.recordEvent(
        pod,
        'Normal',
        'Killing',
        'Stopping container ' + (pod.spec.containers ?? []).map((c) => c.name).join(', '),
        COMPONENT,
      );
      await this.#kill(key, running, grace * 1000);
    }
    this.#blocked.delete(key);
    if (this.#finalized.get(key) === uid) return;
    this.#finalized.set(key, uid);
    await removePodDir(this.#opts.dataDir, pod);
    try {
      this.#opts.store.delete(GVR.pods, pod.metadata.namespace, pod.metadata.name ?? '', {
        gracePeriodSeconds: 0,
        preconditions: { uid },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  }

  #launch(key: string, pod: Pod): void {
    const node = this.#nodes.get(pod.spec.nodeName ?? '');
    if (!node || this.#stopped) return;
    this.#blocked.delete(key);
    const runner = new PodRunner(pod, {
      store: this.#opts.store,
      logs: this.#opts.logs,
      dataDir: this.#opts.dataDir,
      node,
      podIP: this.#allocateIP(node),
      now: this.#now,
      restartDelayMs: this.#opts.restartDelayMs,
      writeStatus: (rt) => {
        this.#writeStatus(pod, rt);
      },
      event: (type, reason, message) => {
        this.#opts.store.recordEvent(pod, type, reason, message, COMPONENT);
      },
    });
    const done = runner.run().then(
      (outcome) => {
        this.#runEnded(key, runner, outcome === 'blocked');
      },
      (err: unknown) => {
        this.#runEnded(key, runner, false);
        this.#opts.onError?.(err, key);
        try {
          runner.reportCrash(err);
        } catch (writeErr) {
          this.#opts.onError?.(writeErr, key);
        }
      },
    );
    this.#running.set(key, { runner, pod, done });
  }

  #runEnded(key: string, runner: PodRunner, blocked: boolean): void {
    if (this.#running.get(key)?.runner !== runner) return;
    this.#running.delete(key);
    if (blocked && !runner.stopping) this.#blocked.add(key);
  }

  #allocateIP(node: SimNode): string {
    const n = (this.#ipCounters.get(node.name) ?? 0) + 1;
    this.#ipCounters.set(node.name, n);
    const index = [...this.#nodes.keys()].indexOf(node.name);
    return `10.244.${index}.${(n % 250) + 2}`;
  }

  /** Writes the runner's view onto the latest pod; retried on conflicts, dropped once the pod is gone. */
  #writeStatus(pod: Pod, rt: PodRuntime): void {
    const { store } = this.#opts;
    for (let attempt = 0; attempt < 5; attempt++) {
      const latest = store.get(GVR.pods, pod.metadata.namespace, pod.metadata.name ?? '') as Pod | undefined;
      if (!latest || latest.metadata.uid !== pod.metadata.uid) return;
      try {
        store.update(
          GVR.pods,
          { ...latest, status: buildPodStatus(latest, rt, this.#now()) },
          { subresource: 'status' },
        );
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) throw err;
      }
    }
  }
}
