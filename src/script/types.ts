/**
 * Public types of the brigade.js script runtime. Everything here is JSON-safe: it crosses a worker
 * thread boundary and, for JobRequest, becomes a Job CR spec.
 */

/** A reference to a key of a Secret or ConfigMap, as a brigade.js `env` value may carry. */
export interface KeyRef {
  name: string;
  key: string;
}

/** A field of the job's own pod (downward API), e.g. `metadata.name`, `status.podIP`. */
export interface FieldRef {
  fieldPath: string;
  apiVersion?: string;
}

/** One `env` value of a brigadier Job: a literal, or a reference the kubelet resolves. */
export type JobEnvValue = string | { secretKeyRef: KeyRef } | { configMapKeyRef: KeyRef } | { fieldRef: FieldRef };

/**
 * The job as the script defined it: every property of Brigade 1.x's brigadier `Job`, with Brigade's
 * defaults filled in. The controller turns it into a Job CR; the script runtime never validates it
 * against project policy (privileged, docker, host mounts): that is the controller's call.
 */
export interface JobRequest {
  /** 2..36 characters, lowercase alphanumerics and '-', starts with a letter, ends alphanumeric. */
  name: string;
  /** Container image; `DEFAULT_JOB_IMAGE` when the script set none (see `imageDefaulted`). */
  image: string;
  /** True when the script did not choose an image, so the project's jobDefaults.image may apply. */
  imageDefaulted: boolean;
  imageForcePull: boolean;
  imagePullSecrets: string[];
  /** Commands run in order by `shell` with `set -e` (bash: `set -eo pipefail`). */
  tasks: string[];
  /** Default `/bin/sh`. */
  shell: string;
  /** Arguments for the container entrypoint. */
  args: string[];
  env: Record<string, JobEnvValue>;
  /** Where the source is checked out; default `/src`. */
  mountPath: string;
  /** Job timeout in milliseconds; default 15 minutes. */
  timeout: number;
  /** Check out the project's repo at the event's revision; default true. */
  useSource: boolean;
  privileged: boolean;
  host: { os?: string; name?: string; nodeSelector: Record<string, string> };
  docker: { enabled: boolean };
  /** Per-job cache PVC; default disabled, size `5Mi`, path `/mnt/brigade/cache`. */
  cache: { enabled: boolean; size: string; path: string };
  /** Build-wide shared storage; default disabled, path `/mnt/brigade/share`. */
  storage: { enabled: boolean; path: string };
  serviceAccount?: string;
  annotations: Record<string, string>;
  resourceRequests: { cpu?: string; memory?: string };
  resourceLimits: { cpu?: string; memory?: string };
  /** Kubernetes V1Volume objects as the script gave them (validated by the controller). */
  volumes: unknown[];
  /** Kubernetes V1VolumeMount objects as the script gave them (validated by the controller). */
  volumeMounts: unknown[];
  streamLogs: boolean;
}

/** What the host reports back for one job. */
export interface JobOutcome {
  succeeded: boolean;
  /** The job's log; the script sees it as `Result.toString()`. Capped by the runtime. */
  log: string;
  /** Why the job failed (shown to the script as the rejection's message). Never a secret. */
  message?: string;
  /** Pod name, the value of `job.podName` once known. */
  podName?: string;
}

export type ScriptLogLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

/**
 * The controller's side of a build. Implementations must be idempotent per job name within one build:
 * a build may be evaluated again from scratch (operator restart, or its sandbox worker was replaced),
 * and `runJob` for a name that already exists must attach to that job (or return its recorded
 * outcome), never start it twice.
 */
