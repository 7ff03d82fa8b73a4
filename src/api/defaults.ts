// One source of truth for default values. The CRD schemas embed the ones the API server fills in;
// the job translation and the controllers read the rest (those that merge with project jobDefaults
// cannot be schema defaults, or the project's own defaults could never apply).

export const DEFAULTS = {
  /** Brigade 1's default shell for a job's tasks. */
  shell: '/bin/sh',
  /** Where a job's source checkout is mounted (brigadier Job.mountPath). */
  mountPath: '/src',
  /** brigadier's job timeout: 15 minutes. */
  jobTimeoutSeconds: 900,
  /** How long a whole build may run before it is TimedOut. */
  buildTimeoutSeconds: 3600,
  /** How long a finished child batch/v1 Job (and its pod) is kept; the log tail is kept on the Job CR. */
  ttlSecondsAfterFinished: 3600,
  /** Build storage PVC size (Brigade 1's default). */
  buildStorageSize: '50Mi',
  /** Where build storage is mounted in every job that asks for it (brigadier JobStorage.path). */
  buildStoragePath: '/mnt/brigade/share',
  /** Job cache PVC size (brigadier JobCache.size). */
  cacheSize: '5Mi',
  /** Where a job's cache is mounted (brigadier JobCache.path). */
  cachePath: '/mnt/brigade/cache',
  /** Event type of a generic webhook delivery when the project does not configure one. */
  webhookEventType: 'webhook',
  /** Provider recorded on an Event created without one (kubectl apply of a hand-written Event). */
  eventProvider: 'manual',
  /** Upper bound, in characters, of a log tail stored in a Build or Job status. */
  logTailChars: 16384,
  /** Upper bound of a log tail the schema accepts (a little above logTailChars, for the marker line). */
  logTailMaxLength: 20000,
  /** How much of a job's log is kept (bytes, after redaction) when neither the project nor the operator says. */
  maxJobLogBytes: 8 * 1024 * 1024,
  /** The smallest per-project job log cap the schema accepts. */
  minJobLogBytes: 1024,
  /** The largest per-project job log cap the schema accepts (64 ConfigMaps of kept log per job). */
  maxJobLogBytesLimit: 64 * 1024 * 1024,
  /** The docker socket mounted for `docker.enabled` jobs. */
  dockerSocketPath: '/var/run/docker.sock',
  /**
   * Clock readings (Date.now, new Date, performance.now) a build records for deterministic replay;
   * later readings are live on a replay too.
   */
  replayClockValues: 512,
  /** Image that clones the source in an init container on regular nodes. */
  gitImage: 'alpine/git:2.47.2',
} as const;

/**
 * The shells that get Brigade 1's safety prelude (`set -e`; bash also `-o pipefail`). A job may name
 * any other shell, as in Brigade 1; it runs the tasks as `<shell> -c <script>` without a prelude.
 */
export const PRELUDE_SHELLS = ['/bin/sh', '/bin/bash'] as const;
export type Shell = string;
/** A shell is one word (a path or a command name): it becomes the container command's first element. */
export const SHELL_PATTERN = '^[^\\s]+$';
