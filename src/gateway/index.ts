// The event gateway: CloudEvents, generic webhooks and GitHub deliveries turned into Event resources.
export { startGateway, DEFAULT_LIMITS, type Gateway, type GatewayLimits, type GatewayOptions } from './server.ts';
export { kubeIntakeCluster, ClusterError } from './kube-cluster.ts';
export { hostGateway, type HostedGateway, type HostedGatewayOptions } from './host.ts';
export type { IntakeCluster, ProjectCache } from './cluster.ts';
export { eventName, eventObject, type EventDraft, type EventObject, type IntakeKind } from './event.ts';
export { githubSignature } from './secrets.ts';
export { projectInformer, type RunnableProjectCache } from './project-informer.ts';
