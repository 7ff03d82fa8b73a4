/**
 * What a sandbox worker is executing, shared with the watchdog on the main thread through a
 * SharedArrayBuffer: the id of the build whose guest code runs now (0: none) and the epoch-ms deadline
 * of that slice. The interrupt handler enforces the deadline between bytecodes; the watchdog enforces
 * it for long built-ins (`'x'.repeat(1e9)`) that never reach an interrupt check, by terminating the
 * worker.
 */
export const WATCH_CELL_BYTES = 16;

export interface WatchSnapshot {
  buildId: number;
  deadline: number;
}

export class WatchCell {
  readonly #ids: Int32Array;
  readonly #deadline: Float64Array;

  constructor(buffer: SharedArrayBuffer) {
    this.#ids = new Int32Array(buffer, 0, 1);
    this.#deadline = new Float64Array(buffer, 8, 1);
  }

  enter(buildId: number, deadline: number): void {
    this.#deadline[0] = deadline;
    Atomics.store(this.#ids, 0, buildId);
  }

  leave(): void {
    Atomics.store(this.#ids, 0, 0);
  }

  read(): WatchSnapshot {
    const buildId = Atomics.load(this.#ids, 0);
    // A one-element array: index 0 is always there.
    return { buildId, deadline: this.#deadline[0] };
  }
}
