// Build reconcile: start (or queue) the script, replay it after a restart, enforce the deadline and
// cancellation, and keep the status (phase, jobs summary, log tail) recomputed from the children.
//
// Every status write is conditional on the resourceVersion the decision was made from. The cache can
// lag behind our own last write; an unconditional write from a stale read could turn a finished build
// back to Running (and replay it). A 409 is retried after back-off, when the cache has caught up.
import type { Logger } from 'pino';
import { API_VERSION } from '../../api/constants.ts';
import { completedRerun, isRerunRequest, rerunRefusal, snapshotMismatch } from '../../api/rerun.ts';
import type { Build, BuildStatus, BrigadeEvent, Project } from '../../api/types.ts';
import { INDEX, nsKey } from '../caches.ts';
import { keyOf, requestOf } from '../runtime/controller.ts';
import type { Request, Result } from '../runtime/controller.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { DependencyError } from '../../npm/index.ts';
import type { ScriptPackages } from '../../script/index.ts';
import { ProjectSecretMissingError, readProjectSecrets } from '../shared/project-secrets.ts';
import { childJobs } from './children.ts';
import { fetchScript, needsScriptFetch, stopFetch } from './fetch.ts';
import { hostFor } from './host.ts';
import type { JobWaiters } from './job-waiters.ts';
import type { ReplayCandidate, ReplayGate } from './replay-gate.ts';
import { BuildSession } from './session.ts';
import type { LastWritten } from '../shared/last-written.ts';
import { stopChildJobs } from './stop.ts';
import type { Ending } from './state.ts';
import {
  SUPERSEDED_BY,
  buildDeadline,
  cancelEnding,
  endedStatus,
  fetchingStatus,
  endingFromOutcome,
  isTerminalBuild,
  jobsSummary,
  mayStart,
  queuedStatus,
  runningStatus,
  statusChanged,
  supersededBy,
  withProgress,
} from './state.ts';

/** How often, at most, console output alone causes a status write. */
const LOG_FLUSH_MS = 1000;

export interface BuildRuntime {
  sessions: Map<string, BuildSession>;
  /**
   * Builds admitted under policy.maxConcurrentBuilds whose session is not created yet: start() awaits
   * the API between the admission and the session, and two workers admitting siblings in that gap
   * would both see a free slot.
   */
  admitted: Set<string>;
  /**
   * Running writes sent without knowing whether they landed (the reply was lost): the next start
   * confirms from the cluster (the attempt it wrote is there) instead of writing again, and is not a
   * replay — the script never ran.
   */
  unconfirmedStarts: Map<string, { attempt: number; replay: boolean }>;
  /** Endings whose terminal write was sent but whose Event is not recorded yet (the reply was lost). */
  unannouncedEnds: Map<string, Ending>;
  waiters: JobWaiters;
  /** Replays after a restart catch up a few at a time, oldest first. */
  replays: ReplayGate;
  /** The Builds as this controller's own last status writes returned them, while the cache lags. */
  written: LastWritten<Build>;
  enqueue: (namespace: string, name: string, afterMs?: number) => void;
}

/**
 * How long job changes are gathered before the Build's status (its jobs summary and log tail) is
 * written again: a Group.runAll of 20 jobs makes one status write, not one per job and phase. The
 * script itself is woken at once (JobWaiters); only the summary waits.
 */
export const STATUS_COALESCE_MS = 1000;

/** The one status write of a step: conditional on the version `build` was read at, remembered until the cache has it. */
async function writeStatus(deps: ControllerDeps, rt: BuildRuntime, build: Build, status: BuildStatus): Promise<Build> {
  const out = await deps.objects.patchStatus(
    'Build',
    build.metadata.namespace ?? '',
    build.metadata.name ?? '',
    status,
    build.metadata.resourceVersion,
  );
  rt.written.record(build, out, deps.caches.builds.get(build.metadata.namespace, build.metadata.name ?? ''));
  return out;
}

/** Running builds whose replay has not started, as the gate's candidates. */
function waitingReplays(deps: ControllerDeps, rt: BuildRuntime): ReplayCandidate[] {
  const out: ReplayCandidate[] = [];
  for (const b of deps.caches.builds.list() as Build[]) {
    const key = keyOf(b.metadata.namespace, b.metadata.name ?? '');
    if (b.status?.phase !== 'Running' || b.spec.cancel || b.metadata.deletionTimestamp || rt.sessions.has(key))
      continue;
    out.push({ key, startTime: b.status.startTime ?? '' });
  }
  return out;
}

