// The Kubernetes client layer: config loading, typed clients, custom objects of brigade.sh, error
// classification and an Event recorder. Used by the controllers, the gateway and the CLI.
//
//   const kc = loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context }); // else $KUBECONFIG,
//                                                      // ~/.kube/config, then in-cluster; KubeConfigError
//   const clients = newKubeClients(kc);                // { core, batch, custom, coordination }
//   const objects = new BrigadeObjects(clients.custom);
//   await objects.get('Build', ns, name);              // undefined when absent
//   await objects.list('Job', ns, { labelSelector: 'brigade.sh/build=b1' });
//   await objects.create('Event', event);              // { object, existed }: AlreadyExists is not an error
//   await objects.patch('Build', ns, name, { spec: { cancel: true } });            // JSON merge patch
//   await objects.patchStatus('Build', ns, name, status, resourceVersion?);       // conditional with RV
//   await objects.updateStatus('Job', ns, name, (cur) => newStatusOrUndefined);   // GET+PUT, retries 409
//   isNotFound(err) / isConflict(err) / isAlreadyExists(err) on client errors; KubeApiError wraps them
//   (its message carries the API Status message, never a response body).
//   new EventRecorder({ core, component, onError }).warning(obj, 'Reason', 'message'); // never rejects
//   await applyCustomResourceDefinition(kc, crd);     // server-side apply of the manifest as written
//   await requestRerun(objects, ns, 'build-1', { all: false }); // a new Build rerunning a finished one
export { loadKubeConfig, currentNamespace, KubeConfigError } from './config.ts';
export type { LoadKubeConfigOptions } from './config.ts';
export { newKubeClients } from './clients.ts';
export type { KubeClients } from './clients.ts';
export { BrigadeObjects, collectionPath, resourceOf } from './custom-objects.ts';
export { RerunRefusedError, requestRerun } from './rerun.ts';
export type { KindTypes, ListOptions, StatusMutation } from './custom-objects.ts';
export {
  KubeApiError,
  apiMessage,
  apiReason,
  apiStatusCode,
  isAlreadyExists,
  isConflict,
  isGone,
  isInvalid,
  isNotFound,
} from './errors.ts';
export { EventRecorder } from './event-recorder.ts';
export { applyCustomResourceDefinition } from './crd-install.ts';
export type { EventRecorderOptions, EventType, InvolvedObject, RecordedEvent } from './event-recorder.ts';
