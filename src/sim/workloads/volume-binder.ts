// Dynamic provisioning, simulated: every PersistentVolumeClaim is bound as soon as it exists, with the
// capacity it asks for (its storage is a directory the kubelet creates, see volumes.ts). The scheduler
// keeps pods whose claims are missing or unbound Pending, as the real VolumeBinding plugin does.

import type { KubeObject, SimStore } from '../types.ts';
import { GVR, objectKey } from './kube-types.ts';
import { inform } from './informer.ts';
import { WorkQueue } from './queue.ts';

interface Claim extends KubeObject {
  spec?: { accessModes?: string[]; resources?: { requests?: { storage?: string } } };
  status?: { phase?: string; [field: string]: unknown };
}

function getClaim(store: SimStore, namespace: string | undefined, name: string): Claim | undefined {
  // The rule sees no change because KubeObject's index signature admits Claim's fields, but without the
  // assertion status and spec are `unknown` to the compiler.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
  return store.get(GVR.claims, namespace, name) as Claim | undefined;
}

export class VolumeBinder {
  readonly #store: SimStore;
  readonly #queue: WorkQueue;
  #stop: (() => void) | undefined;

  constructor(opts: { store: SimStore; onError?: (err: unknown, key: string) => void }) {
    this.#store = opts.store;
    this.#queue = new WorkQueue({
      name: 'volume-binder',
      handle: (key) => {
        this.#bind(key);
      },
      onError: opts.onError,
    });
  }

  start(): void {
    this.#stop = inform(this.#store, GVR.claims, (type, claim) => {
      if (type !== 'DELETED' && (claim as Claim).status?.phase !== 'Bound') this.#queue.add(objectKey(claim));
    });
  }

  async stop(): Promise<void> {
    this.#stop?.();
    await this.#queue.stop();
  }

  #bind(key: string): void {
    const [namespace, name] = key.split('/');
    const claim = getClaim(this.#store, namespace, name);
    if (!claim || claim.metadata.deletionTimestamp || claim.status?.phase === 'Bound') return;
    const status = {
      ...claim.status,
      phase: 'Bound',
      accessModes: claim.spec?.accessModes ?? ['ReadWriteOnce'],
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? '1Gi' },
    };
    this.#store.update(GVR.claims, { ...claim, status }, { subresource: 'status' });
  }
}

/** Why the pod's claims keep it from being scheduled, or undefined when they are all bound. */
export function claimProblem(store: SimStore, namespace: string, claimNames: string[]): string | undefined {
  for (const name of claimNames) {
    const claim = getClaim(store, namespace, name);
    if (!claim) return `persistentvolumeclaim "${name}" not found`;
    if (claim.metadata.deletionTimestamp) return `persistentvolumeclaim "${name}" is being deleted`;
  }
  for (const name of claimNames) {
    const claim = getClaim(store, namespace, name);
    if (claim?.status?.phase !== 'Bound') return 'pod has unbound immediate PersistentVolumeClaims';
  }
  return undefined;
}
