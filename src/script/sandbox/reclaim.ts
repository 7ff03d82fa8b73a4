/**
 * Giving the memory of freed sandboxes back. Each build's QuickJS instance has its own WebAssembly
 * memory, released only when the worker's garbage collector finds it unreachable; a worker's own JS
 * heap is small and rarely collected, so hundreds of freed instances (builds that ended or were
 * hibernated) stayed resident. After sandboxes are freed, a full collection is run, at most once per
 * interval. The collector is reached the way jest's leak detector does: --expose-gc set at run time,
 * then `gc` taken from a fresh context (only this worker's code can call it; no guest ever sees it).
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const INTERVAL_MS = 250;

function exposedGc(): (() => void) | undefined {
  setFlagsFromString('--expose-gc');
  const gc: unknown = runInNewContext('typeof gc === "function" ? gc : undefined');
  return typeof gc === 'function' ? (gc as () => void) : undefined;
}

export class SandboxReclaimer {
  readonly #gc = exposedGc();
  #timer: NodeJS.Timeout | undefined;

  /** A sandbox was freed: collect soon (once for many). */
  freed(): void {
    if (!this.#gc || this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#gc?.();
    }, INTERVAL_MS);
    this.#timer.unref();
  }
}
