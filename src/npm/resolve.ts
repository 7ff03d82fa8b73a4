// Resolving declared dependencies to a lock, as npm would: the highest version that satisfies each
// range (a version already in the tree is reused when it satisfies), transitively. Every package is
// fetched and checked on the way, so whatever cannot run in the sandbox is refused here, when the
// Project is reconciled, not in a build.
import semver from 'semver';
import type { RegistryClient, VersionManifest } from './registry.ts';
import type { PackageStore } from './store.ts';
import {
  DependencyError,
  packageKey,
  type DeclaredDependencies,
  type DependencyLock,
  type LockedPackage,
  type PackageLimits,
} from './types.ts';

export interface ResolveOptions {
  client: RegistryClient;
  store: PackageStore;
  limits: PackageLimits;
  /** Names the sandbox provides itself (brigadier): never fetched, whatever a package declares. */
  provided: ReadonlySet<string>;
  /** Node built-ins the sandbox refuses (name -> what they would give): a package that requires one is refused. */
  refused: ReadonlyMap<string, string>;
}

const NAME = /^(@[a-z0-9][a-z0-9._~-]*\/)?[a-z0-9][a-z0-9._~-]*$/;

export async function resolveDependencies(
  declared: DeclaredDependencies,
  opts: ResolveOptions,
): Promise<DependencyLock> {
  const packuments = new Map<string, Promise<Awaited<ReturnType<RegistryClient['packument']>>>>();
  const locked = new Map<string, LockedPackage>();
  const byName = new Map<string, string[]>();
  let totalChars = 0;

  async function pick(name: string, range: string, by: string): Promise<string> {
    if (!NAME.test(name))
      throw new DependencyError('Refused', `${by}: ${JSON.stringify(name)} is not an npm package name`);
    const known = byName.get(name)?.find((v) => semver.satisfies(v, range));
    if (known) return packageKey(name, known);
    if (semver.validRange(range) === null && !/^[a-z][a-z0-9._-]*$/i.test(range))
      throw new DependencyError(
        'Refused',
        `${by}: ${name}@${range} is not a version range or tag of the npm registry (git, file and URL dependencies are not supported)`,
      );
    let packument = packuments.get(name);
    if (!packument) {
      packument = opts.client.packument(name);
      packuments.set(name, packument);
    }
    const doc = await packument;
    const tagged = doc['dist-tags']?.[range];
    const version = tagged ?? semver.maxSatisfying(Object.keys(doc.versions), range);
    const manifest = version ? doc.versions[version] : undefined;
    if (!version || !manifest)
      throw new DependencyError('Refused', `${by}: no version of ${name} satisfies ${JSON.stringify(range)}`);
    const key = packageKey(name, version);
    if (!locked.has(key)) await add(manifest, key);
    return key;
  }

  async function add(manifest: VersionManifest, key: string): Promise<void> {
    if (manifest.hasInstallScript === true)
      throw new DependencyError(
        'Refused',
        `${key} has install scripts (native code or a build step), which the sandbox cannot run`,
      );
    if (!manifest.dist.integrity)
      throw new DependencyError('Refused', `${key} has no dist.integrity in the registry, so it cannot be checked`);
    const entry: LockedPackage = {
      name: manifest.name,
      version: manifest.version,
      integrity: manifest.dist.integrity,
      tarball: manifest.dist.tarball,
    };
    locked.set(key, entry);
    byName.set(manifest.name, [...(byName.get(manifest.name) ?? []), manifest.version]);
    if (locked.size > opts.limits.maxPackages)
      throw new DependencyError('Refused', `the dependencies need more than ${opts.limits.maxPackages} packages`);
    const contents = await opts.store.contents(entry);
    for (const [path, source] of Object.entries(contents.files)) {
      totalChars += source.length;
      if (path.endsWith('.json')) continue;
      const refused = refusedRequire(source, opts.refused);
      if (refused)
        throw new DependencyError(
          'Refused',
          `${key} requires the Node built-in '${refused}' (${path}), which would give it ${opts.refused.get(refused) ?? 'host access'}; the sandbox refuses it`,
        );
    }
    if (totalChars > opts.limits.maxTotalChars)
      throw new DependencyError(
        'Refused',
        `the dependencies hold more than ${opts.limits.maxTotalChars} characters of JavaScript and JSON`,
      );
    const deps: Record<string, string> = {};
    for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
      if (opts.provided.has(dep)) continue;
      deps[dep] = await pick(dep, range, key);
    }
    if (Object.keys(deps).length > 0) entry.dependencies = deps;
  }

  const roots: Record<string, string> = {};
  for (const [name, range] of Object.entries(declared).sort(([a], [b]) => a.localeCompare(b))) {
    if (opts.provided.has(name)) continue;
    roots[name] = await pick(name, range, 'brigade.js');
  }
  const packages = [...locked.values()].sort((a, b) =>
    packageKey(a.name, a.version).localeCompare(packageKey(b.name, b.version)),
  );
  return { roots, packages };
}

/** The first refused built-in that the source requires with a literal name, if any. */
function refusedRequire(source: string, refused: ReadonlyMap<string, string>): string | undefined {
  for (const match of source.matchAll(/\brequire\s*\(\s*(['"])(?:node:)?([a-z_/]+)\1\s*\)/g)) {
    const name = match[2];
    if (refused.has(name)) return name;
  }
  return undefined;
}
