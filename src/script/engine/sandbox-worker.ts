/**
 * The engine's handle on one sandbox worker thread: message routing, the watchdog check, termination.
 * Idle workers are unref'd so they never keep the process alive on their own.
 */
import { Worker } from 'node:worker_threads';
import type { FromWorker, ToWorker } from '../protocol.ts';
import { WATCH_CELL_BYTES, WatchCell } from '../sandbox/watch-cell.ts';

export interface SandboxWorkerEvents {
  message(worker: SandboxWorker, message: FromWorker): void;
  /** The thread is gone. `culprit` is the build whose guest code overran its slice, if that was why. */
  exit(worker: SandboxWorker, culprit: number | undefined, detail: string): void;
}

const WORKER_URL = new URL('../sandbox/worker.ts', import.meta.url);

export class SandboxWorker {
  /** Build incarnations hosted by this worker. */
  readonly builds = new Set<number>();
  readonly #worker: Worker;
  readonly #cell: WatchCell;
  readonly #events: SandboxWorkerEvents;
  #gone = false;
  #killedFor: number | undefined;

  constructor(events: SandboxWorkerEvents) {
    this.#events = events;
    const watchBuffer = new SharedArrayBuffer(WATCH_CELL_BYTES);
    this.#cell = new WatchCell(watchBuffer);
    this.#worker = new Worker(WORKER_URL, { workerData: { watchBuffer }, resourceLimits: { stackSizeMb: 8 } });
    this.#worker.on('message', (message: FromWorker) => {
      this.#events.message(this, message);
    });
    this.#worker.on('error', (error: Error) => {
      this.#exited(`sandbox worker crashed: ${error.message}`);
    });
    this.#worker.on('exit', (code: number) => {
      this.#exited(`sandbox worker exited with code ${code}`);
    });
    this.#worker.unref();
  }

  get gone(): boolean {
    return this.#gone;
  }

  send(message: ToWorker): void {
    if (!this.#gone) this.#worker.postMessage(message);
  }

  add(id: number): void {
    this.builds.add(id);
    this.#worker.ref();
  }

  remove(id: number): void {
    this.builds.delete(id);
    if (this.builds.size === 0) this.#worker.unref();
  }

  /** Terminates the worker when guest code ran `graceMs` past its slice deadline (a long built-in). */
  checkWatchdog(now: number, graceMs: number): void {
    if (this.#gone || this.#killedFor !== undefined) return;
    const { buildId, deadline } = this.#cell.read();
    if (buildId !== 0 && now > deadline + graceMs) {
      this.#killedFor = buildId;
      this.#worker.terminate().then(undefined, (error: unknown) => {
        this.#exited(`terminating the sandbox worker failed: ${String(error)}`);
      });
    }
  }

  async terminate(): Promise<void> {
    this.#gone = true;
    await this.#worker.terminate();
  }

  #exited(detail: string): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#events.exit(this, this.#killedFor, detail);
  }
}