export interface ScriptHost {
  /**
   * Runs (or, on replay, attaches to) the job named request.name in this build. `signal` aborts when
   * the evaluation that asked is replaced by a replay (which asks again), and when the build ends or
   * its own signal aborts: stop waiting then, the job itself goes on.
   */
  runJob(request: JobRequest, opts?: { signal?: AbortSignal }): Promise<JobOutcome>;
  /** Console output of the script (already capped per line). Must not throw. */
  log(level: ScriptLogLevel, text: string): void;
  /**
   * `job.logs()` of a job of this build that is still running: its log so far (redacted by the
   * engine too). Optional: without it, `logs()` of a running job resolves when the job ends.
   */
  jobLogs?(name: string): Promise<string>;
  /**
   * Keeps the replay record (see ReplayRecord) with the build. Called, and awaited, before runJob
   * whenever the script drew clock values since the last call, so a job whose name or spec depends on
   * them is only ever started after the values it depends on are kept. Optional: without it a replay
   * sees fresh values.
   */
  recordReplay?(record: ReplayRecord): Promise<void>;
}

/**
 * What makes a replay see what the first evaluation saw: `Math.random()` is a generator seeded
 * with `seed`, and `Date.now()`, `new Date()` and `performance.now()` return the recorded `clock`
 * readings (epoch milliseconds) in order, then live readings (recorded too, up to
 * REPLAY_CAPS.clockValues).
 */
export interface ReplayRecord {
  seed: string;
  clock: number[];
}

/**
 * The `cause` of an `after` or `error` event, as Brigade 1 set it. Inside the script, `reason` is an
 * Error carrying this message when the build failed (Brigade passed the error itself), '' on success.
 */
export interface ScriptCause {
  /** The triggering event (the event the main handler ran for). */
  event?: ScriptEvent;
  /** Error message of the failure, or '' on success. */
  reason: string;
  /** 'success', 'unhandledRejection' (a job failure nobody handled) or 'handlerError' (the handler threw or rejected). */
  trigger: string;
  /** The build failure reason, when it failed. */
  failure?: BuildFailureReason;
}

/** The event a handler receives (Brigade 1 `BrigadeEvent`). */
export interface ScriptEvent {
  buildID: string;
  workerID?: string;
  type: string;
  provider: string;
  revision: { commit?: string; ref?: string };
  /** The payload as received (a string; scripts JSON.parse it themselves). */
  payload: string;
  cause?: ScriptCause;
  /** Brigade 1 compatibility: the Event's labels, if any. */
  labels?: Record<string, string>;
}

/** The project a handler receives (Brigade 1 `Project`). */
export interface ScriptProject {
  id: string;
  name: string;
  repo: { name: string; cloneURL: string; initGitSubmodules?: boolean };
  /** The project's secret values. Visible to the script by design; never log them. */
  secrets: Record<string, string>;
  kubernetes: { namespace: string; vcsSidecar?: string; buildStorageSize?: string };
  allowPrivilegedJobs?: boolean;
  allowHostMounts?: boolean;
}

export type BuildFailureReason =
  | 'HandlerFailed'
  | 'JobFailed'
  | 'Timeout'
  | 'CpuLimit'
  | 'OutOfMemory'
  | 'SyntaxError'
  | 'NoHandler'
  | 'Cancelled'
  | 'SandboxError';

/** How a build ended. `reason` is 'Completed' on success. */
export interface BuildOutcome {
  status: 'Succeeded' | 'Failed';
  reason: 'Completed' | BuildFailureReason;
  /** Human-readable, scrubbed; never contains secret values the runtime knows. */
  message: string;
}

/** Per-build sandbox limits. Defaults in `DEFAULT_LIMITS`. */
export interface ScriptLimits {
  /** Hard cap on the build's WebAssembly linear memory (rounded up to 64 KiB pages). */
  memoryBytes?: number;
  /** CPU time the build may spend evaluating script code (not waiting for jobs). */
  cpuMs?: number;
  /** Wall-clock bound of the whole build, jobs included. */
  wallMs?: number;
}

/**
 * Files beside the script, path -> source (e.g. `lib/notify.js`, `config.json`): what
 * `require('./lib/notify')` resolves to. Paths are relative, '/'-separated, without `.`/`..`.
 */
