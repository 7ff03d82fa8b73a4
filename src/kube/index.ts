// The Kubernetes client layer: config loading, typed clients, custom objects of brigade.sh, error
// classification and an Event recorder. Used by the controllers, the gateway and the CLI.
export { loadKubeConfig, currentNamespace, KubeConfigError } from './config.ts';
export type { LoadKubeConfigOptions } from './config.ts';
export { newKubeClients } from './clients.ts';
export type { KubeClients } from './clients.ts';
export { BrigadeObjects, collectionPath, resourceOf } from './custom-objects.ts';
export type { KindTypes, ListOptions, StatusMutation } from './custom-objects.ts';
export { KubeApiError, apiMessage, apiReason, apiStatusCode, isAlreadyExists, isConflict, isGone, isInvalid, isNotFound } from './errors.ts';
export { EventRecorder } from './event-recorder.ts';
export type { EventRecorderOptions, EventType, InvolvedObject, RecordedEvent } from './event-recorder.ts';
