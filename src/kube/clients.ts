// The typed API clients the operator, the gateway and the CLI use, made once from one KubeConfig.
// Their requests go through the resilient transport (transport.ts): retries of transient failures
// always, a rate limit when one is given (the operator gives each controller its own).
import { BatchV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import type { KubeConfig } from '@kubernetes/client-node';
import { makeResilientApiClient, type ApiTransportOptions } from './transport.ts';

export interface KubeClients {
  kubeConfig: KubeConfig;
  core: CoreV1Api;
  batch: BatchV1Api;
  custom: CustomObjectsApi;
  coordination: CoordinationV1Api;
}

export function newKubeClients(kubeConfig: KubeConfig, transport: ApiTransportOptions = {}): KubeClients {
  return {
    kubeConfig,
    core: makeResilientApiClient(kubeConfig, CoreV1Api, transport),
    batch: makeResilientApiClient(kubeConfig, BatchV1Api, transport),
    custom: makeResilientApiClient(kubeConfig, CustomObjectsApi, transport),
    coordination: makeResilientApiClient(kubeConfig, CoordinationV1Api, transport),
  };
}
