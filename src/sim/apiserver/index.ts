// The simulator's Kubernetes API server: storage with API semantics (SimulatorStore) and its HTTP
// front (startApiServer). It is for tests and dev mode only.
//
// Security: it binds 127.0.0.1 only and has NO authentication or authorization: anyone who can
// reach the port can read and change everything (kubeconfig users carry no credentials; every
// SelfSubjectAccessReview is allowed).
//
// Served: core/v1 namespaces, pods (+status, log, binding), bindings, secrets, configmaps,
// serviceaccounts, events, persistentvolumeclaims, nodes (+status); batch/v1 jobs (+status);
// coordination.k8s.io/v1 leases; events.k8s.io/v1 events (a view of core events);
// apiextensions.k8s.io/v1 CRDs (+status) and every resource they define; authorization.k8s.io/v1
// self-subject access/rules reviews; stored only, with no controller: core/v1 services, apps/v1
// deployments, rbac.authorization.k8s.io/v1 roles, rolebindings, clusterroles, clusterrolebindings. Discovery (legacy and aggregated v2), /version, health
// endpoints, OpenAPI v3 (CRD documents from src/sim/crd; built-ins described only as far as kubectl
// needs to choose server-side field validation), JSON, YAML and (for a few kinds) protobuf bodies.
//
// Simplified: server-side apply (per-manager managedFields, whole-list ownership, no conflicts
// between managers); events expire after a TTL (1 h).
// Not simulated: authentication, admission webhooks, graceful pod deletion (pods are deleted at
// once unless they have finalizers), CRD conversion webhooks (versions differ only in apiVersion),
// resourceVersionMatch=Exact lists at old versions, OpenAPI schemas of built-in kinds (so
// `kubectl explain pods` does not work; CRDs do).

export { SimulatorStore } from './sim-store.ts';
export type { StoreOptions } from './sim-store.ts';
export { startApiServer } from './http/server.ts';
export type { ApiServer, ApiServerOptions, ServedRequest } from './http/server.ts';
export { SimApiError } from './errors.ts';
export type { KubeStatus } from './errors.ts';
export { bootstrap, INITIAL_NAMESPACES } from './bootstrap.ts';
