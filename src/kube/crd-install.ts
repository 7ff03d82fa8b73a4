// Installs CustomResourceDefinitions exactly as written, by server-side apply with the manifest as the
// raw request body (what `kubectl apply --server-side` sends). client-node's typed serializer cannot be
// used for this: it maps objects through its model classes and silently drops the wire names it does
// not know (`default`, `x-kubernetes-validations`), so defaults and CEL rules would be lost.
import { request } from 'node:https';
import { request as plainRequest, type RequestOptions } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { KubeApiError } from './errors.ts';

export const CRD_FIELD_MANAGER = 'brigade-operator';

interface NamedManifest {
  metadata: { name: string };
}

export async function applyCustomResourceDefinition(kubeConfig: KubeConfig, crd: NamedManifest): Promise<void> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster');
  const url = new URL(`${cluster.server.replace(/\/$/, '')}/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${encodeURIComponent(crd.metadata.name)}`);
  url.searchParams.set('fieldManager', CRD_FIELD_MANAGER);
  url.searchParams.set('force', 'true');
  const options: RequestOptions & { headers: Record<string, string> } = {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/apply-patch+yaml', Accept: 'application/json' },
  };
  await kubeConfig.applyToHTTPSOptions(options);
  const body = JSON.stringify(crd);
  const { status, text } = await send(url, options, body);
  if (status >= 200 && status < 300) return;
  const err = Object.assign(new Error(`HTTP ${status}`), { code: status, body: text });
  throw new KubeApiError(`applying CRD ${crd.metadata.name}`, { cause: err });
}

function send(url: URL, options: RequestOptions, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const transport = url.protocol === 'https:' ? request : plainRequest;
    const req = transport(url, options, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { text += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}
