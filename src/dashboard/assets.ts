// The dashboard's front end: static files Vite built at install time (`npm run build:dashboard`,
// run by `npm ci` through the `prepare` script) into dist/dashboard. Read once at start; nothing is
// fetched from anywhere else at runtime.
import { readdir, readFile } from 'node:fs/promises';
import { extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export const DEFAULT_ASSETS_DIR = fileURLToPath(new URL('../../dist/dashboard', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
};

export interface Asset {
  body: Buffer;
  type: string;
  /** Vite names the files under assets/ by their content hash: they never change. */
  immutable: boolean;
}

export class AssetsMissingError extends Error {
  constructor(dir: string, opts: { cause: unknown }) {
    super(
      `the dashboard's front end is not built (no ${join(dir, 'index.html')}): run \`npm run build:dashboard\``,
      opts,
    );
    this.name = 'AssetsMissingError';
  }
}

/** URL path ("/", "/assets/x.js") -> file. */
export async function loadAssets(dir: string = DEFAULT_ASSETS_DIR): Promise<Map<string, Asset>> {
  let files: string[];
  try {
    await readFile(join(dir, 'index.html'));
    files = (await readdir(dir, { recursive: true, withFileTypes: true }))
      .filter((e) => e.isFile())
      .map((e) => join(e.parentPath, e.name));
  } catch (err) {
    throw new AssetsMissingError(dir, { cause: err });
  }
  const assets = new Map<string, Asset>();
  for (const file of files) {
    const path = `/${relative(dir, file).split(sep).join('/')}`;
    assets.set(path, {
      body: await readFile(file),
      type: TYPES[extname(file)] ?? 'application/octet-stream',
      immutable: path.startsWith('/assets/'),
    });
  }
  const index = assets.get('/index.html');
  if (index) assets.set('/', index);
  return assets;
}
