// The job container's command and args. Tasks become one script, run by the job's shell, that stops
// at the first failing task. A job without tasks or command runs its image's own entrypoint, as
// Brigade 1 did (`args`, if any, are passed to it); refusals.ts keeps such jobs off the virtual node
// when that cannot work there (ACI refuses args without command; the inline source clone needs a
// command to run first).
import type { EffectiveJob } from './effective.ts';

/** Brigade 1's prelude: `set -e` for /bin/sh, `set -eo pipefail` for /bin/bash, nothing for other shells. */
export function shellPrelude(shell: EffectiveJob['shell']): string | undefined {
  if (shell === '/bin/bash') return 'set -eo pipefail';
  return shell === '/bin/sh' ? 'set -e' : undefined;
}

/** True when the shell is one the clone prefix (POSIX shell code) can run in. */
function runsPosixCode(shell: string): boolean {
  return shellPrelude(shell) !== undefined;
}

export interface ContainerCommand {
  /** Unset: the image's entrypoint runs. */
  command?: string[];
  args?: string[];
}

/** True when the job leaves the container command to its image (no tasks, no command). */
export function usesImageEntrypoint(eff: EffectiveJob): boolean {
  return (eff.spec.tasks ?? []).length === 0 && (eff.spec.command ?? []).length === 0;
}

/**
 * tasks: `[shell, -c, script, <job name>]` + args, so the args are the script's $1, $2...
 * command (no tasks): the command as given + args, unless a prefix (the source clone) must run
 * first; then the shell runs the prefix and `exec "$@"` with command + args as its arguments.
 * neither: command unset, so the image's entrypoint runs, with the args when there are any. A prefix
 * cannot run before an entrypoint nobody knows; refusalFor refuses that combination beforehand.
 */
export function containerCommand(eff: EffectiveJob, prefix?: string): ContainerCommand {
  const { spec, shell } = eff;
  const args = spec.args ?? [];
  const withArgs = (command: string[], list: string[]): ContainerCommand =>
    list.length > 0 ? { command, args: list } : { command };
  const tasks = spec.tasks ?? [];
  const prelude = shellPrelude(shell);
  if (tasks.length > 0 && prefix && !runsPosixCode(shell))
    // Another shell may not speak sh: /bin/sh runs the prefix, then hands over to the job's shell.
    return {
      command: ['/bin/sh', '-c', ['set -e', prefix, 'exec "$@"'].join('\n'), spec.name],
      args: [shell, '-c', tasks.join('\n'), spec.name, ...args],
    };
  const lead = [...(prelude ? [prelude] : []), ...(prefix ? [prefix] : [])];
  if (tasks.length > 0) return withArgs([shell, '-c', [...lead, ...tasks].join('\n'), spec.name], args);
  const command = spec.command ?? [];
  if (command.length === 0) return args.length > 0 ? { args: [...args] } : {};
  if (!prefix) return withArgs([...command], args);
  const launcher = runsPosixCode(shell) ? shell : '/bin/sh';
  return withArgs(
    [launcher, '-c', [shellPrelude(launcher) ?? 'set -e', prefix, 'exec "$@"'].join('\n'), spec.name],
    [...command, ...args],
  );
}
