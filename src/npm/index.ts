// npm dependencies of brigade.js: resolved from a registry to a lock, fetched and checked, cached.
export { DEFAULT_REGISTRY, registryClient, type RegistryClient } from './registry.ts';
export { resolveDependencies, type ResolveOptions } from './resolve.ts';
export { packageStore, type PackageStore } from './store.ts';
export * from './types.ts';
