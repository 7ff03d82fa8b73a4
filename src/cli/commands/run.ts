// How every brig-style command ends: usage errors print the usage and exit 2, command errors print
// their message and exit 1. Unexpected errors propagate to main.ts.
import type { CommandIO } from '../command.ts';
import { CommandError, UsageError } from './options.ts';

export async function runReporting(
  opts: { name: string; usage: string; io: CommandIO },
  body: () => Promise<number>,
): Promise<number> {
  try {
    return await body();
  } catch (err) {
    if (err instanceof UsageError) {
      opts.io.stderr.write(`${opts.name}: ${err.message}\n\n${opts.usage}\n`);
      return 2;
    }
    if (err instanceof CommandError) {
      opts.io.stderr.write(`${opts.name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

/** Runs body with a signal aborted on SIGINT/SIGTERM; the handlers are removed afterwards. */
export async function withInterrupt<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const onSignal = (): void => {
    controller.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await body(controller.signal);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
