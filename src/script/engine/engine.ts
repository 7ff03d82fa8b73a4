/**
 * The script engine: a small pool of sandbox workers, each hosting many builds (one QuickJS instance
 * per build), a watchdog that terminates a worker stuck in a long built-in, and replay of the other
 * builds of a terminated worker on a fresh one. See docs/adr/0001-quickjs-sandbox.md.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { BRIDGE_CAPS, DEFAULT_LIMITS, INSPECT_LIMITS, REPLAY_CAPS } from '../defaults.ts';
import type { FromWorker, SandboxResult } from '../protocol.ts';
import type {
  ReplayRecord,
  BuildOutcome,
  InspectOptions,
  InspectResult,
  RunBuildOptions,
  ScriptEngine,
  ScriptEngineOptions,
  ScriptEngineStats,
  ScriptLimits,
  ScriptPackages,
} from '../types.ts';
import { BuildSession, type BuildSessionOptions } from './build-session.ts';
import { ScriptEngineClosedError, ScriptOptionsError } from './errors.ts';
import { SandboxWorker } from './sandbox-worker.ts';

/**
 * Two workers where there are cores to spare, one on a machine of two cores or fewer: each worker is
 * a V8 isolate with its own compiled QuickJS module (about 40 MiB), and the main thread, busy with
 * the API, needs the other core more than scripts, which mostly wait on jobs, need a second thread.
 */
const DEFAULT_WORKERS = availableParallelism() > 2 ? 2 : 1;
const DEFAULT_WATCHDOG_INTERVAL_MS = 50;
/** How far past its CPU deadline guest code may run before the watchdog kills its worker. */
const WATCHDOG_GRACE_MS = 250;
/** A build whose incarnations keep losing their worker is failed after this many. */
const MAX_INCARNATIONS = 4;
/**
 * Builds whose sandboxes stay resident; past this, those that have waited only on jobs the longest
 * are hibernated (their sandbox freed, replayed when a job they wait on ends). About 1 MiB each.
 */
const DEFAULT_MAX_RESIDENT_BUILDS = 50;
/** A build is hibernated only after waiting this long on its jobs with nothing else to do. */
const DEFAULT_HIBERNATE_AFTER_MS = 2000;
/** Smallest memory cap: the QuickJS-ng WebAssembly module declares 16 MiB of initial memory. */
const MIN_MEMORY_BYTES = 16 * 1024 * 1024;

function positive(value: number | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new ScriptOptionsError(`${what} must be a positive number`);
  return value;
}

function resolveLimits(limits: ScriptLimits | undefined, defaults: Required<ScriptLimits>): Required<ScriptLimits> {
  return {
    memoryBytes: Math.max(MIN_MEMORY_BYTES, positive(limits?.memoryBytes, defaults.memoryBytes, 'limits.memoryBytes')),
    cpuMs: positive(limits?.cpuMs, defaults.cpuMs, 'limits.cpuMs'),
    wallMs: positive(limits?.wallMs, defaults.wallMs, 'limits.wallMs'),
  };
}

/** The caller's record, checked; without one a fresh seed (a build evaluated for the first time). */
function replayRecord(record: ReplayRecord | undefined): ReplayRecord {
  const seed =
    typeof record?.seed === 'string' && record.seed.length > 0
      ? record.seed.slice(0, REPLAY_CAPS.seedLength)
      : randomUUID();
  const clock = Array.isArray(record?.clock)
    ? record.clock.filter((v) => typeof v === 'number' && Number.isFinite(v)).slice(0, REPLAY_CAPS.clockValues)
    : [];
  return { seed, clock };
}

function checkScript(script: unknown): string {
  if (typeof script !== 'string') throw new ScriptOptionsError('script must be a string');
  if (script.length > BRIDGE_CAPS.script)
    throw new ScriptOptionsError(`script is longer than ${BRIDGE_CAPS.script} characters`);
  return script;
}

