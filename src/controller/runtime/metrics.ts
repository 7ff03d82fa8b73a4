// Prometheus metrics of the operator (prom-client), in a registry of their own so several operators
// in one process (tests) do not collide.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { ReconcileObserver } from './controller.ts';

/** What the script engine reports about itself (src/script ScriptEngineStats). */
export interface ScriptStats {
  workers: number;
  liveBuilds: number;
  hibernatedBuilds: number;
  workersKilled: number;
  replays: number;
  hibernations: number;
  wakes: number;
}

export type PhaseSource = () => readonly (string | undefined)[];

export class OperatorMetrics implements ReconcileObserver {
  readonly registry = new Registry();
  readonly reconciles: Counter<'controller' | 'result'>;
  readonly reconcileSeconds: Histogram<'controller'>;
  readonly scriptStartSeconds: Histogram;
  readonly reconcileErrors: Counter<'controller'>;
  readonly queueDepth: Gauge<'controller'>;
  readonly builds: Gauge<'phase'>;
  readonly jobs: Gauge<'phase'>;
  readonly informerRestarts: Counter<'informer'>;
  readonly informerRelists: Counter<'informer'>;
  readonly apiRetries: Counter<'client' | 'reason'>;
  readonly historyCollected: Counter<'kind' | 'reason'>;

  readonly scriptWorkers: Gauge;
  readonly scriptBuilds: Gauge;
  readonly scriptWorkersKilled: Counter;
  readonly scriptReplays: Counter;
  readonly scriptHibernated: Gauge;
  readonly scriptHibernations: Counter;
  readonly scriptWakes: Counter;

