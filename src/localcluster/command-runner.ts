// Runs a build command to completion, streaming its output line by line to a callback and keeping a
// tail for the error message when it fails.
import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  /** Each line of stdout and stderr. */
  onLine?: (line: string) => void;
}

export class CommandFailedError extends Error {
  readonly command: string;
  readonly code: number | null;
  readonly tail: string;

  constructor(command: string, code: number | null, tail: string) {
    super(`${command} exited ${code ?? 'on a signal'}:\n${tail}`);
    this.name = 'CommandFailedError';
    this.command = command;
    this.code = code;
    this.tail = tail;
  }
}

const TAIL_LINES = 40;

export function runToCompletion(file: string, args: string[], opts: RunOptions): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: opts.signal,
    });
    const tail: string[] = [];
    const feed = (stream: NodeJS.ReadableStream): void => {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop() ?? '';
        for (const line of lines) emit(line);
      });
      stream.on('end', () => {
        if (partial) emit(partial);
      });
    };
    const emit = (line: string): void => {
      tail.push(line);
      if (tail.length > TAIL_LINES) tail.shift();
      opts.onLine?.(line);
    };
    feed(child.stdout);
    feed(child.stderr);
    child.on('error', (err) => {
      reject(new Error(`${file} could not run: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      if (code === 0) resolve();
      else reject(new CommandFailedError([file, ...args].join(' '), code, tail.join('\n')));
    });
  });
}