/** Relative, '/'-separated, no '.' or '..' segments, no backslashes: a key the sandbox can look up as is. */
const FILE_PATH = /^[A-Za-z0-9_-][A-Za-z0-9._-]*(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/;

function checkFiles(files: unknown): Record<string, string> {
  if (files === undefined) return {};
  if (typeof files !== 'object' || files === null || Array.isArray(files))
    throw new ScriptOptionsError('files must be an object of path -> source');
  const out: Record<string, string> = {};
  let chars = 0;
  const entries = Object.entries(files as Record<string, unknown>);
  if (entries.length > BRIDGE_CAPS.files)
    throw new ScriptOptionsError(`at most ${BRIDGE_CAPS.files} files may be given`);
  for (const [path, source] of entries) {
    if (!FILE_PATH.test(path) || path.length > 253)
      throw new ScriptOptionsError(
        `file path ${JSON.stringify(path.slice(0, 100))} is not a relative path without . or .. segments`,
      );
    if (typeof source !== 'string') throw new ScriptOptionsError(`file ${path} must be a string`);
    chars += source.length;
    out[path] = source;
  }
  if (chars > BRIDGE_CAPS.filesChars)
    throw new ScriptOptionsError(`the files hold more than ${BRIDGE_CAPS.filesChars} characters`);
  return out;
}

const PACKAGE_KEY = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*@[0-9A-Za-z.+-]+$/;

function checkPackages(packages: unknown): ScriptPackages {
  if (packages === undefined) return { roots: {}, packages: {} };
  const given = packages as ScriptPackages;
  if (typeof given !== 'object' || typeof given.roots !== 'object' || typeof given.packages !== 'object')
    throw new ScriptOptionsError('packages must be { roots, packages }');
  const entries = Object.entries(given.packages);
  if (entries.length > BRIDGE_CAPS.packages)
    throw new ScriptOptionsError(`at most ${BRIDGE_CAPS.packages} packages may be given`);
  let chars = 0;
  const keys = new Set(entries.map(([key]) => key));
  const known = (deps: Record<string, string> | undefined, what: string): void => {
    for (const key of Object.values(deps ?? {}))
      if (!keys.has(key)) throw new ScriptOptionsError(`${what} refers to package ${key}, which is not given`);
  };
  known(given.roots, 'packages.roots');
  for (const [key, pkg] of entries) {
    if (!PACKAGE_KEY.test(key))
      throw new ScriptOptionsError(`package key ${JSON.stringify(key.slice(0, 100))} is not name@version`);
    known(pkg.dependencies, `package ${key}`);
    for (const [path, source] of Object.entries(pkg.files)) {
      if (!FILE_PATH.test(path) || typeof source !== 'string')
        throw new ScriptOptionsError(`package ${key} has an invalid file ${JSON.stringify(path.slice(0, 100))}`);
      chars += source.length;
    }
  }
  if (chars > BRIDGE_CAPS.packagesChars)
    throw new ScriptOptionsError(`the packages hold more than ${BRIDGE_CAPS.packagesChars} characters`);
  return given;
}

export class ScriptEngineImpl implements ScriptEngine {
  readonly #maxWorkers: number;
  readonly #workers: SandboxWorker[] = [];
  readonly #sessions = new Map<number, { session: BuildSession; worker: SandboxWorker }>();
  readonly #watchdog: NodeJS.Timeout;
  #nextId = 1;
  #closed = false;
  #workersKilled = 0;
  #replays = 0;
  /** Sessions without an incarnation until an answer wakes them. */
  readonly #asleep = new Set<BuildSession>();
  /** Incarnation ids with a hibernate request at their worker. */
  readonly #asked = new Set<number>();
  #hibernations = 0;
  #wakes = 0;
  readonly #maxResident: number;
  readonly #hibernateAfterMs: number;
  readonly #onBuildStarted: ((seconds: number) => void) | undefined;

  constructor(opts: ScriptEngineOptions) {
    this.#onBuildStarted = opts.onBuildStarted;
    this.#maxResident = Math.floor(positive(opts.maxResidentBuilds, DEFAULT_MAX_RESIDENT_BUILDS, 'maxResidentBuilds'));
    this.#hibernateAfterMs = positive(opts.hibernateAfterMs, DEFAULT_HIBERNATE_AFTER_MS, 'hibernateAfterMs');
    this.#maxWorkers = Math.max(1, Math.floor(positive(opts.workers, DEFAULT_WORKERS, 'workers')));
    const interval = positive(opts.watchdogIntervalMs, DEFAULT_WATCHDOG_INTERVAL_MS, 'watchdogIntervalMs');
    this.#watchdog = setInterval(() => {
      this.#checkWorkers();
      this.#hibernateIdle();
    }, interval);
    this.#watchdog.unref();
  }

  runBuild(opts: RunBuildOptions): Promise<BuildOutcome> {
    return new Promise<BuildOutcome>((resolve) => {
      const limits = resolveLimits(opts.limits, DEFAULT_LIMITS);
      this.#open({
        kind: 'run',
        script: checkScript(opts.script),
        files: checkFiles(opts.files),
        packages: checkPackages(opts.packages),
        eventJson: JSON.stringify(opts.event),
        projectJson: JSON.stringify(opts.project),
        limits: { memoryBytes: limits.memoryBytes, cpuMs: limits.cpuMs },
        wallMs: limits.wallMs,
        host: opts.host,
        replay: replayRecord(opts.replay),
        secrets: Object.values(opts.project.secrets),
        ...(opts.signal ? { signal: opts.signal } : {}),
        settle: (_s, result) => {
          resolve(toBuildOutcome(result));
        },
      });
    });
  }

  inspectScript(script: string, opts?: InspectOptions): Promise<InspectResult> {
    return new Promise<InspectResult>((resolve) => {
      const limits = resolveLimits(opts?.limits, INSPECT_LIMITS);
      this.#open({
        kind: 'inspect',
        script: checkScript(script),
        files: checkFiles(opts?.files),
        packages: checkPackages(opts?.packages),
        eventJson: '{}',
        projectJson: '{}',
        limits: { memoryBytes: limits.memoryBytes, cpuMs: limits.cpuMs },
        wallMs: limits.wallMs,
        replay: replayRecord(undefined),
        secrets: [],
        settle: (_s, result) => {
          resolve(toInspectResult(result));
        },
      });
    });
  }

  stats(): ScriptEngineStats {
    return {
      workers: this.#workers.filter((w) => !w.gone).length,
      liveBuilds: this.#sessions.size,
      hibernatedBuilds: this.#asleep.size,
      workersKilled: this.#workersKilled,
      replays: this.#replays,
      hibernations: this.#hibernations,
      wakes: this.#wakes,
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#watchdog);
    for (const session of [...[...this.#sessions.values()].map((e) => e.session), ...this.#asleep])
      session.fail('Cancelled', 'the script engine was shut down');
    const workers = this.#workers.splice(0);
    await Promise.all(workers.map((w) => w.terminate()));
  }

  #open(opts: BuildSessionOptions): void {
    if (this.#closed) throw new ScriptEngineClosedError();
    const onStarted = this.#onBuildStarted;
    const session = new BuildSession({
      ...opts,
      ...(onStarted && opts.kind === 'run' ? { onStarted } : {}),
      wake: (s) => {
        this.#asleep.delete(s);
        if (this.#closed) return;
        this.#wakes++;
        this.#place(s, true);
      },
      settle: (s, result) => {
        this.#forget(s);
        opts.settle(s, result);
      },
    });
    this.#place(session);
  }

  #place(session: BuildSession, wake = false): void {
    if (session.finished) return;
    if (!wake && session.incarnations >= MAX_INCARNATIONS) {
      session.fail('SandboxError', `the build's sandbox worker was lost ${session.incarnations} times`);
      return;
    }
    const worker = this.#pickWorker();
    const id = this.#nextId++;
    this.#sessions.set(id, { session, worker });
    worker.add(id);
    session.place(
      {
        id,
        send: (message) => {
          worker.send(message);
        },
      },
      wake,
    );
  }

  /**
   * Past the resident bound, asks the workers to free the sandboxes of the builds that have waited
   * only on their jobs the longest (see HostedBuild.hibernate). Memory then follows the bound, not
   * the number of builds in flight; the cost is a replay when a job such a build waits on ends.
   */
  #hibernateIdle(): void {
    const excess = this.#sessions.size - this.#asked.size - this.#maxResident;
    if (excess <= 0) return;
    const now = performance.now();
    const idle = [...this.#sessions]
      .filter(([id, e]) => !this.#asked.has(id) && e.session.canHibernate(now, this.#hibernateAfterMs))
      .sort(([, a], [, b]) => a.session.lastActivityAt - b.session.lastActivityAt)
      .slice(0, excess);
    for (const [id, { session, worker }] of idle) {
      this.#asked.add(id);
      session.hibernateAsked();
      worker.send({ type: 'hibernate', id });
    }
  }

  #pickWorker(): SandboxWorker {
    const live = this.#workers.filter((w) => !w.gone);
    if (live.length < this.#maxWorkers) {
      const worker = new SandboxWorker({
        message: (w, m) => {
          this.#onMessage(w, m);
        },
        exit: (w, culprit, detail) => {
          this.#onExit(w, culprit, detail);
        },
      });
      this.#workers.push(worker);
      return worker;
    }
    return live.reduce((a, b) => (b.builds.size < a.builds.size ? b : a));
  }

  #forget(session: BuildSession): void {
    this.#asleep.delete(session);
    for (const [id, entry] of this.#sessions) {
      if (entry.session === session) {
        this.#sessions.delete(id);
        this.#asked.delete(id);
        entry.worker.remove(id);
      }
    }
  }

  #onMessage(worker: SandboxWorker, message: FromWorker): void {
    if (message.type === 'ready') return;
    const entry = this.#sessions.get(message.id);
    if (!entry || entry.worker !== worker) return;
    switch (message.type) {
      case 'runJob':
        entry.session.onRunJob(message.callId, message.requestJson, message.clock);
        return;
      case 'jobLogs':
        entry.session.onJobLogs(message.callId, message.name);
        return;
      case 'log':
        entry.session.onLog(message.level, message.text);
        return;
      case 'done':
        entry.session.onDone(message.result);
        return;
      case 'hibernated':
        this.#asked.delete(message.id);
        this.#sessions.delete(message.id);
        worker.remove(message.id);
        this.#hibernations++;
        this.#asleep.add(entry.session);
        entry.session.hibernated();
        return;
      case 'awake':
        this.#asked.delete(message.id);
        entry.session.hibernateRefused();
        return;
    }
  }

  /** A worker died: the build that overran fails, the others re-run from scratch elsewhere. */
  #onExit(worker: SandboxWorker, culprit: number | undefined, detail: string): void {
    const index = this.#workers.indexOf(worker);
    if (index >= 0) this.#workers.splice(index, 1);
    if (culprit !== undefined) this.#workersKilled++;
    const orphans = [...worker.builds];
    for (const id of orphans) {
      const entry = this.#sessions.get(id);
      this.#sessions.delete(id);
      this.#asked.delete(id);
      worker.remove(id);
      if (!entry || entry.session.finished) continue;
      entry.session.unplace();
      if (id === culprit) {
        entry.session.fail(
          'CpuLimit',
          'the script spent longer than its CPU time budget inside one built-in operation; its sandbox was terminated',
        );
      } else if (!this.#closed) {
        this.#replays++;
        this.#place(entry.session);
      } else {
        entry.session.fail('Cancelled', `the script engine was shut down (${detail})`);
      }
    }
  }

  #checkWorkers(): void {
    const now = Date.now();
    for (const worker of this.#workers) worker.checkWatchdog(now, WATCHDOG_GRACE_MS);
  }
}

function toBuildOutcome(result: SandboxResult): BuildOutcome {
  if (result.kind === 'run') return { status: result.status, reason: result.reason, message: result.message };
  return { status: 'Failed', reason: 'SandboxError', message: 'internal error: inspection result for a build' };
}

function toInspectResult(result: SandboxResult): InspectResult {
  if (result.kind !== 'inspect') return { ok: false, reason: 'SandboxLimit', message: result.message };
  if (result.ok) return { ok: true, handlers: result.handlers };
  return {
    ok: false,
    message: result.message,
    reason: result.reason ?? 'SandboxLimit',
    ...(result.line === undefined ? {} : { line: result.line }),
    ...(result.column === undefined ? {} : { column: result.column }),
  };
}
