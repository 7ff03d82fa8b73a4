// What the gateway needs from the cluster, as a narrow interface: tests use an in-memory fake, the
// gateway command and the operator use the Kubernetes implementation in kube-cluster.ts.
import type { EventObject } from './event.ts';
import type { ProjectLike, SecretKeyRef } from './project-intake.ts';

export interface IntakeCluster {
  getProject(namespace: string, name: string): Promise<ProjectLike | undefined>;
  /** Projects in one namespace, or in all namespaces when namespace is undefined. */
  listProjects(namespace: string | undefined): Promise<ProjectLike[]>;
  /** One decoded value of a Secret; undefined when the Secret or the key does not exist. */
  readSecretKey(namespace: string, ref: SecretKeyRef): Promise<string | undefined>;
  /** Creates the Event; 'exists' when an Event of that name is already there (a duplicate delivery). */
  createEvent(event: EventObject): Promise<'created' | 'exists'>;
  /** When an Event was created (undefined when there is no such Event): replay windows are measured from it. */
  eventCreated(namespace: string, name: string): Promise<Date | undefined>;
  /** Resolves when the API server answers and the gateway may read Projects (readiness). */
  ping(namespace: string | undefined): Promise<void>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Caches secret values for a short time: a burst of deliveries costs one Secret read, and a rotated
 * secret is picked up within `ttlMs`. Values stay in memory only and are never logged.
 */
export function withSecretCache(cluster: IntakeCluster, opts: { ttlMs: number; clock?: Clock }): IntakeCluster {
  const clock = opts.clock ?? systemClock;
  const cache = new Map<string, { value: string | undefined; expires: number }>();
  return {
    ...bindAll(cluster),
    async readSecretKey(namespace, ref) {
      const key = JSON.stringify([namespace, ref.name, ref.key]);
      const hit = cache.get(key);
      if (hit && hit.expires > clock.now()) return hit.value;
      const value = await cluster.readSecretKey(namespace, ref);
      cache.set(key, { value, expires: clock.now() + opts.ttlMs });
      return value;
    },
  };
}

/** A watched cache of Projects (the controller runtime's Informer fits): no API call per delivery. */
export interface ProjectCache {
  readonly synced: boolean;
  get(namespace: string | undefined, name: string): ProjectLike | undefined;
  list(namespace?: string): readonly ProjectLike[];
}

/**
 * Reads Projects from `cache` once it has synced, for namespaces it covers (`scope`: one namespace,
 * or undefined for all). A name missing from the cache is still looked up in the API, so a project
 * created a moment ago is not refused while the watch catches up.
 */
export function withProjectCache(
  cluster: IntakeCluster,
  opts: { cache: ProjectCache; scope: string | undefined },
): IntakeCluster {
  const covers = (namespace: string | undefined): boolean =>
    opts.cache.synced && (opts.scope === undefined || opts.scope === namespace);
  return {
    ...bindAll(cluster),
    async getProject(namespace, name) {
      return (covers(namespace) ? opts.cache.get(namespace, name) : undefined) ?? cluster.getProject(namespace, name);
    },
    async listProjects(namespace) {
      return covers(namespace) ? [...opts.cache.list(namespace)] : cluster.listProjects(namespace);
    },
  };
}

function bindAll(cluster: IntakeCluster): IntakeCluster {
  return {
    getProject: (ns, name) => cluster.getProject(ns, name),
    listProjects: (ns) => cluster.listProjects(ns),
    readSecretKey: (ns, ref) => cluster.readSecretKey(ns, ref),
    createEvent: (event) => cluster.createEvent(event),
    eventCreated: (ns, name) => cluster.eventCreated(ns, name),
    ping: (ns) => cluster.ping(ns),
  };
}
