// One job's log as a Server-Sent Events stream: `log` events carry text (the first with `reset`, so
// a reconnected page starts over instead of doubling lines), `end` says the log is complete or why
// nothing more comes. Running: the pod's live log, redacted; over: the log the operator kept.
import type { ServerResponse } from 'node:http';
import type { DashboardData } from './data.ts';
import { EventStream } from './live.ts';
import type { JobLogs } from './logs.ts';
import { isJobOver } from './views.ts';

export interface LogMessage {
  text: string;
  reset?: boolean;
}

export interface LogEnd {
  /** Why the log ends here (no pod yet, the container ended, live log unavailable...). */
  note?: string;
  /** The log is the kept, final one. */
  final: boolean;
}

export async function streamJobLog(o: {
  data: DashboardData;
  logs: JobLogs;
  namespace: string;
  job: string;
  res: ServerResponse;
}): Promise<void> {
  const stream = new EventStream(o.res);
  const send = (m: LogMessage): void => {
    stream.send('log', m);
  };
  const end = (e: LogEnd): void => {
    stream.send('end', e);
    stream.close();
  };
  const job = o.data.jobs.get(o.namespace, o.job);
  if (!job) {
    end({ note: `job ${o.job} not found`, final: true });
    return;
  }
  if (isJobOver(job)) {
    send({ text: await o.logs.kept(job), reset: true });
    end({ final: true });
    return;
  }
  const controller = new AbortController();
  void stream.gone().then(() => {
    controller.abort();
  });
  const project = o.data.projects.get(o.namespace, job.spec.project);
  const live = await o.logs.follow(job, project, controller.signal);
  if (live.kind === 'unavailable') {
    send({ text: job.status?.logTail ?? '', reset: true });
    end({ note: `live log unavailable: ${live.why}`, final: false });
    return;
  }
  send({ text: '', reset: true });
  for await (const text of live.chunks) send({ text });
  if (!stream.closed) end({ note: 'the container has ended', final: false });
}
