// `rerun BUILD [--all]`: a new Build of the same Event and script; jobs that succeeded in the original
// with the same name and spec return their recorded results instead of running again.
import type { Command, CommandIO } from '../command.ts';
import { BrigadeClient } from './client.ts';
import { watchBuild } from './exec.ts';
import { CommandError, connect, KUBE_USAGE, parseCommandLine, UsageError } from './options.ts';
import { runReporting, withInterrupt } from './run.ts';

const USAGE = [
  'Usage: brigade-operator rerun BUILD [options]',
  '',
  'Runs a finished build again: the same event, script, files and dependency lock. A job that',
  'succeeded in BUILD with the same name and spec is not run again; it returns its recorded result',
  '(log and status) to the script and shows as Reused. Follows the new build like exec.',
  '',
  '  --all              run every job again',
  '  --no-follow        print the new build name and exit',
  '  --no-timestamps    job log lines without their HH:MM:SS prefix',
  ...KUBE_USAGE,
].join('\n');

const OPTIONS = {
  all: { type: 'boolean' },
  'no-follow': { type: 'boolean' },
  'no-timestamps': { type: 'boolean' },
} as const;

async function rerun(argv: string[], io: CommandIO, signal: AbortSignal): Promise<number> {
  const { values, positionals } = parseCommandLine(argv, OPTIONS);
  if (positionals.length !== 1) throw new UsageError('rerun takes exactly one BUILD');
  const [name] = positionals;
  const target = connect(values, io.env);
  const client = new BrigadeClient(target);
  const created = await client.rerunBuild(name, { all: values.all === true });
  const buildName = created.metadata.name ?? '';
  if (values['no-follow']) {
    io.stdout.write(`${buildName}\n`);
    return 0;
  }
  io.stderr.write(`build ${buildName} created: rerun of ${name}${values.all ? ' (every job)' : ''}\n`);
  const project = await client.getProject(created.spec.project);
  if (!project) throw new CommandError(`project ${created.spec.project} not found in namespace ${target.namespace}`);
  return watchBuild(client, { io, build: buildName, project, values, signal });
}

export const rerunCommand: Command = {
  summary: 'run a finished build again, reusing the jobs that succeeded (--all: every job)',
  usage: USAGE,
  run: (argv, io) => runReporting({ name: 'rerun', usage: USAGE, io }, () => withInterrupt((s) => rerun(argv, io, s))),
};
