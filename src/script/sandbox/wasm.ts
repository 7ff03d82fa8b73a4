/**
 * The few WebAssembly APIs the sandbox uses, typed here because the project's `lib` (es2024, no DOM)
 * does not declare the WebAssembly namespace.
 */
import ngVariant from '@jitl/quickjs-ng-wasmfile-release-sync';
import type { QuickJSSyncVariant } from 'quickjs-emscripten-core';

/** A compiled WebAssembly module (opaque here). */
export interface WasmModule {
  readonly [Symbol.toStringTag]: string;
}

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

interface WasmApi {
  compile(bytes: Uint8Array): Promise<WasmModule>;
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}

export const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** quickjs-ng, sync build: its interrupt handling survives promise-executor tricks (see the ADR). */
export const quickjsNgVariant = ngVariant as unknown as QuickJSSyncVariant;