/** A replay caught up or ended: its slot goes to the oldest waiting replays. */
function releaseReplay(deps: ControllerDeps, rt: BuildRuntime, key: string): void {
  if (!rt.replays.release(key)) return;
  for (const next of waitingReplays(deps, rt)) {
    const { namespace, name } = requestOf(next.key);
    rt.enqueue(namespace, name);
  }
}

function dropSession(deps: ControllerDeps, rt: BuildRuntime, key: string): void {
  rt.sessions.delete(key);
  rt.unconfirmedStarts.delete(key);
  releaseReplay(deps, rt, key);
}

export async function reconcileBuild(
  deps: ControllerDeps,
  rt: BuildRuntime,
  req: Request,
): Promise<Result | undefined> {
  const key = keyOf(req.namespace, req.name);
  const build = rt.written.fresh(deps.caches.builds.get(req.namespace, req.name));
  if (!build) rt.written.forget(req.namespace, req.name);
  if (!build || build.metadata.deletionTimestamp) {
    rt.sessions.get(key)?.stop(new Error('the build was deleted'));
    dropSession(deps, rt, key);
    // Gone: an end whose Event was still untold (its reply lost) will never be seen to have landed.
    if (!build) rt.unannouncedEnds.delete(key);
    return;
  }
  const project = deps.caches.projects.get(req.namespace, build.spec.project) as Project | undefined;
  const now = deps.clock.now();
  if (await notRunnable(deps, rt, key, build, project)) return;
  const session = rt.sessions.get(key);
  if (build.spec.cancel) {
    await end(deps, rt, key, build, cancelEnding(build));
    return;
  }
  const deadline = buildDeadline(build, project);
  if (deadline !== undefined && now >= deadline) {
    await end(deps, rt, key, build, timeoutEnding(build, deadline));
    return;
  }
  if (session?.ended) {
    await concluded(deps, rt, key, build, session, project);
    return;
  }
  if (!session) return startWhenAllowed(deps, rt, key, build, project, now);
  await progress(deps, rt, build, build.status ?? {}, session);
  return deadline === undefined ? undefined : { requeueAfterMs: deadline - now };
}

/** Handles a build that is not to run (finished, a rerun request, its project going); true when it was one. */
async function notRunnable(
  deps: ControllerDeps,
  rt: BuildRuntime,
  key: string,
  build: Build,
  project: Project | undefined,
): Promise<boolean> {
  if (isTerminalBuild(build.status?.phase)) {
    await finished(deps, rt, key, build);
    return true;
  }
  if (isRerunRequest(build)) {
    await completeRerun(deps, rt, key, build);
    return true;
  }
  return cancelledWithProject(deps, rt, key, build, project);
}

/** A Project being deleted (or gone under a running build) cancels its builds (project/deletion.ts). */
async function cancelledWithProject(
  deps: ControllerDeps,
  rt: BuildRuntime,
  key: string,
  build: Build,
  project: Project | undefined,
): Promise<boolean> {
  const session = rt.sessions.get(key);
  if (!project?.metadata.deletionTimestamp && (project || !session || session.ended)) return false;
  await end(deps, rt, key, build, {
    phase: 'Cancelled',
    reason: 'ProjectDeleted',
    message: `project ${build.spec.project} is being deleted`,
  });
  await deps.recorder.warning(
    { apiVersion: API_VERSION, kind: 'Build', metadata: build.metadata },
    'ProjectDeleted',
    `project ${build.spec.project} is being deleted: the build was cancelled and its jobs stopped`,
  );
  return true;
}

/**
 * A rerun request (spec.rerunOf, no snapshot yet): refused with the reason when the original is
 * missing, of another project or unfinished; else the original's snapshot is copied in (one patch),
 * and the next pass starts it like any build.
 */
