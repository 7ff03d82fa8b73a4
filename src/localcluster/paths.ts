// Where the local control plane's sources live in the repository and where its build outputs are
// cached: outside the clone, so a fresh clone (and CI) reuses binaries and images built from the
// same inputs.
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLUSTER_SOURCES = join(REPO_ROOT, 'cluster');

/** BRIGADE_CACHE_DIR, else $XDG_CACHE_HOME/brigade-operator, else ~/.cache/brigade-operator. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const explicit = env['BRIGADE_CACHE_DIR'];
  if (explicit) return explicit;
  return join(env['XDG_CACHE_HOME'] || join(homedir(), '.cache'), 'brigade-operator');
}
