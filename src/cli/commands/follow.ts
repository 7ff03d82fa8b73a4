// Following a Build as it runs: its phase changes and job starts as progress lines, each job's log
// with its name as prefix (the pod log while the pod runs; the log kept on the Job CR once the pod is
// gone), until the build is over. Watches, never polls.
import type { Writable } from 'node:stream';
import type { BrigadeClient } from './client.ts';
import { isBuildOver, isJobOver, jobDisplayName, type BuildObject, type JobObject } from './resources.ts';

export interface FollowOptions {
  client: BrigadeClient;
  build: string;
  /** Where job logs go. */
  out: Writable;
  /** Where progress lines go (null: no progress). */
  progress: Writable | null;
  /** Only this job's log (logs --job). */
  job?: string;
  signal: AbortSignal;
  /** How long log streams may still run after the build is over before they are cut (default 5 s). */
  drainMs?: number;
}

/** Writes complete lines with a prefix, holding back a partial line until its end arrives. */
export function linePrefixer(out: Writable, prefix: string): { write(chunk: string): void; flush(): void } {
  let pending = '';
  return {
    write(chunk) {
      const text = pending + chunk;
      const lines = text.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) out.write(`${prefix}${line}\n`);
    },
    flush() {
      if (pending) out.write(`${prefix}${pending}\n`);
      pending = '';
    },
  };
}

interface JobTrack {
  phase?: string;
  /** 'streaming' once a pod log follow started; 'printed' once the whole log was written. */
  log: 'none' | 'streaming' | 'printed';
}

class BuildFollower {
  private readonly opts: FollowOptions;
  private readonly jobs = new Map<string, JobTrack>();
  private readonly streams = new Set<Promise<void>>();
  private readonly streamsAbort = new AbortController();
  private buildPhase?: string;

  constructor(opts: FollowOptions) {
    this.opts = opts;
  }

  private note(line: string): void {
    this.opts.progress?.write(`${line}\n`);
  }

  private wanted(job: JobObject): boolean {
    return this.opts.job === undefined || jobDisplayName(job) === this.opts.job;
  }

  onBuild(build: BuildObject): void {
    const phase = build.status?.phase ?? 'Pending';
    if (phase === this.buildPhase) return;
    this.buildPhase = phase;
    const why = build.status?.message ? `: ${build.status.message}` : '';
    this.note(`build ${build.metadata.name}: ${phase}${isBuildOver(build) ? why : ''}`);
  }

  async onJob(job: JobObject): Promise<void> {
    const name = jobDisplayName(job);
    const track = this.jobs.get(name) ?? { log: 'none' };
    this.jobs.set(name, track);
    const phase = job.status?.phase ?? 'Pending';
    if (phase !== track.phase) {
      track.phase = phase;
      const where = job.status?.nodeName ? ` on ${job.status.nodeName}` : '';
      const why = isJobOver(job) && job.status?.message ? `: ${job.status.message}` : '';
      this.note(`job ${name}: ${phase}${phase === 'Running' ? where : ''}${why}`);
    }
    if (!this.wanted(job) || track.log !== 'none') return;
    const pod = job.status?.podName;
    if (!isJobOver(job) && pod && phase === 'Running') await this.startStream(name, pod, track);
    else if (isJobOver(job)) await this.printFinishedLog(name, job, track);
  }

  private async startStream(name: string, pod: string, track: JobTrack): Promise<void> {
    track.log = 'streaming'; // before the await: a concurrent update of the same job must not start a second stream
    const stream = await this.opts.client.followPodLog(pod, this.streamsAbort.signal);
    if (!stream) {
      track.log = 'none'; // Pod gone already: the Job CR's stored log is printed once the job is over.
      return;
    }
    const out = linePrefixer(this.opts.out, `[${name}] `);
    const done = (async () => {
      for await (const chunk of stream) out.write(chunk.toString('utf8'));
      out.flush();
    })();
    const settled = done.catch((err: unknown) => {
      this.note(`job ${name}: log stream ended: ${(err as Error).message}`);
    });
    this.streams.add(settled);
    void settled.finally(() => this.streams.delete(settled));
  }

  private async printFinishedLog(name: string, job: JobObject, track: JobTrack): Promise<void> {
    track.log = 'printed';
    const pod = job.status?.podName;
    const full = pod ? await this.opts.client.podLog(pod) : undefined;
    const text = full ?? job.status?.logTail ?? '';
    const out = linePrefixer(this.opts.out, `[${name}] `);
    out.write(text);
    out.flush();
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

  stop(): void {
    this.streamsAbort.abort();
  }
}

/** Follows the build to its end; resolves with its final state (or the last seen if the signal aborts). */
export async function followBuild(opts: FollowOptions): Promise<BuildObject | undefined> {
  const follower = new BuildFollower(opts);
  const watching = new AbortController();
  const stopAll = (): void => {
    watching.abort();
  };
  opts.signal.addEventListener('abort', stopAll, { once: true });
  const jobsLoop = (async () => {
    for await (const change of opts.client.watchJobs(opts.build, watching.signal)) {
      if (change.type !== 'DELETED') await follower.onJob(change.object);
    }
  })().catch((err: unknown) => {
    // After the build is over the watch is aborted on purpose; before that, say that job output may be missing.
    if (!watching.signal.aborted)
      opts.progress?.write(`warning: watching the build's jobs failed: ${(err as Error).message}\n`);
  });
  let last: BuildObject | undefined;
  try {
    for await (const change of opts.client.watchOne<BuildObject>('builds', opts.build, watching.signal)) {
      if (change.type === 'DELETED') break;
      last = change.object;
      follower.onBuild(last);
      if (isBuildOver(last)) break;
    }
    // The build is over: every job is too. Catch up on jobs whose last change the watch has not shown yet.
    if (last && isBuildOver(last)) {
      for (const job of await opts.client.listJobs(opts.build)) await follower.onJob(job);
    }
    await follower.drain();
  } finally {
    watching.abort();
    follower.stop();
    opts.signal.removeEventListener('abort', stopAll);
    await jobsLoop;
  }
  return last;
}