async function completeRerun(deps: ControllerDeps, rt: BuildRuntime, key: string, build: Build): Promise<void> {
  const ns = build.metadata.namespace ?? '';
  const of = build.spec.rerunOf?.build ?? '';
  const original =
    (deps.caches.builds.get(ns, of) as Build | undefined) ?? (of ? await deps.objects.get('Build', ns, of) : undefined);
  const refusal = rerunRefusal(build, original);
  if (refusal || !original) {
    await end(deps, rt, key, build, {
      phase: 'Failed',
      reason: refusal?.reason ?? 'RerunOfNotFound',
      message: refusal?.message ?? `build ${of} does not exist`,
    });
    return;
  }
  const event = deps.caches.events.get(ns, original.spec.event) as BrigadeEvent | undefined;
  await deps.objects.patch('Build', ns, build.metadata.name ?? '', completedRerun(build, original, event));
  const all = build.spec.rerunOf?.all === true;
  await deps.recorder.normal(
    { apiVersion: API_VERSION, kind: 'Build', metadata: build.metadata },
    'RerunOf',
    `running build ${of} again (event ${original.spec.event}, the same script)${all ? ': every job' : '; jobs that succeeded with the same spec are reused'}`,
  );
}

function timeoutEnding(build: Build, deadline: number): Ending {
  return {
    phase: 'TimedOut',
    reason: 'Timeout',
    message: `the build ran longer than ${Math.round((deadline - Date.parse(build.status?.startTime ?? '')) / 1000)}s (project policy.buildTimeoutSeconds)`,
  };
}

/** A build without a session: fails without its project, else starts (or replays) once policy lets it. */
async function startWhenAllowed(
  deps: ControllerDeps,
  rt: BuildRuntime,
  key: string,
  build: Build,
  project: Project | undefined,
  now: number,
): Promise<Result | undefined> {
  if (!project) {
    await end(deps, rt, key, build, {
      phase: 'Failed',
      reason: 'ProjectNotFound',
      message: `project ${build.spec.project} does not exist`,
    });
    return;
  }
  const mismatch = build.status?.phase === 'Running' ? undefined : rerunMismatch(deps, build);
  if (mismatch) {
    await end(deps, rt, key, build, { phase: 'Failed', reason: 'RerunSnapshotMismatch', message: mismatch });
    return;
  }
  if (needsScriptFetch(build)) return fetchFirst(deps, rt, key, build, project, now);
  if (project.spec.policy?.supersede) await supersedeOlder(deps, build);
  if (!startAllowed(deps, rt, build, project)) {
    await writeIfChanged(deps, rt, build, queuedStatus(build, new Date(now)));
    return;
  }
  const firstStart = rt.unconfirmedStarts.get(key)?.replay === false;
  if (build.status?.phase === 'Running' && !firstStart && !rt.replays.mayStart(key, waitingReplays(deps, rt), now))
    return { requeueAfterMs: rt.replays.retryMs };
  rt.admitted.add(key);
  try {
    return await start(deps, rt, key, build, project);
  } finally {
    // Once the session exists it holds the slot; if start() failed or ended the build, nothing does.
    rt.admitted.delete(key);
  }
}

/** A rerun whose spec was written with a snapshot other than its original's (see snapshotMismatch). */
function rerunMismatch(deps: ControllerDeps, build: Build): string | undefined {
  const of = build.spec.rerunOf?.build;
  const original = of ? (deps.caches.builds.get(build.metadata.namespace, of) as Build | undefined) : undefined;
  return original ? snapshotMismatch(build, original) : undefined;
}

/**
 * A build whose script comes from the repository: its fetch job runs first (before admission, so a
 * fetch does not hold a maxConcurrentBuilds slot); the recorded script wakes the build through its
 * own spec change.
 */
async function fetchFirst(
  deps: ControllerDeps,
  rt: BuildRuntime,
  key: string,
  build: Build,
  project: Project,
  now: number,
): Promise<Result | undefined> {
  const step = await fetchScript(deps, build, project);
  if (step.kind === 'failed') {
    await end(deps, rt, key, build, step.ending);
    return;
  }
  if (step.kind === 'recorded') return;
  await writeIfChanged(deps, rt, build, fetchingStatus(build, new Date(now)));
  return { requeueAfterMs: step.requeueAfterMs };
}

