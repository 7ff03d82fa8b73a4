// Copying a finished job's kept log to the operator's log archive (object storage), after its
// terminal status is written: the script's Result never waits on the archive. Level-triggered: a
// finished job whose status has no archive location (and no LogArchived=False) is archived on its
// next reconcile, after a restart too. What is uploaded is the kept log, already redacted.
import { ArchiveUnavailableError } from '../../archive/index.ts';
import { API_VERSION } from '../../api/constants.ts';
import { setCondition } from '../../api/conditions.ts';
import type { JobCR } from '../../api/types.ts';
import { KubeApiError, apiMessage } from '../../kube/errors.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { archiveKeyOf, readKeptJobLog } from '../shared/kept-log.ts';
import { isTerminalPhase } from './state.ts';

export const LOG_ARCHIVED = 'LogArchived';

/** Whether the job's kept log still has to be archived. */
export function needsArchive(deps: ControllerDeps, job: JobCR): boolean {
  const s = job.status;
  if (!deps.logArchive || !s?.log || s.log.archive !== undefined || !isTerminalPhase(s.phase)) return false;
  return !s.conditions?.some((c) => c.type === LOG_ARCHIVED && c.status === 'False');
}

/**
 * Uploads the kept log and records where it is. An archive that is unavailable (throttled, down) is
 * tried again with back-off (thrown); one that refuses (bad credentials, no such account) is
 * recorded as LogArchived=False with a Warning Event, and not tried again for this job.
 */
export async function archiveJobLog(deps: ControllerDeps, job: JobCR): Promise<void> {
  const archive = deps.logArchive;
  if (!archive) return;
  const kept = deps.keptLogs?.get(job.metadata.uid);
  const log = kept !== undefined ? { text: kept, from: 'handoff' } : await readKept(deps, job);
  if (log.from === 'tail') {
    await recordArchived(deps, job, undefined, 'LogGone', 'the kept log was gone before it could be archived');
    return;
  }
  let location: string;
  try {
    location = await archive.put(archiveKeyOf(job), log.text, {
      project: job.spec.project,
      jobResource: job.metadata.name ?? '',
      truncated: job.status?.log?.truncated === true,
    });
  } catch (err) {
    if (err instanceof ArchiveUnavailableError) throw err;
    const why = (err as Error).message;
    deps.logger.warn({ job: job.metadata.name, err: why }, 'could not archive the job log');
    await recordArchived(deps, job, undefined, 'ArchiveFailed', why);
    await deps.recorder.warning(ref(job), 'LogArchiveFailed', why);
    return;
  }
  await recordArchived(deps, job, location, 'Archived', `the log is archived at ${location}`);
  deps.logger.debug({ job: job.metadata.name, location }, 'job log archived');
}

async function readKept(deps: ControllerDeps, job: JobCR): Promise<{ text: string; from: string }> {
  try {
    return await readKeptJobLog({ core: deps.clients.core }, job);
  } catch (err) {
    throw new KubeApiError(`read the kept log of job ${job.metadata.name ?? ''}: ${apiMessage(err)}`, { cause: err });
  }
}

async function recordArchived(
  deps: ControllerDeps,
  job: JobCR,
  location: string | undefined,
  reason: string,
  message: string,
): Promise<void> {
  const now = new Date(deps.clock.now());
  await deps.objects.updateStatus('Job', job.metadata.namespace ?? '', job.metadata.name ?? '', (current) => {
    const s = current.status;
    if (!s?.log || s.log.archive !== undefined) return undefined;
    return {
      ...s,
      log: { ...s.log, ...(location ? { archive: location } : {}) },
      conditions: setCondition(
        s.conditions,
        { type: LOG_ARCHIVED, status: location ? 'True' : 'False', reason, message: message.slice(0, 1024) },
        now,
      ),
    };
  });
}

const ref = (job: JobCR): { apiVersion: string; kind: string; metadata: JobCR['metadata'] } => ({
  apiVersion: API_VERSION,
  kind: 'Job',
  metadata: job.metadata,
});
