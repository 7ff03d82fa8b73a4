// npm dependencies of a Project's script: declared in brigade.json beside the script (as Brigade 1's
// worker read them) and in spec.dependencies (which wins for a name in both); resolved to a lock that
// the Project's status records and each Build copies; loaded from the operator's package store.
import { createHash } from 'node:crypto';
import {
  DEFAULT_PACKAGE_LIMITS,
  packageStore,
  registryClient,
  resolveDependencies,
  type DeclaredDependencies,
  type DependencyLock,
  type PackageStore,
} from '../../npm/index.ts';
import { REFUSED_MODULES, type ScriptPackages } from '../../script/index.ts';
import type { PackageDeps } from './deps.ts';

export interface PackageSettings {
  /** The npm registry the operator resolves and fetches from (npm's public one by default). */
  registryURL?: string;
  /** Where fetched packages are kept across restarts; in memory only when unset. */
  cacheDir?: string;
}

/** The operator's npm side: one registry client and one package store for every Project and Build. */
export function packageDeps(settings: PackageSettings = {}): PackageDeps {
  const client = registryClient(settings.registryURL);
  const limits = DEFAULT_PACKAGE_LIMITS;
  const store = packageStore({ client, limits, ...(settings.cacheDir ? { dir: settings.cacheDir } : {}) });
  return {
    resolve: (declared) =>
      resolveDependencies(declared, { client, store, limits, provided: PROVIDED_PACKAGES, refused: REFUSED_MODULES }),
    load: (lock) => scriptPackages(lock, store),
  };
}

/** Names the sandbox provides itself: never fetched from the registry. */
export const PROVIDED_PACKAGES: ReadonlySet<string> = new Set([
  'brigadier',
  'brigade',
  '@azure/brigadier',
  '@brigadecore/brigadier',
]);

export type Declared = { ok: true; dependencies: DeclaredDependencies } | { ok: false; message: string };

export function declaredDependencies(
  spec: Record<string, string> | undefined,
  files: Record<string, string> | undefined,
): Declared {
  const fromFile: DeclaredDependencies = {};
  const text = files?.['brigade.json'];
  if (text !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      return {
        ok: false,
        message: `brigade.json is not JSON: ${error instanceof Error ? error.message : String(error)}`,
      };
    }
    const deps = (parsed as { dependencies?: unknown } | null)?.dependencies;
    if (deps !== undefined) {
      if (typeof deps !== 'object' || deps === null || Array.isArray(deps))
        return { ok: false, message: 'brigade.json: dependencies must be an object of name -> version range' };
      for (const [name, range] of Object.entries(deps)) {
        if (typeof range !== 'string')
          return { ok: false, message: `brigade.json: the version range of ${name} must be a string` };
        fromFile[name] = range;
      }
    }
  }
  return { ok: true, dependencies: { ...fromFile, ...spec } };
}

/** Hash of what was declared, so an unchanged declaration is not resolved again. */
export function declaredSHA256(declared: DeclaredDependencies): string {
  const sorted = Object.keys(declared)
    .sort()
    .map((name) => [name, declared[name]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

/** The lock's packages with their files, as the script engine takes them. */
export async function scriptPackages(lock: DependencyLock, store: PackageStore): Promise<ScriptPackages> {
  const packages: ScriptPackages['packages'] = {};
  await Promise.all(
    lock.packages.map(async (locked) => {
      const contents = await store.contents(locked);
      packages[`${locked.name}@${locked.version}`] = {
        ...(contents.main ? { main: contents.main } : {}),
        ...(locked.dependencies ? { dependencies: locked.dependencies } : {}),
        files: contents.files,
      };
    }),
  );
  return { roots: lock.roots, packages };
}