/** Cancels the older builds this one supersedes (they end Cancelled, reason Superseded, and free their slots). */
async function supersedeOlder(deps: ControllerDeps, build: Build): Promise<void> {
  const siblings = deps.caches.builds.byIndex(
    INDEX.project,
    nsKey(build.metadata.namespace, build.spec.project),
  ) as Build[];
  for (const old of supersededBy(build, siblings)) {
    const patch = { metadata: { annotations: { [SUPERSEDED_BY]: build.metadata.name ?? '' } }, spec: { cancel: true } };
    await deps.objects.patch('Build', old.metadata.namespace ?? '', old.metadata.name ?? '', patch);
    await deps.recorder.normal(
      { apiVersion: API_VERSION, kind: 'Build', metadata: old.metadata },
      'Superseded',
      `superseded by build ${build.metadata.name}`,
    );
  }
}

function startAllowed(deps: ControllerDeps, rt: BuildRuntime, build: Build, project: Project): boolean {
  if (build.status?.phase === 'Running') return true; // a replay takes the slot it already had
  const siblings = deps.caches.builds.byIndex(
    INDEX.project,
    nsKey(build.metadata.namespace, build.spec.project),
  ) as Build[];
  const prefix = `${build.metadata.namespace ?? ''}/`;
  const live = new Set(
    [...rt.sessions.keys(), ...rt.admitted].filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)),
  );
  return mayStart({ build, siblings, liveSessions: live, maxConcurrent: project.spec.policy?.maxConcurrentBuilds });
}

/**
 * The packages of the Build's lock, from the operator's store. A registry that did not answer is an
 * error, retried with backoff; a refusal (the locked package is gone, or its bytes changed) ends the build.
 */
async function buildPackages(
  deps: ControllerDeps,
  build: Build,
): Promise<ScriptPackages | DependencyError | undefined> {
  if (!build.spec.dependencies) return undefined;
  try {
    return await deps.packages.load(build.spec.dependencies);
  } catch (err) {
    if (err instanceof DependencyError && err.kind === 'Refused') return err;
    throw err;
  }
}

async function start(
  deps: ControllerDeps,
  rt: BuildRuntime,
  key: string,
  build: Build,
  project: Project,
): Promise<Result | undefined> {
  let secrets: Record<string, string>;
  try {
    secrets = await readProjectSecrets(deps.clients.core, project);
  } catch (err) {
    if (!(err instanceof ProjectSecretMissingError)) throw err;
    await end(deps, rt, key, build, { phase: 'Failed', reason: 'ProjectSecretNotFound', message: err.message });
    return;
  }
  const packages = await buildPackages(deps, build);
  if (packages instanceof DependencyError) {
    await end(deps, rt, key, build, { phase: 'Failed', reason: 'DependenciesRefused', message: packages.message });
    return;
  }
  const { replay, status, written } = await writeRunning(deps, rt, key, build);
  if (replay) rt.replays.started(key, deps.clock.now());
  const log = deps.logger.child({ project: build.spec.project, build: build.metadata.name });
  const session = newSession(deps, rt, { key, build, written, project, secrets, packages, status, replay, log });
  rt.sessions.set(key, session);
  log.info({ attempt: status.workerAttempts, replay }, replay ? 'build replayed' : 'build started');
  await recordStart(deps, build, written, status, replay);
  const deadline = buildDeadline({ ...build, status }, project);
  return deadline === undefined ? undefined : { requeueAfterMs: Math.max(0, deadline - deps.clock.now()) };
}

/**
 * Writes the Running status of a build about to (re)start its script, or, when the previous write's
 * reply was lost, finds it in the cluster and goes on from it.
 */
async function writeRunning(
  deps: ControllerDeps,
  rt: BuildRuntime,
  key: string,
  build: Build,
): Promise<{ replay: boolean; status: BuildStatus; written: Build }> {
  const sent = rt.unconfirmedStarts.get(key);
  if (sent && build.status?.phase === 'Running' && build.status.workerAttempts === sent.attempt) {
    rt.unconfirmedStarts.delete(key);
    return { replay: sent.replay, status: build.status, written: build };
  }
  const replay = sent ? sent.replay : build.status?.phase === 'Running';
  // The jobs summary and (empty) log tail go with the Running write: left out, the reconcile that
  // follows would write them on their own, a second status write for every build.
  const status = withProgress(runningStatus(build, new Date(deps.clock.now()), replay), {
    ...jobsSummary(childJobs(deps, build)),
    ...(replay ? {} : { logTail: '' }),
  });
  rt.unconfirmedStarts.set(key, { attempt: status.workerAttempts ?? 1, replay });
  const written = await writeStatus(deps, rt, build, status);
  rt.unconfirmedStarts.delete(key);
  return { replay, status, written };
}

