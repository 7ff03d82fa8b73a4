// Pure decisions of the Build controller: the jobs summary recomputed from child Job CRs, the
// deadline, whether a queued build may start, and terminal statuses.
import { setCondition } from '../../api/conditions.ts';
import { DEFAULTS } from '../../api/defaults.ts';
import type { Build, BuildJobSummary, BuildPhase, BuildStatus, JobCR, Project } from '../../api/types.ts';
import { TERMINAL_BUILD_PHASES, TERMINAL_JOB_PHASES } from '../../api/types.ts';
import type { BuildOutcome } from '../../script/index.ts';
import { formatDuration } from '../../util/text.ts';

export const SUCCEEDED = 'Succeeded';

export const isTerminalBuild = (phase: BuildPhase | undefined): boolean =>
  phase !== undefined && TERMINAL_BUILD_PHASES.includes(phase);
export const isTerminalJob = (job: JobCR): boolean =>
  job.status?.phase !== undefined && TERMINAL_JOB_PHASES.includes(job.status.phase);

/** The per-job summary in start order (creation time, then name) and "done/total". */
export function jobsSummary(jobs: readonly JobCR[]): { jobs: BuildJobSummary[]; jobsSummary: string } {
  const sorted = [...jobs].sort(
    (a, b) =>
      (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
      a.spec.name.localeCompare(b.spec.name),
  );
  const summary = sorted.map((j) => ({
    name: j.spec.name,
    jobRef: j.metadata.name,
    phase: j.status?.phase ?? 'Pending',
    ...(j.status?.startTime ? { startTime: j.status.startTime } : {}),
    ...(j.status?.completionTime ? { completionTime: j.status.completionTime } : {}),
  }));
  return { jobs: summary, jobsSummary: jobsSummaryText(sorted) };
}

/**
 * The Jobs printer column: jobs that succeeded / all jobs, then how many failed (or timed out) and how
 * many were cancelled when any were, e.g. "1/3, 1 failed, 1 cancelled". (Counting finished jobs showed
 * 1/1 for a build whose one job failed; a job stopped by a cancel is not a failure of that job.)
 */
export function jobsSummaryText(jobs: readonly JobCR[]): string {
  const succeeded = jobs.filter((j) => j.status?.phase === 'Succeeded').length;
  const cancelled = jobs.filter((j) => j.status?.phase === 'Cancelled').length;
  const failed = jobs.filter(
    (j) => isTerminalJob(j) && !['Succeeded', 'Cancelled'].includes(j.status?.phase ?? ''),
  ).length;
  const notes = [...(failed > 0 ? [`${failed} failed`] : []), ...(cancelled > 0 ? [`${cancelled} cancelled`] : [])];
  return [`${succeeded}/${jobs.length}`, ...notes].join(', ');
}

export function buildTimeoutMs(project: Project | undefined): number {
  return (project?.spec.policy?.buildTimeoutSeconds ?? DEFAULTS.buildTimeoutSeconds) * 1000;
}

/** Epoch ms when the build times out, or undefined when it has not started. */
export function buildDeadline(build: Build, project: Project | undefined): number | undefined {
  const start = Date.parse(build.status?.startTime ?? '');
  return Number.isNaN(start) ? undefined : start + buildTimeoutMs(project);
}

export interface StartInput {
  build: Build;
  /** All builds of the project (cache), this one included. */
  siblings: readonly Build[];
  /** Builds of the project with a live script session in this operator (they count as running). */
  liveSessions: ReadonlySet<string>;
  maxConcurrent: number | undefined;
}

/**
 * Whether a Pending build may start now: without a limit always; with one, when fewer builds run
 * than the limit and this build is among the oldest waiting ones that fit (first come, first served).
 */
export function mayStart(input: StartInput): boolean {
  const { build, siblings, liveSessions, maxConcurrent } = input;
  if (maxConcurrent === undefined) return true;
  // A build whose terminal status is already observed frees its slot even while its session is still
  // being torn down: the informer can deliver that status (and wake the queued builds) before the
  // reconcile that wrote it has removed the session, and no later event would wake them again.
  const running = siblings.filter(
    (b) =>
      !isTerminalBuild(b.status?.phase) && (b.status?.phase === 'Running' || liveSessions.has(b.metadata.name ?? '')),
  ).length;
  const free = maxConcurrent - running;
  if (free <= 0) return false;
  const waiting = siblings
    .filter(
      (b) =>
        !isTerminalBuild(b.status?.phase) &&
        b.status?.phase !== 'Running' &&
        !liveSessions.has(b.metadata.name ?? '') &&
        !b.spec.cancel,
    )
    .sort(
      (a, b) =>
        (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') ||
        (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''),
    );
  return waiting.slice(0, free).some((b) => b.metadata.name === build.metadata.name);
}

/** Annotation on a build cancelled because a newer build of the same project and ref superseded it. */
export const SUPERSEDED_BY = 'brigade.sh/superseded-by';

/**
 * With policy.supersede: the builds a new build replaces — older, unfinished, not yet cancelled builds
 * of the same project for the same revision ref (builds without a ref share the empty ref).
 */
export function supersededBy(build: Build, siblings: readonly Build[]): Build[] {
  const ref = build.spec.revision?.ref ?? '';
  const created = build.metadata.creationTimestamp ?? '';
  return siblings.filter(
    (b) =>
      b.metadata.name !== build.metadata.name &&
      (b.spec.revision?.ref ?? '') === ref &&
      !b.spec.cancel &&
      !isTerminalBuild(b.status?.phase) &&
      ((b.metadata.creationTimestamp ?? '') < created ||
        ((b.metadata.creationTimestamp ?? '') === created && (b.metadata.name ?? '') < (build.metadata.name ?? ''))),
  );
}

/** How a cancel is reported: by the user (spec.cancel) or because a newer build superseded it. */
export function cancelEnding(build: Build): Ending {
  const by = build.metadata.annotations?.[SUPERSEDED_BY];
  if (by)
    return {
      phase: 'Cancelled',
      reason: 'Superseded',
      message: `superseded by build ${by} (project policy.supersede)`,
    };
  return { phase: 'Cancelled', reason: 'Cancelled', message: 'the build was cancelled (spec.cancel)' };
}

export function queuedStatus(build: Build, now: Date): BuildStatus {
  return {
    ...build.status,
    phase: 'Pending',
    reason: 'Queued',
    message: 'waiting for a slot (project policy.maxConcurrentBuilds)',
    conditions: setCondition(build.status?.conditions, { type: SUCCEEDED, status: 'Unknown', reason: 'Queued' }, now),
  };
}

/** While the fetch job reads brigade.js from the repository (projects without a script of their own). */
export function fetchingStatus(build: Build, now: Date): BuildStatus {
  const revision = build.spec.revision?.commit ?? build.spec.revision?.ref ?? 'the default branch';
  return {
    ...build.status,
    phase: 'Pending',
    reason: 'FetchingScript',
    message: `a job reads brigade.js from the repository at ${revision}`,
    conditions: setCondition(
      build.status?.conditions,
      { type: SUCCEEDED, status: 'Unknown', reason: 'FetchingScript' },
      now,
    ),
  };
}

/**
 * The status of a build whose script (re)starts. `replay` is false for a first start whose earlier
 * Running write landed with its reply lost: the attempt stays the one that write recorded.
 */
export function runningStatus(build: Build, now: Date, replay = build.status?.phase === 'Running'): BuildStatus {
  const attempts = build.status?.workerAttempts ?? 0;
  return {
    ...build.status,
    observedGeneration: build.metadata.generation,
    phase: 'Running',
    reason: replay ? 'Replaying' : 'Started',
    message: replay
      ? 'the script is evaluated again after an operator restart; finished jobs are not run again'
      : 'the script is running',
    startTime: build.status?.startTime ?? now.toISOString(),
    workerAttempts: !replay && build.status?.phase === 'Running' ? Math.max(attempts, 1) : attempts + 1,
    conditions: setCondition(build.status?.conditions, { type: SUCCEEDED, status: 'Unknown', reason: 'Running' }, now),
  };
}

export interface Ending {
  phase: Extract<BuildPhase, 'Succeeded' | 'Failed' | 'TimedOut' | 'Cancelled'>;
  reason: string;
  message: string;
}

/**
 * How the script's outcome maps onto a build phase. A script without a handler for the event fails
 * the build, unless the project asks for Brigade 1's behaviour (policy.unhandledEvents: Succeed).
 */
export function endingFromOutcome(outcome: BuildOutcome, project?: Project): Ending {
  if (outcome.status === 'Failed' && outcome.reason === 'NoHandler')
    return project?.spec.policy?.unhandledEvents === 'Succeed'
      ? {
          phase: 'Succeeded',
          reason: 'NoHandler',
          message: `${outcome.message}; nothing to do (policy.unhandledEvents: Succeed)`,
        }
      : {
          phase: 'Failed',
          reason: 'NoHandler',
          message: `${outcome.message} (set spec.policy.unhandledEvents: Succeed on the Project for Brigade 1's behaviour, a build that succeeds)`,
        };
  if (outcome.status === 'Succeeded')
    return { phase: 'Succeeded', reason: 'Completed', message: outcome.message || 'the build succeeded' };
  if (outcome.reason === 'Timeout') return { phase: 'TimedOut', reason: 'Timeout', message: outcome.message };
  if (outcome.reason === 'Cancelled') return { phase: 'Cancelled', reason: 'Cancelled', message: outcome.message };
  return { phase: 'Failed', reason: outcome.reason, message: outcome.message };
}

export function endedStatus(build: Build, ending: Ending, now: Date): BuildStatus {
  const start = Date.parse(build.status?.startTime ?? '') || now.getTime();
  return {
    ...build.status,
    observedGeneration: build.metadata.generation,
    phase: ending.phase,
    reason: ending.reason,
    message: ending.message.slice(0, 32768),
    ...(build.status?.startTime ? {} : { startTime: now.toISOString() }),
    completionTime: now.toISOString(),
    duration: formatDuration(now.getTime() - start),
    conditions: setCondition(
      build.status?.conditions,
      {
        type: SUCCEEDED,
        status: ending.phase === 'Succeeded' ? 'True' : 'False',
        reason: ending.reason,
        message: ending.message.slice(0, 1024),
      },
      now,
    ),
  };
}

/**
 * Live fields recomputed every pass. Only a finished build has a duration: status is written on
 * changes, not on a timer, so a "so far" value would go stale (kubectl's Age column tells that).
 */
export function withProgress(
  status: BuildStatus,
  progress: { jobs: BuildJobSummary[]; jobsSummary: string; logTail?: string },
): BuildStatus {
  const start = Date.parse(status.startTime ?? '');
  const end = Date.parse(status.completionTime ?? '');
  const next: BuildStatus = {
    ...status,
    jobs: progress.jobs,
    jobsSummary: progress.jobsSummary,
    ...(progress.logTail !== undefined ? { logTail: progress.logTail } : {}),
  };
  if (Number.isNaN(start) || Number.isNaN(end)) delete next.duration;
  else next.duration = formatDuration(end - start);
  return next;
}

export function statusChanged(before: BuildStatus | undefined, after: BuildStatus): boolean {
  return JSON.stringify(before) !== JSON.stringify(after);
}
