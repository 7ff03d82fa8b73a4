// Leader election with a coordination.k8s.io/v1 Lease, as client-go's leaderelection: acquire the
// lease when it is free or expired, renew it while leading, and give up leadership (stop the
// controllers) when renewal fails past the lease duration. Timers, not a busy loop, pace it.
import { V1MicroTime } from '@kubernetes/client-node';
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound } from '../../kube/errors.ts';
import { systemClock } from './clock.ts';
import type { Clock } from './clock.ts';

export interface LeaderElectionOptions {
  api: CoordinationV1Api;
  namespace: string;
  name: string;
  identity: string;
  logger: Logger;
  clock?: Clock;
  leaseDurationMs?: number;
  renewIntervalMs?: number;
  retryIntervalMs?: number;
}

export class LeaderElector {
  readonly #o: Required<LeaderElectionOptions>;

  constructor(options: LeaderElectionOptions) {
    this.#o = {
      clock: systemClock,
      leaseDurationMs: 15_000,
      renewIntervalMs: 5_000,
      retryIntervalMs: 2_000,
      ...options,
    };
  }

  /**
   * Waits until this replica leads, then runs `lead(leadershipSignal)`; the signal aborts when
   * leadership is lost or `signal` aborts. Resolves when lead() returns; the lease is then released.
   */
  async run(signal: AbortSignal, lead: (leading: AbortSignal) => Promise<void>): Promise<void> {
    while (!signal.aborted && !(await this.#tryAcquire())) await this.#sleep(this.#o.retryIntervalMs, signal);
    if (signal.aborted) return;
    this.#o.logger.info({ lease: this.#o.name, identity: this.#o.identity }, 'became leader');
    const leading = new AbortController();
    const onAbort = (): void => {
      leading.abort();
    };
    signal.addEventListener('abort', onAbort, { once: true });
    const renewing = this.#renewLoop(leading);
    try {
      await lead(leading.signal);
    } finally {
      signal.removeEventListener('abort', onAbort);
      leading.abort();
      await renewing;
      await this.#release();
    }
  }

  async #renewLoop(leading: AbortController): Promise<void> {
    let lastRenew = this.#o.clock.now();
    while (!leading.signal.aborted) {
      await this.#sleep(this.#o.renewIntervalMs, leading.signal);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the signal can abort during the sleep
      if (leading.signal.aborted) return;
      if (await this.#tryAcquire()) lastRenew = this.#o.clock.now();
      else if (this.#o.clock.now() - lastRenew >= this.#o.leaseDurationMs) {
        this.#o.logger.error({ lease: this.#o.name }, 'lost leadership; stopping controllers');
        leading.abort();
      }
    }
  }

  /** One attempt to take or renew the lease; false when someone else holds it or the write lost a race. */
  async #tryAcquire(): Promise<boolean> {
    const { api, namespace, name } = this.#o;
    try {
      const lease = await this.#read();
      if (!lease) {
        await api.createNamespacedLease({ namespace, body: this.#lease(undefined) });
        return true;
      }
      if (!this.#mayTake(lease)) return false;
      await api.replaceNamespacedLease({ namespace, name, body: this.#lease(lease) });
      return true;
    } catch (err) {
      if (!isConflict(err) && !isAlreadyExists(err)) this.#o.logger.warn({ err, lease: name }, 'lease update failed');
      return false;
    }
  }

  async #read(): Promise<V1Lease | undefined> {
    try {
      return await this.#o.api.readNamespacedLease({ namespace: this.#o.namespace, name: this.#o.name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  #mayTake(lease: V1Lease): boolean {
    const holder = lease.spec?.holderIdentity;
    if (!holder || holder === this.#o.identity) return true;
    const renewed = lease.spec?.renewTime ? new Date(lease.spec.renewTime).getTime() : 0;
    const duration = (lease.spec?.leaseDurationSeconds ?? 15) * 1000;
    return this.#o.clock.now() > renewed + duration;
  }

  #lease(current: V1Lease | undefined): V1Lease {
    const now = new V1MicroTime(this.#o.clock.now());
    const ours = current?.spec?.holderIdentity === this.#o.identity;
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.#o.name,
        namespace: this.#o.namespace,
        resourceVersion: current?.metadata?.resourceVersion,
      },
      spec: {
        holderIdentity: this.#o.identity,
        leaseDurationSeconds: Math.ceil(this.#o.leaseDurationMs / 1000),
        acquireTime: ours && current.spec?.acquireTime ? current.spec.acquireTime : now,
        renewTime: now,
        leaseTransitions: (current?.spec?.leaseTransitions ?? 0) + (ours || !current ? 0 : 1),
      },
    };
  }

  /** Lets another replica take over at once instead of waiting for the lease to expire. */
  async #release(): Promise<void> {
    try {
      const lease = await this.#read();
      if (lease?.spec?.holderIdentity !== this.#o.identity) return;
      // eslint-disable-next-line @typescript-eslint/no-misused-spread -- client-node's V1 models are plain objects on the wire (see eslint.config.js)
      const body: V1Lease = { ...lease, spec: { ...lease.spec, holderIdentity: '', leaseDurationSeconds: 1 } };
      await this.#o.api.replaceNamespacedLease({ namespace: this.#o.namespace, name: this.#o.name, body });
    } catch (err) {
      this.#o.logger.warn({ err, lease: this.#o.name }, 'could not release the lease; it will expire');
    }
  }

  #sleep(ms: number, signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const timer = this.#o.clock.setTimer(done, ms);
      function done(): void {
        timer.cancel();
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
