/**
 * The guest code every sandbox loads: the sandbox runtime, the brigadier library and the Node
 * built-ins implemented for the sandbox (`src/script/brigadier/node/<name>.js`, one CommonJS wrapper
 * each, evaluated on first `require`). Read once per worker thread.
 */
import { readdirSync, readFileSync } from 'node:fs';

export interface GuestSources {
  runtime: string;
  brigadier: string;
  /** Module name (`util`, `path`, ...) -> source of its wrapper function expression. */
  builtins: ReadonlyMap<string, string>;
}

const BRIGADIER_DIR = new URL('../brigadier/', import.meta.url);

export function readGuestSources(): GuestSources {
  const nodeDir = new URL('node/', BRIGADIER_DIR);
  const builtins = new Map<string, string>();
  for (const file of readdirSync(nodeDir).sort()) {
    if (file.endsWith('.js')) builtins.set(file.slice(0, -3), readFileSync(new URL(file, nodeDir), 'utf8'));
  }
  return {
    runtime: readFileSync(new URL('runtime.js', BRIGADIER_DIR), 'utf8'),
    brigadier: readFileSync(new URL('brigadier.js', BRIGADIER_DIR), 'utf8'),
    builtins,
  };
}
