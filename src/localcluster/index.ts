// The real local control plane (docs/real-cluster.md): for tests, `brigade-operator cluster` and
// `dev --ground cluster`. Like src/sim it is never imported by the operator.
export { startLocalCluster, type LocalCluster, type LocalClusterOptions } from './cluster.ts';
export { ensureBinaries, goEnv, GoToolchainMissingError, KUBERNETES_VERSION } from './binaries.ts';
export { ensureImages } from './images.ts';
