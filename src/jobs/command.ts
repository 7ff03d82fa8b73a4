// The job container's command and args. The command is always set: virtual nodes refuse args
// without a command, and an image's entrypoint is never run implicitly. Tasks become one script,
// run by the job's shell, that stops at the first failing task.
import type { EffectiveJob } from './effective.ts';

export function shellPrelude(shell: EffectiveJob['shell']): string {
  return shell === '/bin/bash' ? 'set -eo pipefail' : 'set -e';
}

export interface ContainerCommand {
  command: string[];
  args?: string[];
}

/**
 * tasks: `[shell, -c, script, <job name>]` + args, so the args are the script's $1, $2...
 * command (no tasks): the command as given + args, unless a prefix (the source clone) must run
 * first; then the shell runs the prefix and `exec "$@"` with command + args as its arguments.
 * args alone: the shell execs them, so they are the command line.
 */
export function containerCommand(eff: EffectiveJob, prefix?: string): ContainerCommand {
  const { spec, shell } = eff;
  const args = spec.args ?? [];
  const withArgs = (command: string[], list: string[]): ContainerCommand => (list.length > 0 ? { command, args: list } : { command });
  const tasks = spec.tasks ?? [];
  const lead = [shellPrelude(shell), ...(prefix ? [prefix] : [])];
  if (tasks.length > 0) return withArgs([shell, '-c', [...lead, ...tasks].join('\n'), spec.name], args);
  const command = spec.command ?? [];
  if (command.length > 0 && !prefix) return withArgs([...command], args);
  return withArgs([shell, '-c', [...lead, 'exec "$@"'].join('\n'), spec.name], [...command, ...args]);
}
