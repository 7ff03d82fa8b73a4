// The script of a build whose Project takes brigade.js from its repository: a fetch job (one per
// build, named after it) clones the event's revision and prints the script and the files beside it
// to its log; the result is written into the Build's spec once, so the build, its replays after a
// restart and a rerun all evaluate that snapshot and the repository is never fetched twice for one
// build. Level-triggered: each pass looks at the fetch Job and does the next step.
import type { V1ContainerStatus, V1Job, V1Pod } from '@kubernetes/client-node';
import { API_VERSION } from '../../api/constants.ts';
import type { Build, Project } from '../../api/types.ts';
import { FETCH_CONTAINER, FETCH_TIMEOUT_SECONDS, scriptFetchJob, scriptFetchJobName } from '../../jobs/script-fetch.ts';
import { KubeApiError, apiMessage, isAlreadyExists, isNotFound, isTransient } from '../../kube/errors.ts';
import { DependencyError } from '../../npm/index.ts';
import { declaredDependencies } from '../shared/dependencies.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { redactURL } from '../shared/redact-url.ts';
import { ScriptArchiveError, readScriptArchive } from './script-archive.ts';
import type { Ending } from './state.ts';

/** How often a running fetch is looked at (the fetch Job is not in the operator's informer caches). */
const FETCH_POLL_MS = 2000;
/** The log of a fetch holds at most the archive of the bounded files, base64-encoded, and git's messages. */
const FETCH_LOG_LIMIT_BYTES = 4 * 1024 * 1024;
/** Lines of a failed fetch's log that go into the Build's message. */
const ERROR_LINES = 12;

export type FetchStep =
  { kind: 'waiting'; requeueAfterMs: number } | { kind: 'recorded' } | { kind: 'failed'; ending: Ending };

/** True for a build that must fetch its script before it can start. */
export function needsScriptFetch(build: Build): boolean {
  return build.spec.scriptOrigin === 'repository' && build.spec.script === undefined;
}

export async function fetchScript(deps: ControllerDeps, build: Build, project: Project): Promise<FetchStep> {
  const cloneURL = project.spec.repo?.cloneURL;
  if (!cloneURL)
    return failed(
      'ScriptFetchFailed',
      `project ${project.metadata.name} has no repo.cloneURL to read brigade.js from (set spec.repo.cloneURL, spec.script or spec.scriptFrom)`,
    );
  const namespace = build.metadata.namespace ?? '';
  const name = scriptFetchJobName(build.metadata.name ?? '');
  const job = await readJob(deps, namespace, name);
  if (!job) {
    await createJob(deps, build, project);
    await deps.recorder.normal(
      { apiVersion: API_VERSION, kind: 'Build', metadata: build.metadata },
      'FetchingScript',
      `job ${name} reads brigade.js from ${redactURL(cloneURL)} at ${revisionText(build)}`,
    );
    return { kind: 'waiting', requeueAfterMs: FETCH_POLL_MS };
  }
  const done = (type: string): boolean =>
    job.status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
  if (!done('Complete') && !done('Failed')) return { kind: 'waiting', requeueAfterMs: FETCH_POLL_MS };
  const pod = await latestPod(deps, namespace, name);
  const log = pod ? await readLog(deps, pod) : undefined;
  if (done('Failed')) return failed('ScriptFetchFailed', fetchFailure(build, cloneURL, job, pod, log));
  if (log === undefined)
    return failed(
      'ScriptFetchFailed',
      `the fetch job ${name} succeeded but its pod's log could not be read (the pod is gone); send the event again to fetch anew`,
    );
  return record(deps, build, project, log);
}

async function record(deps: ControllerDeps, build: Build, project: Project, log: string): Promise<FetchStep> {
  let fetched;
  try {
    fetched = await readScriptArchive(log);
  } catch (error) {
    if (!(error instanceof ScriptArchiveError)) throw error;
    return failed('ScriptFetchFailed', `the fetch job's output cannot be used: ${error.message}`);
  }
  const hasFiles = Object.keys(fetched.files).length > 0;
  const declared = declaredDependencies(project.spec.dependencies, fetched.files);
  if (!declared.ok) return failed('DependenciesInvalid', declared.message);
  let lock;
  if (Object.keys(declared.dependencies).length > 0) {
    try {
      lock = await deps.packages.resolve(declared.dependencies);
    } catch (error) {
      // A registry that does not answer is retried with back-off; a refusal ends the build.
      if (error instanceof DependencyError && error.kind === 'Refused')
        return failed('DependenciesRefused', error.message);
      throw error;
    }
  }
  const ns = build.metadata.namespace ?? '';
  const name = build.metadata.name ?? '';
  await deps.objects.patch('Build', ns, name, {
    spec: {
      script: fetched.script,
      scriptCommit: fetched.commit,
      ...(hasFiles ? { files: fetched.files } : {}),
      ...(lock ? { dependencies: lock } : {}),
    },
  });
  const count = Object.keys(fetched.files).length;
  const omitted = fetched.omitted > 0 ? `; ${fetched.omitted} more left out (over the bounds of the Build)` : '';
  await deps.recorder.normal(
    { apiVersion: API_VERSION, kind: 'Build', metadata: build.metadata },
    'ScriptFetched',
    `brigade.js and ${count} file${count === 1 ? '' : 's'} beside it from commit ${fetched.commit}${omitted}`,
  );
  return { kind: 'recorded' };
}

