// Asking the questions of an interactive command on a terminal, one line each, with a default
// shown in brackets. Used only when stdin is a TTY; every answer also has a flag, so scripts never
// need it.
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CommandError } from './options.ts';

export interface Asker {
  text(question: string, fallback?: string): Promise<string>;
  yesNo(question: string, fallback: boolean): Promise<boolean>;
  close(): void;
}

export function terminalAsker(input: Readable, output: Writable): Asker {
  // The line iterator buffers: answers typed (or pasted) ahead of their question are not lost.
  const rl = createInterface({ input, terminal: false });
  const lines = rl[Symbol.asyncIterator]();
  const answer = async (prompt: string): Promise<string> => {
    output.write(prompt);
    const next = await lines.next();
    if (next.done) throw new CommandError('stdin ended before every question was answered');
    return next.value.trim();
  };
  return {
    async text(question, fallback) {
      return (await answer(`? ${question}${fallback ? ` [${fallback}]` : ''}: `)) || (fallback ?? '');
    },
    async yesNo(question, fallback) {
      for (;;) {
        const reply = (await answer(`? ${question} (${fallback ? 'Y/n' : 'y/N'}): `)).toLowerCase();
        if (!reply) return fallback;
        if (['y', 'yes'].includes(reply)) return true;
        if (['n', 'no'].includes(reply)) return false;
        output.write('  please answer y or n\n');
      }
    },
    close() {
      rl.close();
    },
  };
}