  #buildPhases: PhaseSource | undefined;
  #scriptStats: (() => ScriptStats) | undefined;
  #jobPhases: PhaseSource | undefined;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.reconciles = new Counter({
      name: 'brigade_reconcile_total',
      help: 'Reconciles by controller and result.',
      labelNames: ['controller', 'result'],
      registers,
    });
    this.reconcileSeconds = new Histogram({
      name: 'brigade_reconcile_duration_seconds',
      help: 'Reconcile duration.',
      labelNames: ['controller'],
      registers,
    });
    this.scriptStartSeconds = new Histogram({
      name: 'brigade_script_start_seconds',
      help: "From a build's start to its handler's first job request (or its end): sandbox start and the handler's synchronous part.",
      buckets: [0.001, 0.0025, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    this.reconcileErrors = new Counter({
      name: 'brigade_reconcile_errors_total',
      help: 'Reconciles that failed (retried or terminal).',
      labelNames: ['controller'],
      registers,
    });
    this.informerRelists = new Counter({
      name: 'brigade_informer_relists_total',
      help: 'Full lists after the first (the watch version had expired: 410 Gone).',
      labelNames: ['informer'],
      registers,
    });
    this.apiRetries = new Counter({
      name: 'brigade_api_retries_total',
      help: 'API requests sent again after a transient failure, by client (controller) and reason.',
      labelNames: ['client', 'reason'],
      registers,
    });
    this.historyCollected = new Counter({
      name: 'brigade_history_collected_total',
      help: 'Objects the build history policy deleted, by kind (Build, Event, and the Job CRs that went with the builds) and reason (Limit, TTL).',
      labelNames: ['kind', 'reason'],
      registers,
    });
    this.queueDepth = new Gauge({
      name: 'brigade_workqueue_depth',
      help: 'Keys waiting in the work queue.',
      labelNames: ['controller'],
      registers,
    });
    // Computed from the informer caches at scrape time, so they can never drift from the objects.
    this.builds = new Gauge({
      name: 'brigade_builds',
      help: 'Builds in the cache by phase.',
      labelNames: ['phase'],
      registers,
      // An arrow, so `this` stays the metrics object; the gauge is this.builds by the first scrape.
      collect: () => {
        if (this.#buildPhases) OperatorMetrics.setPhases(this.builds, this.#buildPhases());
      },
    });
    this.jobs = new Gauge({
      name: 'brigade_jobs',
      help: 'Job CRs in the cache by phase.',
      labelNames: ['phase'],
      registers,
      collect: () => {
        if (this.#jobPhases) OperatorMetrics.setPhases(this.jobs, this.#jobPhases());
      },
    });
    this.informerRestarts = new Counter({
      name: 'brigade_informer_restarts_total',
      help: 'Informer restarts after watch errors.',
      labelNames: ['informer'],
      registers,
    });
    // The script engine keeps its own counts; these read them at scrape time.
    const stat = (pick: (s: ScriptStats) => number): number | undefined =>
      this.#scriptStats ? pick(this.#scriptStats()) : undefined;
    this.scriptWorkers = gaugeOf(registers, stat, {
      name: 'brigade_script_workers',
      help: 'Worker threads evaluating brigade.js scripts.',
      pick: (s) => s.workers,
    });
    this.scriptBuilds = gaugeOf(registers, stat, {
      name: 'brigade_script_builds_in_flight',
      help: 'Builds whose script is loaded in the sandbox (running or waiting on jobs).',
      pick: (s) => s.liveBuilds,
    });
    this.scriptWorkersKilled = counterOf(registers, stat, {
      name: 'brigade_script_workers_killed_total',
      help: 'Workers the watchdog killed because a script overran its CPU budget inside one built-in.',
      pick: (s) => s.workersKilled,
    });
    this.scriptReplays = counterOf(registers, stat, {
      name: 'brigade_script_replays_total',
      help: 'Builds re-evaluated on a fresh worker after their worker was killed.',
      pick: (s) => s.replays,
    });
    this.scriptHibernated = gaugeOf(registers, stat, {
      name: 'brigade_script_builds_hibernated',
      help: 'Builds waiting on jobs whose sandbox was freed (past the resident bound); replayed when a job ends.',
      pick: (s) => s.hibernatedBuilds,
    });
    this.scriptHibernations = counterOf(registers, stat, {
      name: 'brigade_script_hibernations_total',
      help: 'Sandboxes of builds waiting on jobs freed past the resident bound.',
      pick: (s) => s.hibernations,
    });
    this.scriptWakes = counterOf(registers, stat, {
      name: 'brigade_script_wakes_total',
      help: 'Hibernated builds replayed because a job they wait on ended.',
      pick: (s) => s.wakes,
    });
    if (options.defaultMetrics) collectDefaultMetrics({ register: this.registry });
  }

  /** Where the by-phase gauges read their phases at scrape time (the informer caches). */
  setPhaseSources(sources: { builds: PhaseSource; jobs: PhaseSource }): void {
    this.#buildPhases = sources.builds;
    this.#jobPhases = sources.jobs;
  }

  /** Where the script-engine metrics read their values at scrape time. */
  setScriptStats(source: () => ScriptStats): void {
    this.#scriptStats = source;
  }

  observe(controller: string, outcome: 'success' | 'requeue' | 'error' | 'terminal', seconds: number): void {
    this.reconciles.inc({ controller, result: outcome });
    this.reconcileSeconds.observe({ controller }, seconds);
    if (outcome === 'error' || outcome === 'terminal') this.reconcileErrors.inc({ controller });
  }

  depth(controller: string, depth: number): void {
    this.queueDepth.set({ controller }, depth);
  }

  /** Sets a by-phase gauge from a list of phases (called by the build/job controllers' collectors). */
  static setPhases(gauge: Gauge<'phase'>, phases: readonly (string | undefined)[]): void {
    gauge.reset();
    const counts = new Map<string, number>();
    for (const p of phases) counts.set(p ?? 'Pending', (counts.get(p ?? 'Pending') ?? 0) + 1);
    for (const [phase, n] of counts) gauge.set({ phase }, n);
  }
}

/** A gauge that reads a figure of the script engine at scrape time. */
function gaugeOf(
  registers: Registry[],
  stat: (pick: (s: ScriptStats) => number) => number | undefined,
  o: { name: string; help: string; pick: (s: ScriptStats) => number },
): Gauge {
  return new Gauge({
    name: o.name,
    help: o.help,
    registers,
    collect() {
      const v = stat(o.pick);
      if (v !== undefined) this.set(v);
    },
  });
}

/** A counter that reads a running total of the script engine at scrape time. */
function counterOf(
  registers: Registry[],
  stat: (pick: (s: ScriptStats) => number) => number | undefined,
  o: { name: string; help: string; pick: (s: ScriptStats) => number },
): Counter {
  return new Counter({
    name: o.name,
    help: o.help,
    registers,
    collect() {
      const v = stat(o.pick);
      if (v !== undefined) {
        this.reset();
        this.inc(v);
      }
    },
  });
}
