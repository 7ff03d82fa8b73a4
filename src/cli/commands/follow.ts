// Following a Build as it runs: its phase changes and job starts as notes, the script's console
// output (from the Build's status) and each job's log (its pod's log while the pod runs; the log the
// operator kept once the pod is gone) as lines with their source, until the build is over. Watches,
// never polls; a dropped watch or log stream is resumed without repeating lines.
import type { BrigadeClient } from './client.ts';
import { consoleDelta, textLines, type BuildOutput, type Progress } from './output.ts';
import { followPodLines, parseLogLine } from './pod-log.ts';
import { isBuildOver, isJobOver, jobDisplayName, type BuildObject, type JobObject } from './resources.ts';

/** The source name the script's console lines are printed with. */
export const CONSOLE_SOURCE = 'brigade.js';

export interface FollowOptions {
  client: BrigadeClient;
  build: string;
  output: BuildOutput;
  /** Only this job's log (logs --job); the console is left out then. */
  job?: string;
  /**
   * Whether the job pods' logs may be streamed live. False when the project's secret values could
   * not be read, so they could not be redacted: each job's log is then printed as the operator kept it
   * (redacted) once the job is over.
   */
  livePodLogs: boolean;
  signal: AbortSignal;
  /** How long log streams may still run after the build is over before they are cut (default 5 s). */
  drainMs?: number;
}

interface JobTrack {
  phase?: string;
  /** 'streaming' once a pod log follow started; 'printed' once the whole log was written. */
  log: 'none' | 'streaming' | 'printed';
}

const FAILED_JOB_PHASES = new Set(['Failed', 'TimedOut', 'Cancelled']);

class BuildFollower {
  private readonly opts: FollowOptions;
  private readonly jobs = new Map<string, JobTrack>();
  private readonly streams = new Set<Promise<void>>();
  private readonly streamsAbort = new AbortController();
  private buildPhase?: string;
  private startedAt?: number;
  private consolePrinted = 0;

  constructor(opts: FollowOptions) {
    this.opts = opts;
  }

  private get out(): BuildOutput {
    return this.opts.output;
  }

  private wanted(job: JobObject): boolean {
    return this.opts.job === undefined || jobDisplayName(job) === this.opts.job;
  }

  onBuild(build: BuildObject): void {
    const start = Date.parse(build.status?.startTime ?? '');
    if (!Number.isNaN(start)) this.startedAt = start;
    if (this.opts.job === undefined) this.printConsole(build.status?.logTail ?? '');
    const phase = build.status?.phase ?? 'Pending';
    if (phase !== this.buildPhase) {
      this.buildPhase = phase;
      const why = build.status?.message ? `: ${build.status.message}` : '';
      this.out.note(`build ${build.metadata.name}: ${phase}${isBuildOver(build) ? why : ''}`);
    }
    this.showProgress();
  }

  private printConsole(logTail: string): void {
    const delta = consoleDelta(logTail, this.consolePrinted);
    this.consolePrinted = delta.printed;
    if (delta.skipped) this.out.note(`(some console lines went by unseen; logs ${this.opts.build} has the tail)`);
    for (const line of textLines(delta.text)) this.out.line(CONSOLE_SOURCE, line);
  }

  private showProgress(): void {
    const p: Progress = { phase: this.buildPhase ?? 'Pending', succeeded: 0, running: 0, failed: 0, pending: 0 };
    for (const track of this.jobs.values()) {
      if (track.phase === 'Succeeded') p.succeeded++;
      else if (track.phase === 'Running') p.running++;
      else if (track.phase && FAILED_JOB_PHASES.has(track.phase)) p.failed++;
      else p.pending++;
    }
    if (this.startedAt !== undefined) p.startedAt = this.startedAt;
    this.out.setProgress(p);
  }

  async onJob(job: JobObject): Promise<void> {
    const name = jobDisplayName(job);
    const track = this.jobs.get(name) ?? { log: 'none' };
    this.jobs.set(name, track);
    this.notePhase(name, job, track);
    if (!this.wanted(job) || track.log !== 'none') return;
    const pod = job.status?.podName;
    if (isJobOver(job)) {
      track.log = 'printed';
      await printJobLog(this.opts.client, this.out, job, this.opts.livePodLogs);
    } else if (this.opts.livePodLogs && pod && job.status?.phase === 'Running') {
      track.log = 'streaming';
      this.startStream(name, pod);
    }
  }

