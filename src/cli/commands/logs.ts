// `logs BUILD [--job NAME] [--follow]`: job logs of a build, each line prefixed with its job's name.
// A finished job's log comes from its pod while the pod exists, else from the log kept on the Job CR.
import type { LogArchive } from '../../archive/index.ts';
import type { Command, CommandIO } from '../command.ts';
import { archiveFromOptions, archiveOptions, archiveUsage } from './archive-options.ts';
import { BrigadeClient } from './client.ts';
import { CONSOLE_SOURCE, followBuild, printJobLog } from './follow.ts';
import { BuildOutput, textLines } from './output.ts';
import { CommandError, connect, KUBE_USAGE, parseCommandLine, UsageError } from './options.ts';
import { isBuildOver, jobDisplayName, type BuildObject, type JobObject } from './resources.ts';
import { INTERRUPTED, runReporting, withInterrupt } from './run.ts';

const USAGE = [
  'Usage: brigade-operator logs BUILD [--job NAME] [--follow] [options]',
  '',
  "Prints the script's console output and each job's log, prefixed with the job name.",
  '',
  '  --job NAME   only this job (its name in the script)',
  '  -f, --follow keep streaming until the build is over (Ctrl-C stops following, exit 130)',
  '  --timestamps prefix each line with the time it was written',
  ...archiveUsage("read logs from the operator's log archive when the cluster no longer keeps them"),
  '',
  "A finished job's log comes from its pod while the pod exists, else from the log the operator kept.",
  'With --log-archive, a build that is gone (or a job whose kept log is gone) is read from the archive.',
  "The project's secret values are redacted from every line.",
  ...KUBE_USAGE,
].join('\n');

const OPTIONS = {
  job: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  timestamps: { type: 'boolean' },
  ...archiveOptions,
} as const;

function byStart(a: JobObject, b: JobObject): number {
  return (a.status?.startTime ?? a.metadata.creationTimestamp ?? '').localeCompare(
    b.status?.startTime ?? b.metadata.creationTimestamp ?? '',
  );
}

async function printFinished(
  client: BrigadeClient,
  build: BuildObject,
  opts: { job?: string; output: BuildOutput; livePodLogs: boolean },
): Promise<void> {
  const jobs = (await client.listJobs(build.metadata.name ?? '')).sort(byStart);
  if (opts.job && !jobs.some((j) => jobDisplayName(j) === opts.job)) {
    const names = jobs.map(jobDisplayName).join(', ') || 'none';
    throw new CommandError(`build ${build.metadata.name} has no job ${opts.job} (jobs: ${names})`);
  }
  if (!opts.job) for (const line of textLines(build.status?.logTail ?? '')) opts.output.line(CONSOLE_SOURCE, line);
  for (const job of jobs) {
    if (opts.job && jobDisplayName(job) !== opts.job) continue;
    await printJobLog(client, opts.output, job, opts.livePodLogs);
  }
}

/** The logs of a build that is gone, from the archive (already redacted when they were archived). */
async function printArchived(
  archive: LogArchive,
  at: { namespace: string; build: string },
  job: string | undefined,
  io: CommandIO,
): Promise<number> {
  const jobs = await archived(`list the archived logs of build ${at.build}`, () =>
    archive.jobsOf(at.namespace, at.build),
  );
  if (jobs.length === 0)
    throw new CommandError(
      `build ${at.build} not found in namespace ${at.namespace}, and the log archive has none of its logs`,
    );
  if (job !== undefined && !jobs.includes(job))
    throw new CommandError(
      `the log archive has no log of job ${job} of build ${at.build} (it has: ${jobs.join(', ')})`,
    );
  io.stderr.write(`build ${at.build} is gone; its job logs follow from the log archive\n`);
  const output = new BuildOutput({
    out: io.stdout,
    notes: io.stderr,
    secrets: [],
    timestamps: false,
    liveProgress: false,
  });
  for (const name of jobs) {
    if (job !== undefined && name !== job) continue;
    const text = await archived(`read the archived log of job ${name}`, () => archive.get({ ...at, job: name }));
    for (const line of textLines(text ?? '')) output.line(name, line);
  }
  return 0;
}

async function archived<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    throw new CommandError((err as Error).message || `could not ${what}`, { cause: err });
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
      const archive = archiveFromOptions(values, io.env);
      const client = new BrigadeClient({ ...target, ...(archive ? { archive } : {}) });
      const build = await client.getBuild(name);
      if (!build && archive)
        return printArchived(archive, { namespace: target.namespace, build: name }, values.job, io);
      if (!build)
        throw new CommandError(
          `build ${name} not found in namespace ${target.namespace} (with --log-archive, logs of builds that are gone are read from the archive)`,
        );
      const project = await client.getProject(build.spec.project);
      const secrets = project ? await client.projectSecretValues(project) : { values: [] };
      if ('unreadable' in secrets)
        io.stderr.write(`note: ${secrets.unreadable}; job logs are printed as the operator kept them (redacted)\n`);
      const livePodLogs = 'values' in secrets;
      const output = new BuildOutput({
        out: io.stdout,
        notes: io.stderr,
        secrets: 'values' in secrets ? secrets.values : [],
        timestamps: values.timestamps === true,
        liveProgress: false,
      });
      if (values.follow && !isBuildOver(build)) {
        return withInterrupt(async (signal) => {
          await followBuild({ client, build: name, output, job: values.job, livePodLogs, signal });
          if (!signal.aborted) return 0;
          io.stderr.write(
            `\ninterrupted: build ${name} continues on the cluster; to cancel it: brigade-operator cancel ${name} -n ${target.namespace}\n`,
          );
          return INTERRUPTED;
        });
      }
      await printFinished(client, build, { job: values.job, output, livePodLogs });
      return 0;
    }),
};
