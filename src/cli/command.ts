// The shape every CLI command has, so main.ts can list and dispatch them uniformly.
import type { Readable, Writable } from 'node:stream';

export interface CommandIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
}

export interface Command {
  /** One line for the command list. */
  summary: string;
  /** Full usage text printed by --help. */
  usage: string;
  /** Runs the command; resolves with the process exit code (0 ok, 1 failure, 2 usage error). */
  run(argv: string[], io: CommandIO): Promise<number>;
}

export interface StopSignal {
  /** Aborted on SIGINT/SIGTERM or by stop(). */
  signal: AbortSignal;
  /** Resolves with the reason once the signal is aborted. */
  stopped: Promise<string>;
  /** Stops without a process signal (the command ended by itself). */
  stop: (reason: string) => void;
}

/** Lets a long-running command shut down cleanly when the process is asked to stop (SIGINT/SIGTERM). */
export function untilSignalled(): StopSignal {
  const controller = new AbortController();
  let resolveStopped!: (reason: string) => void;
  const stopped = new Promise<string>((resolve) => (resolveStopped = resolve));
  const stop = (reason: string): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (controller.signal.aborted) return;
    controller.abort(new Error(reason));
    resolveStopped(reason);
  };
  const onSignal = (name: NodeJS.Signals): void => {
    stop(`received ${name}`);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return { signal: controller.signal, stopped, stop };
}
