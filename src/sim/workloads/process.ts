// One container instance as a local process: spawned in its own process group (so a shell's children
// die with it), stdout and stderr split into lines for the log, and stopped the way the kubelet stops
// a container: SIGTERM to the group, SIGKILL once the grace period is over.

import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

export interface ProcessExit {
  exitCode: number;
  signal?: number;
  /** Set when the process could not be started at all (missing executable, bad cwd). */
  startError?: string;
}

export interface ContainerProcessOptions {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** Receives each complete line (with its newline) and the unterminated tail at exit. */
  onLine: (line: string) => void;
}

/** Like the CRI log format, a line longer than this is recorded in pieces (bounds memory for progress bars). */
const MAX_LINE = 16 * 1024;

/** Splits a byte stream into lines, keeping multi-byte characters intact across chunks. */
class LineSplitter {
  #pending = '';
  readonly #decoder = new TextDecoder();
  readonly #onLine: (line: string) => void;

  constructor(onLine: (line: string) => void) {
    this.#onLine = onLine;
  }

  push(chunk: Buffer): void {
    this.#pending += this.#decoder.decode(chunk, { stream: true });
    let newline = this.#pending.indexOf('\n');
    while (newline >= 0) {
      this.#onLine(this.#pending.slice(0, newline + 1));
      this.#pending = this.#pending.slice(newline + 1);
      newline = this.#pending.indexOf('\n');
    }
    while (this.#pending.length > MAX_LINE) {
      this.#onLine(this.#pending.slice(0, MAX_LINE));
      this.#pending = this.#pending.slice(MAX_LINE);
    }
  }

  flush(): void {
    this.#pending += this.#decoder.decode();
    if (this.#pending) this.#onLine(this.#pending);
    this.#pending = '';
  }
}

export class ContainerProcess {
  readonly exited: Promise<ProcessExit>;
  readonly #child: ChildProcess;
  #killTimer: NodeJS.Timeout | undefined;
  #killAt: number | undefined;
  #done = false;

  constructor(opts: ContainerProcessOptions) {
    const [file, ...args] = opts.argv;
    this.#child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const out = new LineSplitter(opts.onLine);
    const err = new LineSplitter(opts.onLine);
    this.#child.stdout?.on('data', (chunk: Buffer) => {
      out.push(chunk);
    });
    this.#child.stderr?.on('data', (chunk: Buffer) => {
      err.push(chunk);
    });
    this.exited = new Promise<ProcessExit>((resolve) => {
      this.#child.once('error', (error: NodeJS.ErrnoException) => {
        // 'error' without a pid means spawn failed; with a pid 'close' still follows.
        if (this.#child.pid !== undefined) return;
        this.#settle();
        resolve({ exitCode: 128, startError: startErrorMessage(file, opts.cwd, error) });
      });
      this.#child.once('exit', () => {
        // When a container's main process ends the runtime tears the container down: kill what
        // it left running in its group, or their open pipes would keep the log (and us) waiting.
        this.#signal('SIGKILL');
      });
      this.#child.once('close', (code: number | null, signal: NodeJS.Signals | null) => {
        out.flush();
        err.flush();
        this.#settle();
        resolve(
          signal
            ? { exitCode: 128 + constants.signals[signal], signal: constants.signals[signal] }
            : { exitCode: code ?? 0 },
        );
      });
    });
  }

  get pid(): number | undefined {
    return this.#child.pid;
  }

  /**
   * SIGTERM to the process group now, SIGKILL after graceMs; resolves when the process exited. A later
   * call with a shorter grace (the simulator stopping during a long graceful deletion) brings the
   * SIGKILL forward.
   */
  async stop(graceMs: number): Promise<ProcessExit> {
    if (this.#done) return this.exited;
    const killAt = Date.now() + Math.max(0, graceMs);
    if (this.#killAt === undefined) this.#signal('SIGTERM');
    if (this.#killAt === undefined || killAt < this.#killAt) {
      this.#killAt = killAt;
      clearTimeout(this.#killTimer);
      this.#killTimer = setTimeout(
        () => {
          this.#signal('SIGKILL');
        },
        Math.max(0, graceMs),
      );
    }
    return this.exited;
  }

  #signal(signal: NodeJS.Signals): void {
    const pid = this.#child.pid;
    if (pid === undefined || this.#done) return;
    try {
      process.kill(-pid, signal);
    } catch (err) {
      // ESRCH: the group is already gone, which is what we wanted.
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }

  #settle(): void {
    this.#done = true;
    clearTimeout(this.#killTimer);
  }
}

function startErrorMessage(file: string | undefined, cwd: string, error: NodeJS.ErrnoException): string {
  if (error.code === 'ENOENT') {
    return `failed to create containerd task: failed to create shim task: OCI runtime create failed: exec: "${file}": executable file not found in $PATH (or working directory ${cwd} missing): unknown`;
  }
  return `failed to start container process "${file}": ${error.message}`;
}
