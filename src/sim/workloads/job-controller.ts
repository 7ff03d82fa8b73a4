// The batch/v1 Job controller: reconciles one Job key at a time from watches on Jobs and on the pods
// they own, applying the decisions of job-state.ts. Deadlines and TTLs become timers at the exact
// moment they fall due; nothing polls.

import type { KubeObject, SimStore } from '../types.ts';
import { GVR, isPodTerminal, objectKey, type JobObject, type Pod } from './kube-types.ts';
import { inform } from './informer.ts';
import { decideJob, podForJob, randomSuffix, type JobDecision } from './job-state.ts';
import { WorkQueue, isAlreadyExists, isNotFound } from './queue.ts';

const COMPONENT = 'job-controller';

export interface JobControllerOptions {
  store: SimStore;
  now?: () => Date;
  random?: () => number;
  onError?: (err: unknown, key: string) => void;
}

function controllerOf(obj: KubeObject): { kind: string; name: string; uid: string } | undefined {
  return obj.metadata.ownerReferences?.find((ref) => ref.controller);
}

export class JobController {
  readonly #store: SimStore;
  readonly #now: () => Date;
  readonly #random: () => number;
  readonly #queue: WorkQueue;
  readonly #stops: Array<() => void> = [];
  /** Per Job uid: its pods that vanished while still running (counted as failed, as upstream). */
  readonly #lostPods = new Map<string, number>();
  /** uids of pods this controller deleted itself (deadline, suspend): their loss is accounted already. */
  readonly #deletedByUs = new Set<string>();
  /**
   * Per Job uid: its pods by name, kept from the pod watch (delivered synchronously with each store
   * write), so a reconcile looks at its own pods instead of listing every pod of the namespace.
   */
  readonly #podsByJob = new Map<string, Map<string, Pod>>();

  constructor(opts: JobControllerOptions) {
    this.#store = opts.store;
    this.#now = opts.now ?? ((): Date => new Date());
    this.#random = opts.random ?? Math.random;
    this.#queue = new WorkQueue({
      name: 'job-controller',
      handle: (key) => {
        this.#reconcile(key);
      },
      onError: opts.onError,
    });
  }

  start(): void {
    this.#stops.push(
      inform(this.#store, GVR.jobs, (type, job) => {
        if (type === 'DELETED') {
          this.#queue.cancel(objectKey(job));
          this.#lostPods.delete(job.metadata.uid ?? '');
        } else {
          this.#queue.add(objectKey(job));
        }
      }),
    );
    this.#stops.push(
      inform(this.#store, GVR.pods, (type, pod) => {
        this.#onPod(type, pod as Pod);
      }),
    );
  }

  async stop(): Promise<void> {
    for (const stop of this.#stops) stop();
    await this.#queue.stop();
  }

  #onPod(type: string, pod: Pod): void {
    const owner = controllerOf(pod);
    if (owner?.kind !== 'Job') return;
    this.#index(type, owner.uid, pod);
    if (type === 'DELETED') this.#countLoss(owner.uid, pod);
    this.#queue.add(`${pod.metadata.namespace ?? ''}/${owner.name}`);
  }

  #index(type: string, jobUid: string, pod: Pod): void {
    const name = pod.metadata.name ?? '';
    let pods = this.#podsByJob.get(jobUid);
    if (type === 'DELETED') {
      pods?.delete(name);
      if (pods?.size === 0) this.#podsByJob.delete(jobUid);
      return;
    }
    if (!pods) this.#podsByJob.set(jobUid, (pods = new Map<string, Pod>()));
    pods.set(name, pod);
  }

  /** A pod that vanished before finishing counts as failed, unless this controller deleted it (already accounted). */
  #countLoss(jobUid: string, pod: Pod): void {
    if (this.#deletedByUs.delete(pod.metadata.uid ?? '') || isPodTerminal(pod)) return;
    this.#lostPods.set(jobUid, (this.#lostPods.get(jobUid) ?? 0) + 1);
  }

  #reconcile(key: string): void {
    const [namespace, name] = key.split('/');
    const job = this.#store.get(GVR.jobs, namespace, name) as JobObject | undefined;
    if (!job || job.metadata.deletionTimestamp) return;
    const uid = job.metadata.uid ?? '';
    // The ownerReference decides (the index is keyed by it); pods are namespaced with their Job.
    const pods = [...(this.#podsByJob.get(uid)?.values() ?? [])].filter((p) => p.metadata.namespace === namespace);
    const decision = decideJob({ job, pods, now: this.#now(), lostPods: this.#lostPods.get(uid) ?? 0 });
    if (decision.deleteJob) {
      this.#deleteJob(job);
      return;
    }
    this.#apply(job, pods, decision);
    if (decision.ttlAfterMs !== undefined) this.#queue.addAfter(key, decision.ttlAfterMs);
    else if (decision.requeueAfterMs !== undefined) this.#queue.addAfter(key, decision.requeueAfterMs);
  }

  #apply(job: JobObject, pods: Pod[], decision: JobDecision): void {
    for (const podName of decision.deletePods)
      this.#deletePod(
        job,
        pods.find((p) => p.metadata.name === podName),
      );
    for (let i = 0; i < decision.createPods; i++) this.#createPod(job);
    if (JSON.stringify(decision.status) !== JSON.stringify(job.status ?? {})) {
      this.#store.update(GVR.jobs, { ...job, status: decision.status }, { subresource: 'status' });
    }
    for (const event of decision.events)
      this.#store.recordEvent(job, event.type, event.reason, event.message, COMPONENT);
  }

  #createPod(job: JobObject): void {
    // Names are generated here rather than through generateName so a clash is simply retried.
    for (let attempt = 0; ; attempt++) {
      try {
        const pod = this.#store.create(GVR.pods, podForJob(job, randomSuffix(this.#random)));
        this.#store.recordEvent(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`, COMPONENT);
        return;
      } catch (err) {
        if (!isAlreadyExists(err) || attempt >= 5) {
          this.#store.recordEvent(
            job,
            'Warning',
            'FailedCreate',
            `Error creating: ${(err as Error).message}`,
            COMPONENT,
          );
          throw err;
        }
      }
    }
  }

  #deletePod(job: JobObject, pod: Pod | undefined): void {
    if (!pod) return;
    const podName = pod.metadata.name ?? '';
    this.#deletedByUs.add(pod.metadata.uid ?? '');
    try {
      this.#store.delete(GVR.pods, job.metadata.namespace, podName, { preconditions: { uid: pod.metadata.uid } });
      this.#store.recordEvent(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${podName}`, COMPONENT);
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  #deleteJob(job: JobObject): void {
    try {
      this.#store.delete(GVR.jobs, job.metadata.namespace, job.metadata.name ?? '', {
        propagationPolicy: 'Background',
        preconditions: { uid: job.metadata.uid },
      });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }
}
