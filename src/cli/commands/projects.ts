// `projects`: the projects of the namespace, whether their script is ready, what it handles and which
// intakes may create events for them.
import type { Command, CommandIO } from '../command.ts';
import { BrigadeClient } from './client.ts';
import { connect, KUBE_USAGE, parseCommandLine, UsageError } from './options.ts';
import { PROJECT_HEADER, projectRow } from './resources.ts';
import { runReporting } from './run.ts';
import { formatTable } from './table.ts';

const USAGE = [
  'Usage: brigade-operator projects [options]',
  '',
  'Lists projects with Ready, their handlers and enabled intakes.',
  '',
  ...KUBE_USAGE,
].join('\n');

export const projectsCommand: Command = {
  summary: 'list projects with their readiness and event handlers',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'projects', usage: USAGE, io }, async () => {
      const { values, positionals } = parseCommandLine(argv, {});
      if (positionals.length > 0) throw new UsageError('projects takes no arguments');
      return printProjects(io, values);
    }),
};

/** The projects table of `projects` and `project list`; exit code 0 (an empty namespace says so). */
export async function printProjects(io: CommandIO, values: Parameters<typeof connect>[0]): Promise<number> {
  const target = connect(values, io.env);
  const projects = await new BrigadeClient(target).listProjects();
  if (projects.length === 0) {
    io.stderr.write(`no projects in namespace ${target.namespace}\n`);
    return 0;
  }
  const sorted = [...projects].sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
  io.stdout.write(`${formatTable(PROJECT_HEADER, sorted.map(projectRow))}\n`);
  return 0;
}
