// `logs BUILD [--job NAME] [--follow]`: job logs of a build, each line prefixed with its job's name.
// A finished job's log comes from its pod while the pod exists, else from the log kept on the Job CR.
import type { Command } from '../command.ts';
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
  '',
  "The project's secret values are redacted from every line.",
  ...KUBE_USAGE,
].join('\n');

const OPTIONS = {
  job: { type: 'string' },
  follow: { type: 'boolean', short: 'f' },
  timestamps: { type: 'boolean' },
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