  private notePhase(name: string, job: JobObject, track: JobTrack): void {
    const phase = job.status?.phase ?? 'Pending';
    if (phase === track.phase) return;
    track.phase = phase;
    const where = phase === 'Running' && job.status?.nodeName ? ` on ${job.status.nodeName}` : '';
    const why = isJobOver(job) && job.status?.message ? `: ${job.status.message}` : '';
    this.out.note(`job ${name}: ${phase}${where}${why}`);
    this.showProgress();
  }

  private startStream(name: string, pod: string): void {
    const { client } = this.opts;
    const lines = followPodLines(
      {
        state: () => client.podState(pod),
        open: (container, signal) => client.openPodLog(pod, container, signal),
      },
      this.streamsAbort.signal,
    );
    const done = (async () => {
      for await (const line of lines) this.out.line(name, line.text, line.time);
    })();
    const settled = done.catch((err: unknown) => {
      if (!this.streamsAbort.signal.aborted) this.out.note(`job ${name}: log stream ended: ${(err as Error).message}`);
    });
    this.streams.add(settled);
    void settled.finally(() => this.streams.delete(settled));
  }

  /** Waits for log streams to end by themselves, then cuts those still open after the drain time. */
  async drain(): Promise<void> {
    const timer = setTimeout(() => {
      this.streamsAbort.abort();
    }, this.opts.drainMs ?? 5000);
    try {
      await Promise.all([...this.streams]);
    } finally {
      clearTimeout(timer);
    }
  }

  async stop(): Promise<void> {
    this.streamsAbort.abort();
    await Promise.all([...this.streams]);
  }
}

/**
 * Prints a finished job's whole log: its pod's (with the times its lines were written) while the pod
 * exists and its log may be printed live, else the log the operator kept (already redacted).
 */
export async function printJobLog(
  client: BrigadeClient,
  output: BuildOutput,
  job: JobObject,
  livePodLogs: boolean,
): Promise<void> {
  const name = jobDisplayName(job);
  const pod = job.status?.podName;
  const live = livePodLogs && pod ? await client.podLog(pod, { timestamps: true }) : undefined;
  if (live !== undefined) {
    for (const line of textLines(live)) {
      const parsed = parseLogLine(line);
      output.line(name, parsed.text, parsed.time);
    }
    return;
  }
  // The kept log has no times of its own: its lines are shown at the job's end.
  const at = job.status?.completionTime;
  const kept = await client.keptJobLog(job);
  if (kept.from === 'tail' && job.status?.log)
    output.note(`job ${name}: its kept log is gone; only the last part of it (the status tail) follows`);
  for (const line of textLines(kept.text)) output.line(name, line, at);
}

/** Follows the build to its end; resolves with its final state (or the last seen if the signal aborts). */
export async function followBuild(opts: FollowOptions): Promise<BuildObject | undefined> {
  const follower = new BuildFollower(opts);
  const watching = new AbortController();
  const stopAll = (): void => {
    watching.abort();
  };
  if (opts.signal.aborted) watching.abort();
  opts.signal.addEventListener('abort', stopAll, { once: true });
  const jobsLoop = (async () => {
    for await (const change of opts.client.watchJobs(opts.build, watching.signal)) {
      if (change.type !== 'DELETED') await follower.onJob(change.object);
    }
  })().catch((err: unknown) => {
    // After the build is over the watch is aborted on purpose; before that, say that job output may be missing.
    if (!watching.signal.aborted)
      opts.output.note(`warning: watching the build's jobs failed: ${(err as Error).message}`);
  });
  let last: BuildObject | undefined;
  try {
    for await (const change of opts.client.watchOne('builds', opts.build, watching.signal)) {
      if (change.type === 'DELETED') break;
      last = change.object;
      follower.onBuild(last);
      if (isBuildOver(last)) break;
    }
    if (last && isBuildOver(last) && !opts.signal.aborted) {
      // The build is over: every job is too. Catch up on jobs whose last change the watch has not shown yet.
      for (const job of await opts.client.listJobs(opts.build)) await follower.onJob(job);
      await follower.drain();
    }
  } finally {
    watching.abort();
    opts.signal.removeEventListener('abort', stopAll);
    await follower.stop();
    await jobsLoop;
  }
  return last;
}
