// Fetched packages, keyed by name@version and integrity: in memory, and in a directory when one is
// given (so an operator restart does not fetch again). Every replica fills its own store from the
// same lock; the integrity makes what it fetches the same bytes everywhere, so nothing is shared.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RegistryClient } from './registry.ts';
import { checkIntegrity, unpack } from './tarball.ts';
import { DependencyError, packageKey, type LockedPackage, type PackageContents, type PackageLimits } from './types.ts';

/** Packages kept in memory; a Project's tree is loaded again for every build and inspection. */
const MEMORY_ENTRIES = 512;

export interface PackageStore {
  /** The package's loadable files, fetched and checked against its integrity on a miss. */
  contents(locked: LockedPackage): Promise<PackageContents & { manifest: Record<string, unknown> }>;
}

type Entry = PackageContents & { manifest: Record<string, unknown> };

export function packageStore(opts: { client: RegistryClient; limits: PackageLimits; dir?: string }): PackageStore {
  const memory = new Map<string, Promise<Entry>>();
  async function load(locked: LockedPackage, id: string): Promise<Entry> {
    const what = packageKey(locked.name, locked.version);
    const file = opts.dir ? join(opts.dir, `${id}.json`) : undefined;
    if (file) {
      const cached = await readFile(file, 'utf8').catch(() => undefined);
      if (cached !== undefined) return JSON.parse(cached) as Entry;
    }
    const tgz = await opts.client.tarball(locked.tarball, opts.limits.maxTarballBytes);
    checkIntegrity(tgz, locked.integrity, what);
    const entry = await unpack(tgz, what, opts.limits.maxUnpackedBytes);
    if (entry.manifest['name'] !== locked.name || entry.manifest['version'] !== locked.version)
      throw new DependencyError('Refused', `${what}: the tarball's package.json names another package`);
    if (file && opts.dir) {
      // Written under a temporary name and renamed, so a crash never leaves half a file behind.
      await mkdir(opts.dir, { recursive: true });
      const temp = `${file}.${process.pid}.tmp`;
      await writeFile(temp, JSON.stringify(entry));
      await rename(temp, file);
    }
    return entry;
  }
  return {
    contents(locked) {
      const id = createHash('sha256').update(`${locked.name}@${locked.version}\0${locked.integrity}`).digest('hex');
      const hit = memory.get(id);
      if (hit) return hit;
      const pending = load(locked, id);
      memory.set(id, pending);
      // A failure is not kept: the next build or reconcile tries the registry again.
      pending.catch(() => memory.delete(id));
      if (memory.size > MEMORY_ENTRIES) memory.delete(memory.keys().next().value as string);
      return pending;
    },
  };
}
