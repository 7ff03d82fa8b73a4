// The simulator's Kubernetes API server: storage with API semantics (SimulatorStore) and its HTTP front.

export { SimulatorStore } from './sim-store.ts';
export type { StoreOptions } from './sim-store.ts';
export { startApiServer } from './http/server.ts';
export type { ApiServer, ApiServerOptions } from './http/server.ts';
export { SimApiError } from './errors.ts';
export type { KubeStatus } from './errors.ts';
export { bootstrap, INITIAL_NAMESPACES } from './bootstrap.ts';
