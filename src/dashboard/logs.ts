// A job's log for the dashboard: the live pod log while the job runs, the kept log once it is over.
// Every line that leaves here is redacted with the secret values the job can see; when those cannot
// be read (the viewer may not read the project's Secret), the live log is not shown at all, only what
// the operator kept (redacted when it was kept).
import { Log, type KubeConfig, type CoreV1Api } from '@kubernetes/client-node';
import { PassThrough, type Readable } from 'node:stream';
import type { JobCR, Project } from '../api/types.ts';
import { JOB_LOG_KEY, jobLogConfigMapName } from '../controller/shared/names.ts';
import { readJobSecretValues } from '../controller/shared/project-secrets.ts';
import { JOB_CONTAINER } from '../jobs/index.ts';
import { apiMessage, apiStatusCode } from '../kube/errors.ts';
import { createRedactor, type Redactor } from '../util/redact.ts';

export interface JobLogs {
  /** The log the operator kept for a finished job, else the status tail; '' when there is none. */
  kept(job: JobCR): Promise<string>;
  /** The pod's log from its start, followed until the container ends or the signal aborts. */
  follow(job: JobCR, project: Project | undefined, signal: AbortSignal): Promise<LiveLog>;
}

export type LiveLog = { kind: 'live'; chunks: AsyncIterable<string> } | { kind: 'unavailable'; why: string };

export function jobLogs(o: { kubeConfig: KubeConfig; core: CoreV1Api }): JobLogs {
  return {
    kept: (job) => keptLog(o.core, job),
    follow: async (job, project, signal) => {
      const pod = job.status?.podName;
      if (!pod) return { kind: 'unavailable', why: 'the job has no pod yet' };
      let redactor: Redactor;
      try {
        redactor = createRedactor(project ? await readJobSecretValues(o.core, project, job) : []);
      } catch (err) {
        return { kind: 'unavailable', why: `its secret values cannot be read to redact it (${apiMessage(err)})` };
      }
      const stream = await openPodLog(o.kubeConfig, { namespace: job.metadata.namespace ?? '', pod }, signal);
      if (!stream) return { kind: 'unavailable', why: `the log of pod ${pod} cannot be read` };
      return { kind: 'live', chunks: redactedLines(stream, redactor) };
    },
  };
}

async function keptLog(core: CoreV1Api, job: JobCR): Promise<string> {
  const tail = job.status?.logTail ?? '';
  try {
    const cm = await core.readNamespacedConfigMap({
      namespace: job.metadata.namespace ?? '',
      name: jobLogConfigMapName(job.metadata.name ?? ''),
    });
    return cm.data?.[JOB_LOG_KEY] ?? tail;
  } catch (err) {
    // Not kept (yet), or the viewer may not read ConfigMaps: the status tail is what there is.
    const code = apiStatusCode(err);
    if (code === 404 || code === 403) return tail;
    throw err;
  }
}

/** Whole lines, redacted; a last line without a newline comes out when the stream ends. */
export async function* redactedLines(
  stream: AsyncIterable<Buffer | string>,
  redactor: Redactor,
): AsyncGenerator<string> {
  let pending = '';
  for await (const chunk of stream) {
    const text = pending + chunk.toString();
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      pending = text;
      continue;
    }
    pending = text.slice(cut + 1);
    yield redactor.redact(text.slice(0, cut + 1));
  }
  if (pending) yield redactor.redact(pending);
}

/**
 * A follow of the job container's log, or undefined when the pod has none (yet, or any more). The
 * stream ends when the container ends, the connection drops or the signal aborts; it never errors.
 */
async function openPodLog(
  kubeConfig: KubeConfig,
  at: { namespace: string; pod: string },
  signal: AbortSignal,
): Promise<Readable | undefined> {
  const out = new PassThrough();
  const close = (): void => {
    out.end();
  };
  // client-node pipes the response into `out` without an 'error' listener of its own.
  out.on('pipe', (src: Readable) => {
    src.on('error', close);
  });
  try {
    const request = await new Log(kubeConfig).log(at.namespace, at.pod, JOB_CONTAINER, out, { follow: true });
    const abort = (): void => {
      request.abort();
      close();
    };
    if (signal.aborted) abort();
    else signal.addEventListener('abort', abort, { once: true });
    out.on('close', () => {
      signal.removeEventListener('abort', abort);
    });
  } catch (err) {
    out.end();
    const code = apiStatusCode(err);
    if (code === 404 || code === 400 || code === 403) return undefined;
    throw err;
  }
  return out;
}