/** A build cancelled while it fetches: its fetch job (and pod) is deleted, whatever it was doing. */
export async function stopFetch(deps: ControllerDeps, build: Build): Promise<void> {
  const namespace = build.metadata.namespace ?? '';
  const name = scriptFetchJobName(build.metadata.name ?? '');
  try {
    await deps.clients.batch.deleteNamespacedJob({ namespace, name, propagationPolicy: 'Background' });
  } catch (error) {
    if (!isNotFound(error)) throw new KubeApiError(`delete job ${namespace}/${name}`, { cause: error });
  }
}

async function readJob(deps: ControllerDeps, namespace: string, name: string): Promise<V1Job | undefined> {
  try {
    return await deps.clients.batch.readNamespacedJob({ namespace, name });
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw new KubeApiError(`read job ${namespace}/${name}`, { cause: error });
  }
}

async function createJob(deps: ControllerDeps, build: Build, project: Project): Promise<void> {
  const body = scriptFetchJob(build, project);
  try {
    await deps.clients.batch.createNamespacedJob({ namespace: build.metadata.namespace ?? '', body });
  } catch (error) {
    // Created by an earlier pass whose answer was lost: that job is this build's fetch.
    if (!isAlreadyExists(error)) throw new KubeApiError(`create job ${body.metadata?.name ?? ''}`, { cause: error });
  }
}

async function latestPod(deps: ControllerDeps, namespace: string, job: string): Promise<V1Pod | undefined> {
  const pods = await deps.clients.core.listNamespacedPod({ namespace, labelSelector: `job-name=${job}` });
  return pods.items
    .sort((a, b) =>
      String(a.metadata?.creationTimestamp ?? '').localeCompare(String(b.metadata?.creationTimestamp ?? '')),
    )
    .at(-1);
}

async function readLog(deps: ControllerDeps, pod: V1Pod): Promise<string | undefined> {
  const namespace = pod.metadata?.namespace ?? '';
  const name = pod.metadata?.name ?? '';
  try {
    return await deps.clients.core.readNamespacedPodLog({
      namespace,
      name,
      container: FETCH_CONTAINER,
      limitBytes: FETCH_LOG_LIMIT_BYTES,
    });
  } catch (error) {
    if (isTransient(error)) throw new KubeApiError(`read the log of pod ${namespace}/${name}`, { cause: error });
    deps.logger.warn({ pod: name, error: apiMessage(error) }, 'the log of a script fetch pod could not be read');
    return undefined;
  }
}

/** "fetching brigade.js from URL at REV failed (exit code 128): <git's last lines>". */
function fetchFailure(build: Build, url: string, job: V1Job, pod: V1Pod | undefined, log: string | undefined): string {
  const text = log?.trim() ?? '';
  const detail = text ? `: ${redactURL(text.split('\n').slice(-ERROR_LINES).join('\n'))}` : podWaiting(pod);
  return `fetching brigade.js from ${redactURL(url)} at ${revisionText(build)} ${howItFailed(job, pod)}${detail}`;
}

function fetchContainer(pod: V1Pod | undefined): V1ContainerStatus | undefined {
  return pod?.status?.containerStatuses?.find((c) => c.name === FETCH_CONTAINER);
}

function howItFailed(job: V1Job, pod: V1Pod | undefined): string {
  if (job.status?.conditions?.some((c) => c.type === 'Failed' && c.reason === 'DeadlineExceeded'))
    return `took longer than ${FETCH_TIMEOUT_SECONDS}s`;
  const terminated = fetchContainer(pod)?.state?.terminated;
  if (terminated) return `failed (exit code ${terminated.exitCode})`;
  return `failed (${pod?.status?.reason ?? pod?.status?.message ?? 'the pod did not run'})`;
}

/** Why a pod that printed nothing never ran (an image it could not pull, say). */
function podWaiting(pod: V1Pod | undefined): string {
  const waiting = fetchContainer(pod)?.state?.waiting;
  return waiting?.message ? `: ${waiting.reason ?? ''} ${waiting.message}` : '';
}

function revisionText(build: Build): string {
  const r = build.spec.revision;
  if (r?.commit) return `commit ${r.commit}`;
  if (r?.ref) return `ref ${r.ref}`;
  return 'the default branch';
}

function failed(reason: string, message: string): FetchStep {
  return { kind: 'failed', ending: { phase: 'Failed', reason, message } };
}