interface SessionStart {
  key: string;
  build: Build;
  /** The build as the Running status write returned it. */
  written: Build;
  project: Project;
  secrets: Record<string, string>;
  packages: ScriptPackages | undefined;
  status: BuildStatus;
  replay: boolean;
  log: Logger;
}

/** The script session of a build: its logs and end wake the build's reconcile, its host runs the jobs. */
function newSession(deps: ControllerDeps, rt: BuildRuntime, s: SessionStart): BuildSession {
  const { key, build, written, project, secrets, packages, status, replay, log } = s;
  const ns = build.metadata.namespace ?? '';
  const name = build.metadata.name ?? '';
  const abort = new AbortController();
  return new BuildSession({
    engine: deps.script,
    abort,
    previousLog: replay ? build.status?.logTail : undefined,
    secrets: Object.values(secrets),
    onLog: (level, text) => {
      log.info({ scriptLevel: level }, text);
      rt.enqueue(ns, name, LOG_FLUSH_MS);
    },
    onEnd: () => {
      releaseReplay(deps, rt, key);
      rt.enqueue(ns, name);
    },
    run: {
      // A repository script is fetched before the build starts (fetchFirst), so it is set here.
      script: build.spec.script ?? '',
      ...(build.spec.files ? { files: build.spec.files } : {}),
      ...(packages ? { packages } : {}),
      event: scriptEvent(written, status.workerAttempts ?? 1),
      project: scriptProject(project, secrets),
      // Math.random is seeded with the build's uid; the clock readings come back from the status.
      replay: { seed: build.metadata.uid ?? name, clock: written.status?.replay?.clock ?? [] },
      host: hostFor({
        deps,
        build: written,
        project,
        secrets,
        waiters: rt.waiters,
        signal: abort.signal,
        touch: () => {
          rt.enqueue(ns, name, STATUS_COALESCE_MS);
        },
        live: () => {
          releaseReplay(deps, rt, key);
        },
      }),
    },
  });
}

/** The Event on the Build (as written, so it names the current version) that says it started or replays. */
async function recordStart(
  deps: ControllerDeps,
  build: Build,
  written: Build,
  status: BuildStatus,
  replay: boolean,
): Promise<void> {
  const obj = { apiVersion: API_VERSION, kind: 'Build', metadata: written.metadata };
  if (replay)
    await deps.recorder.normal(
      obj,
      'BuildReplayed',
      `evaluating the script again (attempt ${status.workerAttempts}); finished jobs keep their results`,
    );
  else await deps.recorder.normal(obj, 'BuildStarted', `running the ${build.spec.type} handler`);
}

async function concluded(
  deps: ControllerDeps,
  rt: BuildRuntime,
  key: string,
  build: Build,
  session: BuildSession,
  project: Project | undefined,
): Promise<void> {
  const ending: Ending = session.outcome
    ? endingFromOutcome(session.outcome, project)
    : {
        phase: 'Failed',
        reason: 'SandboxError',
        message: `the script engine failed: ${session.error instanceof Error ? session.error.message : String(session.error)}`,
      };
  await end(deps, rt, key, build, ending);
}

/** Writes the terminal status, stops what still runs, records an Event; the session is dropped last. */
async function end(deps: ControllerDeps, rt: BuildRuntime, key: string, build: Build, ending: Ending): Promise<void> {
  const session = rt.sessions.get(key);
  const now = new Date(deps.clock.now());
  let status = endedStatus(build, ending, now);
  status = withProgress(status, {
    ...jobsSummary(childJobs(deps, build)),
    ...(session ? { logTail: session.logTail(deps.settings.logTailChars) } : {}),
  });
  // Stop the script and the jobs before the build says it ended, so a terminal build never has
  // running jobs (and a failure on the way is retried with the build still open).
  session?.stop(
    ending.phase === 'TimedOut' ? new DOMException('build timeout', 'TimeoutError') : new Error(ending.message),
  );
  const jobs =
    ending.phase === 'Cancelled' || ending.phase === 'TimedOut'
      ? await stopChildJobs(deps, build, ending)
      : childJobs(deps, build);
  if (ending.phase === 'Cancelled' && needsScriptFetch(build)) await stopFetch(deps, build);
  status = withProgress(status, jobsSummary(jobs));
  rt.unannouncedEnds.set(key, ending);
  await writeStatus(deps, rt, build, status);
  dropSession(deps, rt, key);
  await announceEnd(deps, rt, key, build, ending, status.duration);
}

