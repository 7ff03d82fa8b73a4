// Runs one brig-style command in a process of its own (as main.ts would), for tests of long-running
// commands that stop on SIGTERM: node test/gateway/run-command.ts NAME [args...]
import { commands } from '../../src/cli/commands/index.ts';

const [name, ...args] = process.argv.slice(2);
const command = commands[name] as (typeof commands)[string] | undefined;
if (!command) throw new Error(`unknown command ${name}`);
process.exitCode = await command.run(args, {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
});
