// `builds [PROJECT]`: the builds of the namespace (or of one project), newest first.
import type { Command } from '../command.ts';
import { BrigadeClient } from './client.ts';
import { CommandError, connect, KUBE_USAGE, parseCommandLine, UsageError } from './options.ts';
import { BUILD_HEADER, buildRow, newestFirst } from './resources.ts';
import { runReporting } from './run.ts';
import { formatTable } from './table.ts';

const USAGE = [
  'Usage: brigade-operator builds [PROJECT] [options]',
  '',
  'Lists builds, newest first.',
  '',
  ...KUBE_USAGE,
].join('\n');

export const buildsCommand: Command = {
  summary: 'list builds (of one project or all)',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'builds', usage: USAGE, io }, async () => {
      const { values, positionals } = parseCommandLine(argv, {});
      if (positionals.length > 1) throw new UsageError('builds takes at most one PROJECT');
      const [project] = positionals;
      const target = connect(values, io.env);
      const client = new BrigadeClient(target);
      if (project && !(await client.getProject(project)))
        throw new CommandError(`project ${project} not found in namespace ${target.namespace}`);
      const builds = newestFirst(await client.listBuilds(project));
      if (builds.length === 0) {
        io.stderr.write(`no builds in namespace ${target.namespace}${project ? ` for project ${project}` : ''}\n`);
        return 0;
      }
      const now = Date.now();
      io.stdout.write(
        `${formatTable(
          BUILD_HEADER,
          builds.map((b) => buildRow(b, now)),
        )}\n`,
      );
      return 0;
    }),
};
