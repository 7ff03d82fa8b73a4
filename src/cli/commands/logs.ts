// `logs BUILD [--job NAME] [--follow]`: job logs of a build, each line prefixed with its job's name.
// A finished job's log comes from its pod while the pod exists, else from the log kept on the Job CR.
import type { Writable } from 'node:stream';
import type { Command } from '../command.ts';
import { BrigadeClient } from './client.ts';
import { followBuild, linePrefixer } from './follow.ts';
import { CommandError, connect, KUBE_USAGE, parseCommandLine, UsageError } from './options.ts';
import { isBuildOver, jobDisplayName, type BuildObject, type JobObject } from './resources.ts';
import { runReporting, withInterrupt } from './run.ts';

const USAGE = [
  'Usage: brigade-operator logs BUILD [--job NAME] [--follow] [options]',
  '',
  "Prints the script's console output and each job's log, prefixed with the job name.",
  '',
  '  --job NAME   only this job (its name in the script)',
  '  -f, --follow keep streaming until the build is over',
  ...KUBE_USAGE,
].join('\n');

const OPTIONS = { job: { type: 'string' }, follow: { type: 'boolean', short: 'f' } } as const;

function byStart(a: JobObject, b: JobObject): number {
  return (a.status?.startTime ?? a.metadata.creationTimestamp ?? '').localeCompare(
    b.status?.startTime ?? b.metadata.creationTimestamp ?? '',
  );
}

async function printFinished(
  client: BrigadeClient,
  build: BuildObject,
  opts: { job?: string; out: Writable },
): Promise<void> {
  const jobs = (await client.listJobs(build.metadata.name ?? '')).sort(byStart);
  if (opts.job && !jobs.some((j) => jobDisplayName(j) === opts.job)) {
    const names = jobs.map(jobDisplayName).join(', ') || 'none';
    throw new CommandError(`build ${build.metadata.name} has no job ${opts.job} (jobs: ${names})`);
  }
  if (!opts.job && build.status?.logTail) {
    const script = linePrefixer(opts.out, '[brigade.js] ');
    script.write(build.status.logTail);
    script.flush();
  }
  for (const job of jobs) {
    if (opts.job && jobDisplayName(job) !== opts.job) continue;
    const pod = job.status?.podName;
    const text = (pod ? await client.podLog(pod) : undefined) ?? job.status?.logTail ?? '';
    const out = linePrefixer(opts.out, `[${jobDisplayName(job)}] `);
    out.write(text);
    out.flush();
  }
}

export const logsCommand: Command = {
  summary: 'print (or follow) the job logs of a build',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'logs', usage: USAGE, io }, async () => {
      const { values, positionals } = parseCommandLine(argv, OPTIONS);
      if (positionals.length !== 1) throw new UsageError('logs takes exactly one BUILD');
      const [name] = positionals;
      const target = connect(values, io.env);
      const client = new BrigadeClient(target);
      const build = await client.getBuild(name);
      if (!build) throw new CommandError(`build ${name} not found in namespace ${target.namespace}`);
      if (values.follow && !isBuildOver(build)) {
        await withInterrupt((signal) =>
          followBuild({ client, build: name, out: io.stdout, progress: io.stderr, job: values.job, signal }),
        );
        return 0;
      }
      await printFinished(client, build, { job: values.job, out: io.stdout });
      return 0;
    }),
};
