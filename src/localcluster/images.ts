// The local image store the node agent runs containers from: no registry is reachable, so images are
// built from Debian packages by cluster/images/build.sh (which skips images whose inputs did not
// change) into the cache directory. cluster/config/images.json declares the aliases and stand-ins.
import { join } from 'node:path';
import type { BuildOptions } from './binaries.ts';
import { runToCompletion } from './command-runner.ts';
import { CLUSTER_SOURCES, REPO_ROOT, cacheDir } from './paths.ts';

export interface ImageStore {
  store: string;
  config: string;
}

export const IMAGE_CONFIG = join(CLUSTER_SOURCES, 'config', 'images.json');

export async function ensureImages(opts: BuildOptions = {}): Promise<ImageStore> {
  const store = join(cacheDir(opts.env), 'images');
  const progress = opts.onProgress ?? (() => undefined);
  await runToCompletion('bash', [join(CLUSTER_SOURCES, 'images', 'build.sh'), store, '--operator', REPO_ROOT], {
    cwd: REPO_ROOT,
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    onLine: (line) => {
      progress(`images: ${line}`);
    },
  });
  return { store, config: IMAGE_CONFIG };
}
