// What every reconciler gets: API clients, the shared caches, an Event recorder, a logger, a clock,
// the script engine and the job translation. Injected, so tests can replace any part.
import type { Logger } from 'pino';
import type { LogArchive } from '../../archive/index.ts';
import type { TranslateInput, TranslateResult } from '../../jobs/types.ts';
import type { KubeClients } from '../../kube/clients.ts';
import type { BrigadeObjects } from '../../kube/custom-objects.ts';
import type { EventRecorder } from '../../kube/event-recorder.ts';
import type { DeclaredDependencies, DependencyLock } from '../../npm/index.ts';
import type { ScriptEngine, ScriptPackages } from '../../script/index.ts';
import type { Caches } from '../caches.ts';
import type { Clock } from '../runtime/clock.ts';
import type { HistoryPolicy } from '../project/history.ts';
import type { KeptLogHandoff } from './kept-log-handoff.ts';

export interface OperatorSettings {
  /**
   * How long an Event waits for its Project to exist and be Ready before it is Rejected. Events and
   * their Project are often applied together; rejecting at once would lose that race.
   */
  eventProjectGraceMs: number;
  /** Bound of a job's kept log (after redaction) when its Project sets no spec.logs.maxJobLogBytes. */
  maxJobLogBytes: number;
  /** Bound of the log tails in Build and Job statuses. */
  logTailChars: number;
  /** Every object is reconciled at least this often (a safety net for missed events). */
  resyncMs: number;
  /**
   * Client-side rate limit of each controller's API requests (and of the informers' lists and watch
   * connects together): sustained requests per second, and the burst allowed after a quiet spell.
   * Like client-go's QPS/Burst, so the operator does not cause the 429s of API priority and fairness.
   */
  apiQPS: number;
  apiBurst: number;
  /** Builds whose script is replayed at once after a restart (default 4); the others wait, oldest first. */
  maxConcurrentReplays?: number;
  /** Build history kept where a Project's spec.history says nothing (default: everything). */
  history?: HistoryPolicy;
  /**
   * Which core/v1 Events a Job CR gets: `all` (default: JobCreated, JobStarted, JobSucceeded and the
   * failures) or `failures` (warnings only: JobFailed, JobTimedOut, JobRefused, Unschedulable, ...),
   * which saves up to three API writes per job. The Build's own Events are always written.
   */
  jobEvents?: JobEventsSetting;
  /**
   * Builds whose script sandbox stays in memory while they wait on jobs (default 50, about 1 MiB
   * each); past it, those that have waited longest are hibernated and replayed when a job ends.
   */
  maxResidentScripts?: number;
  /** Worker threads evaluating scripts (default 2, 1 with two cores or fewer; about 40 MiB each). */
  scriptWorkers?: number;
  /** Job CRs reconciled at once (default 16); one Job CR is never reconciled by two workers at once. */
  jobWorkers?: number;
}

export const JOB_EVENTS_SETTINGS = ['all', 'failures'] as const;
export type JobEventsSetting = (typeof JOB_EVENTS_SETTINGS)[number];

/** The default of OperatorSettings.jobWorkers. */
export const DEFAULT_JOB_WORKERS = 16;

export interface ControllerDeps {
  clients: KubeClients;
  objects: BrigadeObjects;
  caches: Caches;
  recorder: EventRecorder;
  logger: Logger;
  clock: Clock;
  script: Pick<ScriptEngine, 'runBuild' | 'inspectScript'>;
  translate: (input: TranslateInput) => TranslateResult;
  settings: OperatorSettings;
  packages: PackageDeps;
  /** Kept logs handed from the Job controller to the Build sessions of this process. */
  keptLogs?: KeptLogHandoff;
  /** Object storage that keeps a copy of every kept job log, when the operator has one. */
  logArchive?: LogArchive;
}

/** npm dependencies: resolved to a lock (Project reconcile), loaded from the store (inspection, builds). */
export interface PackageDeps {
  resolve(declared: DeclaredDependencies): Promise<DependencyLock>;
  load(lock: DependencyLock): Promise<ScriptPackages>;
}

/** Sends a change to the key of the owning object (by controller ownerReference of `kind`). */
export function controllerOwner(
  obj: { metadata?: { ownerReferences?: { kind: string; name: string; controller?: boolean; apiVersion: string }[] } },
  kind: string,
  apiVersion: string,
): string | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller && r.kind === kind && r.apiVersion === apiVersion)
    ?.name;
}

/** Resync settings for a controller of the objects in `cache`. */
export function resyncOf(
  deps: ControllerDeps,
  cache: { list(): readonly { metadata?: { namespace?: string; name?: string } }[] },
): { everyMs: number; keys: () => string[] } {
  return {
    everyMs: deps.settings.resyncMs,
    keys: () => cache.list().map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`),
  };
}
