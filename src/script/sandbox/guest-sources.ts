/**
 * The guest code every sandbox loads: the sandbox runtime, the brigadier library and the Node
 * built-ins implemented for the sandbox (`src/script/brigadier/node/<name>.js`, one CommonJS wrapper
 * each, evaluated on first `require`). Read once per worker thread.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface GuestSources {
  runtime: string;
  brigadier: string;
  /** Module name (`util`, `path`, ...) -> source of its wrapper function expression. */
  builtins: ReadonlyMap<string, string>;
}

const BRIGADIER_DIR = new URL('../brigadier/', import.meta.url);

/**
 * Node built-ins taken from well-kept pure-JavaScript npm packages rather than written here: Buffer
 * (the `buffer` package browserify and webpack use, with its two helpers) and Node's own
 * `string_decoder` as published on npm (it reads Buffer through `safe-buffer`). Each file becomes a
 * CommonJS wrapper like those in ./node; their own `require`s resolve among these names.
 */
const VENDORED: ReadonlyArray<[name: string, file: string]> = [
  ['buffer', 'buffer/index.js'],
  ['base64-js', 'base64-js/index.js'],
  ['ieee754', 'ieee754/index.js'],
  ['safe-buffer', 'safe-buffer/index.js'],
  ['string_decoder', 'string_decoder/lib/string_decoder.js'],
];

function vendored(file: string): string {
  const source = readFileSync(createRequire(import.meta.url).resolve(file), 'utf8');
  // The header stays on the first line, so the package's own line numbers hold in stack traces.
  return `(function (exports, require, module) {${source}\n})`;
}

export function readGuestSources(): GuestSources {
  const nodeDir = new URL('node/', BRIGADIER_DIR);
  const builtins = new Map<string, string>();
  for (const file of readdirSync(nodeDir).sort()) {
    if (file.endsWith('.js')) builtins.set(file.slice(0, -3), readFileSync(new URL(file, nodeDir), 'utf8'));
  }
  for (const [name, file] of VENDORED) builtins.set(name, vendored(file));
  return {
    runtime: readFileSync(new URL('runtime.js', BRIGADIER_DIR), 'utf8'),
    brigadier: readFileSync(new URL('brigadier.js', BRIGADIER_DIR), 'utf8'),
    builtins,
  };
}