export type ScriptFiles = Record<string, string>;

/** One npm package the script may require: its files (path inside the package -> source). */
export interface ScriptPackage {
  main?: string;
  /** Its own dependencies: name -> key (`name@version`) in ScriptPackages.packages. */
  dependencies?: Record<string, string>;
  files: Record<string, string>;
}

/** The npm dependencies of a script: `require('name')` from brigade.js looks in `roots`. */
export interface ScriptPackages {
  roots: Record<string, string>;
  /** key (`name@version`) -> package. */
  packages: Record<string, ScriptPackage>;
}

export interface RunBuildOptions {
  script: string;
  files?: ScriptFiles;
  packages?: ScriptPackages;
  event: ScriptEvent;
  project: ScriptProject;
  host: ScriptHost;
  limits?: ScriptLimits;
  /** The record of an earlier evaluation of this build (a replay); a fresh build passes only a seed. */
  replay?: ReplayRecord;
  /** Aborting cancels the build (reason 'Cancelled', or 'Timeout' if the abort reason is a TimeoutError). */
  signal?: AbortSignal;
}

export interface InspectOptions {
  limits?: ScriptLimits;
  files?: ScriptFiles;
  packages?: ScriptPackages;
}

/**
 * Why inspection failed: the script does not compile; its top level required a module that does not
 * exist or that the sandbox refuses; it threw; or it hit a sandbox limit (CPU, memory, time).
 */
export type InspectFailureReason =
  'SyntaxError' | 'ModuleNotFound' | 'ModuleRefused' | 'TopLevelError' | 'SandboxLimit';

export type InspectResult =
  | { ok: true; handlers: string[] }
  | { ok: false; message: string; line?: number; column?: number; reason?: InspectFailureReason };

export interface ScriptEngineOptions {
  /**
   * Worker threads hosting sandboxes; default 2, or 1 on a machine of two cores or fewer. Builds
   * waiting on jobs cost memory, not threads.
   */
  workers?: number;
  /** How often the watchdog checks for a stuck worker; default 50 ms. */
  watchdogIntervalMs?: number;
  /**
   * Told, once per build, how long it took from runBuild to the handler's first job request (or to
   * its end, if it asks for none): the sandbox start plus the handler's synchronous part, queueing
   * for a worker included. The operator exports it as a histogram.
   */
  onBuildStarted?: (seconds: number) => void;
  /**
   * Builds whose sandboxes stay in memory (default 50, about 1 MiB each); past it, the builds that
   * have waited only on their jobs the longest are hibernated: the sandbox is freed and the script
   * replayed, deterministically, when a job it waits on ends.
   */
  maxResidentBuilds?: number;
  /** How long a build waits only on its jobs before it may be hibernated; default 2000 ms. */
  hibernateAfterMs?: number;
}

export interface ScriptEngineStats {
  workers: number;
  /** Builds currently hosted (evaluating or waiting on jobs). */
  liveBuilds: number;
  /** Workers the watchdog terminated since start. */
  workersKilled: number;
  /** Builds re-run from scratch because their worker was terminated. */
  replays: number;
  /** Builds hibernated now: no sandbox until a job they wait on ends. */
  hibernatedBuilds: number;
  /** Sandboxes freed by hibernation, and builds replayed to wake from it, since start. */
  hibernations: number;
  wakes: number;
}

export interface ScriptEngine {
  runBuild(opts: RunBuildOptions): Promise<BuildOutcome>;
  /**
   * For the Project reconciler: compile the script (syntax errors with line/column) and evaluate its
   * top level under tight limits, to learn the event types registered via `events.on`. Jobs started
   * at top level are never run.
   */
  inspectScript(script: string, opts?: InspectOptions): Promise<InspectResult>;
  stats(): ScriptEngineStats;
  /** Fails hosted builds with reason 'Cancelled' and stops the workers. */
  close(): Promise<void>;
}
