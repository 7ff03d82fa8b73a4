// Reading a finished job's kept log: the one function the Build host (Result, job.logs()), the CLI
// (`logs`) and the dashboard call. Where the log is, the Job status says (status.log):
// - chunks 0: status.logTail is the whole log (a small log costs no ConfigMap write and no read);
// - chunks N: ConfigMaps JOB-log, JOB-log-1, ... hold it in order;
// - archive: object storage has a copy, read when the ConfigMaps are gone.
// A Job an older operator finished has no status.log: its log is in JOB-log when LogKept is True.
import type { CoreV1Api } from '@kubernetes/client-node';
import type { LogArchive } from '../../archive/index.ts';
import type { JobCR } from '../../api/types.ts';
import { isNotFound } from '../../kube/errors.ts';
import { JOB_LOG_KEY, jobLogConfigMapName } from './names.ts';

/**
 * Bytes of kept log per ConfigMap: the API server refuses a ConfigMap whose data exceeds 1 MiB, and
 * the object's metadata needs room too.
 */
export const JOB_LOG_CHUNK_BYTES = 960 * 1024;

export interface KeptLogReaders {
  core: Pick<CoreV1Api, 'readNamespacedConfigMap'>;
  /** The operator's log archive, when there is one and this reader may use it. */
  archive?: Pick<LogArchive, 'get'>;
}

/**
 * Where the text came from. `tail` means only the status tail is left (the ConfigMaps are gone and
 * the archive has no copy): the text is not the whole log.
 */
export type KeptLogSource = 'status' | 'configmaps' | 'archive' | 'tail';

export interface KeptLog {
  text: string;
  from: KeptLogSource;
  /** Whether the kept log was cut at the project's cap (its last line says so too). */
  truncated: boolean;
}

/**
 * The whole kept log of a finished job (redacted, bounded by the project's cap). Throws what the API
 * or the archive throws other than NotFound (the caller retries transient failures).
 */
export async function readKeptJobLog(readers: KeptLogReaders, job: JobCR): Promise<KeptLog> {
  const meta = job.status?.log;
  const tailOnly = (from: KeptLogSource): KeptLog => ({
    text: job.status?.logTail ?? '',
    from,
    truncated: meta?.truncated === true,
  });
  if (meta?.chunks === 0) return tailOnly('status');
  // Nothing was ever kept (refused, cancelled before it ran, pod log unreadable): nothing to read.
  if (!meta && !hasKeptCondition(job)) return tailOnly('status');
  const parts = await readChunks(readers.core, job, meta?.chunks ?? 1);
  if (parts) return { text: parts.join(''), from: 'configmaps', truncated: meta?.truncated === true };
  const archived = meta?.archive && readers.archive ? await readers.archive.get(archiveKeyOf(job)) : undefined;
  if (archived !== undefined) return { text: archived, from: 'archive', truncated: meta?.truncated === true };
  return tailOnly('tail');
}

function hasKeptCondition(job: JobCR): boolean {
  return job.status?.conditions?.some((c) => c.type === 'LogKept' && c.status === 'True') ?? false;
}

/** The archive key of a Job resource's log. */
export function archiveKeyOf(job: JobCR): { namespace: string; build: string; job: string } {
  return { namespace: job.metadata.namespace ?? '', build: job.spec.build, job: job.spec.name };
}

/** The parts in order, or undefined when any of them is gone. */
async function readChunks(core: KeptLogReaders['core'], job: JobCR, count: number): Promise<string[] | undefined> {
  const namespace = job.metadata.namespace ?? '';
  const names = Array.from({ length: count }, (_, i) => jobLogConfigMapName(job.metadata.name ?? '', i));
  const parts = await Promise.all(
    names.map(async (name) => {
      try {
        const cm = await core.readNamespacedConfigMap({ namespace, name });
        return cm.data?.[JOB_LOG_KEY];
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    }),
  );
  return parts.every((p): p is string => p !== undefined) ? parts : undefined;
}
