/** Brigade 1.x defaults and the sandbox's default limits; one source of truth for both sides. */
import { DEFAULTS } from '../api/defaults.ts';

/** Brigade 1.x brigadier's image when a Job sets none. */
export const DEFAULT_JOB_IMAGE = 'debian:jessie-slim';

/** Brigadier's limit: job names end up in pod names next to the build ID. */
export const JOB_NAME_MAX_LENGTH = 36;

export const DEFAULT_LIMITS = Object.freeze({
  /** 64 MiB of WebAssembly memory per build; QuickJS itself needs ~1 MiB. */
  memoryBytes: 64 * 1024 * 1024,
  /** Evaluation time, not time spent waiting for jobs. */
  cpuMs: 10_000,
  /** One hour, jobs included. */
  wallMs: 60 * 60 * 1000,
});

/** Limits for inspectScript: top-level code only. */
export const INSPECT_LIMITS = Object.freeze({
  memoryBytes: 32 * 1024 * 1024,
  cpuMs: 2_000,
  wallMs: 10_000,
});

/** Bounds of the replay record kept with a build (ReplayRecord). */
export const REPLAY_CAPS = Object.freeze({
  /** Clock readings kept; readings after these are live on a replay too. */
  clockValues: DEFAULTS.replayClockValues,
  seedLength: 128,
});

/** Caps on what crosses the bridge (characters). */
export const BRIDGE_CAPS = Object.freeze({
  logLine: 16 * 1024,
  /** Console output one build may produce; later lines are dropped after one notice. */
  logCharsPerBuild: 8 * 1024 * 1024,
  jobRequest: 256 * 1024,
  /** A job's Result: the whole log the operator keeps by default (a larger project cap is cut here). */
  resultLog: DEFAULTS.maxJobLogBytes,
  errorMessage: 2 * 1024,
  /** Script source accepted by runBuild/inspectScript. */
  script: 1024 * 1024,
  /** Files beside the script: how many, and their sources together. */
  files: 256,
  filesChars: 1024 * 1024,
  /** npm packages: how many, and the sources of all their files together. */
  packages: 256,
  packagesChars: 16 * 1024 * 1024,
  /** Jobs one build may start (a runaway loop of run() calls). */
  jobsPerBuild: 1000,
  /** Timers (setTimeout, setInterval, setImmediate) one build may have pending at once. */
  timersPerBuild: 1000,
});
