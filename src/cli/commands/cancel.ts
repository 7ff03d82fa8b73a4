// `cancel BUILD`: sets spec.cancel; the operator stops the build's running jobs and ends it Cancelled.
import type { Command } from '../command.ts';
import { BrigadeClient } from './client.ts';
import { CommandError, connect, KUBE_USAGE, parseCommandLine, UsageError } from './options.ts';
import { isBuildOver } from './resources.ts';
import { runReporting } from './run.ts';

const USAGE = [
  'Usage: brigade-operator cancel BUILD [options]',
  '',
  'Asks the operator to cancel a running build.',
  '',
  ...KUBE_USAGE,
].join('\n');

export const cancelCommand: Command = {
  summary: 'cancel a build',
  usage: USAGE,
  run: (argv, io) =>
    runReporting({ name: 'cancel', usage: USAGE, io }, async () => {
      const { values, positionals } = parseCommandLine(argv, {});
      if (positionals.length !== 1) throw new UsageError('cancel takes exactly one BUILD');
      const [name] = positionals;
      const target = connect(values, io.env);
      const client = new BrigadeClient(target);
      const build = await client.getBuild(name);
      if (!build) throw new CommandError(`build ${name} not found in namespace ${target.namespace}`);
      if (isBuildOver(build)) {
        io.stdout.write(`build ${name} already finished: ${build.status?.phase}\n`);
        return 0;
      }
      await client.cancelBuild(name);
      io.stdout.write(`build ${name}: cancel requested\n`);
      return 0;
    }),
};
