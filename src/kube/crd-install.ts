// Installs CustomResourceDefinitions exactly as written, by server-side apply with the manifest as the
// raw request body (what `kubectl apply --server-side` sends). client-node's typed serializer cannot be
// used for this: it maps objects through its model classes and silently drops the wire names it does
// not know (`default`, `x-kubernetes-validations`), so defaults and CEL rules would be lost.
import type { KubeConfig } from '@kubernetes/client-node';
import { requestText, type HttpRequestOptions } from '../util/http-request.ts';
import { KubeApiError } from './errors.ts';

export const CRD_FIELD_MANAGER = 'brigade-operator';

interface NamedManifest {
  metadata: { name: string };
}

export async function applyCustomResourceDefinition(kubeConfig: KubeConfig, crd: NamedManifest): Promise<void> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(
    `${cluster.server.replace(/\/$/, '')}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(crd.metadata.name)}`,
  );
  url.searchParams.set('fieldManager', CRD_FIELD_MANAGER);
  url.searchParams.set('force', 'true');
  const options: HttpRequestOptions & { headers: Record<string, string> } = {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/apply-patch+yaml', Accept: 'application/json' },
  };
  await kubeConfig.applyToHTTPSOptions(options);
  const body = JSON.stringify(crd);
  const { status, text } = await requestText(url, options, body);
  if (status >= 200 && status < 300) return;
  const err = Object.assign(new Error(`HTTP ${status}`), { code: status, body: text });
  throw new KubeApiError(`applying CRD ${crd.metadata.name}`, { cause: err });
}
