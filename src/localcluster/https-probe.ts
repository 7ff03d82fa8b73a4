// One GET with client-certificate authentication, for health checks of components before any
// Kubernetes client can be used (etcd, /readyz of the API server).
import { requestText } from '../util/http-request.ts';

export interface ClientTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export interface ProbeResult {
  status: number;
  body: string;
}

export async function probe(url: string, tls?: ClientTls, timeoutMs = 5000): Promise<ProbeResult> {
  const { status, text } = await requestText(url, { method: 'GET', timeoutMs, ...(tls ?? {}) });
  return { status, body: text };
}
