// npm dependencies of a brigade.js: what was declared, what they resolved to (the lock a Project's
// status records and a Build copies), and what a package holds once fetched.

import { MAX_LOCKED_PACKAGES } from '../api/project-schema.ts';

/** name -> semver range, as in package.json's `dependencies` (Brigade 1's brigade.json). */
export type DeclaredDependencies = Record<string, string>;

/** The lock's schema is the API's: a Project's status records it and a Build copies it. */
export type { DependencyLock, LockedPackage } from '../api/types.ts';

/** A package's files the sandbox may load (JavaScript and JSON, by path inside the package). */
export interface PackageContents {
  main?: string;
  files: Record<string, string>;
}

export interface PackageLimits {
  /** Packages in the whole tree. */
  maxPackages: number;
  /** Bytes of one compressed tarball. */
  maxTarballBytes: number;
  /** Bytes of one unpacked package (every file, loaded or not). */
  maxUnpackedBytes: number;
  /** Characters of the JavaScript and JSON of all packages together (what a Build hands the sandbox). */
  maxTotalChars: number;
}

export const DEFAULT_PACKAGE_LIMITS: PackageLimits = {
  maxPackages: MAX_LOCKED_PACKAGES,
  maxTarballBytes: 4 * 1024 * 1024,
  maxUnpackedBytes: 16 * 1024 * 1024,
  maxTotalChars: 8 * 1024 * 1024,
};

/** Why dependencies cannot be used: the Project's condition reason is DependenciesRefused or DependenciesUnavailable. */
export class DependencyError extends Error {
  /** Refused: the package can never run in the sandbox (native code, ESM, too big). Unavailable: the registry failed. */
  readonly kind: 'Refused' | 'Unavailable';
  constructor(kind: 'Refused' | 'Unavailable', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DependencyError';
    this.kind = kind;
  }
}

export function packageKey(name: string, version: string): string {
  return `${name}@${version}`;
}
