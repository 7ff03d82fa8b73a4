/**
 * Sandboxes made ahead of the builds that will use them. Making one is most of a build's start: a
 * WebAssembly instance of QuickJS with its own memory, a runtime and a context, and the brigadier
 * runtime and library compiled in it (about 10 ms, half of it compiling those 40 KB of guest code).
 * The worker makes the next one while it has nothing else to do, so a build starts on one that is
 * ready. Each is handed to exactly one build and never comes back: a build's heap never meets
 * another's. Nothing build-specific is in a prepared sandbox; the build's bridge, limits and
 * replay record are bound when it takes it (BuildSandbox.create).
 */
import { newQuickJSWASMModuleFromVariant, newVariant } from 'quickjs-emscripten-core';
import type { QuickJSContext, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import type { GuestSources } from './guest-sources.ts';
import { quickjsNgVariant, wasm, type WasmModule } from './wasm.ts';

/** Guest stack: deep recursion must hit QuickJS's own check before the host's stack. */
const MAX_STACK_BYTES = 512 * 1024;

export interface PreparedSandbox {
  /** The instance's memory bound, in WebAssembly pages (the build's memory cap). */
  readonly pages: number;
  readonly runtime: QuickJSRuntime;
  readonly ctx: QuickJSContext;
  /** The compiled guest functions (brigadier.js's factory, runtime.js's createRuntime), not yet called. */
  readonly brigadierFactory: QuickJSHandle;
  readonly createRuntime: QuickJSHandle;
}

const WASM_PAGE = 64 * 1024;
/** The QuickJS-ng build declares 256 pages (16 MiB) of initial memory; less cannot be instantiated. */
const MIN_PAGES = 256;

/** The memory bound, in WebAssembly pages, of a sandbox whose build may use `memoryBytes`. */
export function pagesFor(memoryBytes: number): number {
  return Math.max(MIN_PAGES, Math.ceil(memoryBytes / WASM_PAGE));
}

export async function prepareSandbox(
  wasmModule: WasmModule,
  sources: GuestSources,
  pages: number,
): Promise<PreparedSandbox> {
  const wasmMemory = new wasm.Memory({ initial: MIN_PAGES, maximum: pages });
  const module = await newQuickJSWASMModuleFromVariant(
    newVariant(quickjsNgVariant, { wasmModule: wasmModule as never, wasmMemory: wasmMemory as never }),
  );
  const runtime = module.newRuntime();
  runtime.setMaxStackSize(MAX_STACK_BYTES);
  const ctx = runtime.newContext();
  // Our own code, compiled only (each file is one function expression): nothing of it runs yet.
  const brigadierFactory = ctx.unwrapResult(ctx.evalCode(sources.brigadier, 'brigadier.js'));
  const createRuntime = ctx.unwrapResult(ctx.evalCode(sources.runtime, 'brigadier-runtime.js'));
  return { pages, runtime, ctx, brigadierFactory, createRuntime };
}

export function disposePrepared(p: PreparedSandbox): void {
  p.brigadierFactory.dispose();
  p.createRuntime.dispose();
  p.ctx.dispose();
  p.runtime.dispose();
}

export interface SandboxSource {
  /** A sandbox for one build whose memory bound is `pages`; the caller owns it from here on. */
  take(pages: number): Promise<PreparedSandbox>;
}

/**
 * Keeps up to `size` sandboxes of one memory bound: the default limits', which almost every build
 * runs with. A build with other limits (an inspection, a project's own) gets one made for it.
 */
export class SandboxPool implements SandboxSource {
  readonly #wasmModule: WasmModule;
  readonly #sources: GuestSources;
  readonly #size: number;
  readonly #pages: number;
  readonly #ready: PreparedSandbox[] = [];
  #filling = false;
  #closed = false;

  constructor(o: { wasmModule: WasmModule; sources: GuestSources; size: number; pages: number }) {
    this.#wasmModule = o.wasmModule;
    this.#sources = o.sources;
    this.#size = o.size;
    this.#pages = o.pages;
  }

  /** Sandboxes ready now (for tests). */
  get ready(): number {
    return this.#ready.length;
  }

  async take(pages: number): Promise<PreparedSandbox> {
    if (pages !== this.#pages) return prepareSandbox(this.#wasmModule, this.#sources, pages);
    const ready = this.#ready.shift();
    this.fill();
    return ready ?? (await prepareSandbox(this.#wasmModule, this.#sources, pages));
  }

  /**
   * Makes sandboxes until `size` are ready: one per turn of the event loop, so a build's message
   * waits at most for one being made, and only while the pool is short.
   */
  fill(): void {
    if (this.#filling || this.#closed) return;
    this.#filling = true;
    setImmediate(() => {
      void this.#fillOne();
    });
  }

  close(): void {
    this.#closed = true;
    for (const p of this.#ready.splice(0)) disposePrepared(p);
  }

  async #fillOne(): Promise<void> {
    if (this.#closed || this.#ready.length >= this.#size) {
      this.#filling = false;
      return;
    }
    try {
      const prepared = await prepareSandbox(this.#wasmModule, this.#sources, this.#pages);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() may have come during the await
      if (this.#closed) disposePrepared(prepared);
      else this.#ready.push(prepared);
    } catch {
      // A sandbox that cannot be made now is made by the build that needs it, which reports why.
      this.#filling = false;
      return;
    }
    setImmediate(() => {
      void this.#fillOne();
    });
  }
}
