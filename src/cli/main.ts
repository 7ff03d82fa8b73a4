// brigade-operator: one binary for the operator (`run`), the development cluster (`dev`, `sim`),
// the event gateway and the brig-style client commands. This file only dispatches.
import { commands as clientCommands } from './commands/index.ts';
import { clusterCommand } from './cluster.ts';
import { devCommand } from './dev.ts';
import { runCommand } from './run.ts';
import { simCommand } from './sim.ts';
import type { Command, CommandIO } from './command.ts';

const builtins: Record<string, Command> = {
  run: runCommand,
  dev: devCommand,
  sim: simCommand,
  cluster: clusterCommand,
};

function allCommands(): Record<string, Command> {
  return { ...builtins, ...clientCommands };
}

function usage(all: Record<string, Command>): string {
  const width = Math.max(...Object.keys(all).map((name) => name.length));
  const lines = Object.entries(all).map(([name, cmd]) => `  ${name.padEnd(width)}  ${cmd.summary}`);
  return [
    'Usage: brigade-operator <command> [options]',
    '',
    'Commands:',
    ...lines,
    '',
    'Run `brigade-operator <command> --help` for the options of one command.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const all = allCommands();
  const [name, ...rest] = argv;
  const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${usage(all)}\n`);
    return name ? 0 : 2;
  }
  // A name typed on the command line, so not necessarily a key (nor an own property) of the table.
  const command = Object.hasOwn(all, name) ? all[name] : undefined;
  if (!command) {
    io.stderr.write(`brigade-operator: unknown command "${name}"\n\n${usage(all)}\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.stdout.write(`${command.usage}\n`);
    return 0;
  }
  return command.run(rest, io);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`brigade-operator: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