/** The log line and the Event of a build's end, once, after its terminal status is in the cluster. */
async function announceEnd(
  deps: ControllerDeps,
  rt: BuildRuntime,
  key: string,
  build: Build,
  ending: Ending,
  duration: string | undefined,
): Promise<void> {
  rt.unannouncedEnds.delete(key);
  const obj = { apiVersion: API_VERSION, kind: 'Build', metadata: build.metadata };
  const msg = `${ending.reason}: ${ending.message}`;
  deps.logger.info(
    {
      project: build.spec.project,
      build: build.metadata.name,
      phase: ending.phase,
      reason: ending.reason,
      duration,
    },
    'build ended',
  );
  if (ending.phase === 'Succeeded') await deps.recorder.normal(obj, 'BuildSucceeded', msg);
  else await deps.recorder.warning(obj, `Build${ending.phase}`, msg);
}

/** A terminal build: no session; stop leftovers of a cancel/timeout; keep the summary current. */
async function finished(deps: ControllerDeps, rt: BuildRuntime, key: string, build: Build): Promise<void> {
  rt.sessions.get(key)?.stop(new Error('the build has ended'));
  dropSession(deps, rt, key);
  // The terminal write landed though its reply was lost: say so now (an operator restart in between
  // loses this Event; Events are best effort, the status is the record).
  const unannounced = rt.unannouncedEnds.get(key);
  if (unannounced) await announceEnd(deps, rt, key, build, unannounced, build.status?.duration);
  const phase = build.status?.phase;
  const jobs =
    phase === 'Cancelled' || phase === 'TimedOut'
      ? await stopChildJobs(deps, build, {
          phase,
          reason: build.status?.reason ?? phase,
          message: build.status?.message ?? '',
        })
      : childJobs(deps, build);
  const status = withProgress(build.status ?? {}, jobsSummary(jobs));
  await writeIfChanged(deps, rt, build, status);
}

async function progress(
  deps: ControllerDeps,
  rt: BuildRuntime,
  build: Build,
  base: BuildStatus,
  session: BuildSession,
): Promise<void> {
  const status = withProgress(base, {
    ...jobsSummary(childJobs(deps, build)),
    logTail: session.logTail(deps.settings.logTailChars),
  });
  await writeIfChanged(deps, rt, build, status);
}

async function writeIfChanged(
  deps: ControllerDeps,
  rt: BuildRuntime,
  build: Build,
  status: BuildStatus,
): Promise<void> {
  if (!statusChanged(build.status, status)) return;
  await writeStatus(deps, rt, build, status);
}

function scriptEvent(build: Build, attempt: number): import('../../script/index.ts').ScriptEvent {
  return {
    buildID: build.metadata.name ?? '',
    workerID: `${build.metadata.name}-${attempt}`,
    type: build.spec.type,
    provider: build.spec.provider,
    revision: { ...build.spec.revision },
    payload: build.spec.payload ?? '',
  };
}

function scriptProject(
  project: Project,
  secrets: Record<string, string>,
): import('../../script/index.ts').ScriptProject {
  const repoName = project.spec.repo?.name ?? project.metadata.name ?? '';
  return {
    id: `${project.metadata.namespace}/${project.metadata.name}`,
    name: repoName,
    repo: { name: repoName, cloneURL: project.spec.repo?.cloneURL ?? '' },
    secrets,
    kubernetes: {
      namespace: project.metadata.namespace ?? '',
      ...(project.spec.storage?.size ? { buildStorageSize: project.spec.storage.size } : {}),
    },
    allowPrivilegedJobs: project.spec.policy?.allowPrivileged ?? false,
    allowHostMounts: project.spec.policy?.allowHostMounts ?? false,
  };
}
