// One HTTPS GET with client-certificate authentication, for health checks of components before any
// Kubernetes client can be used (etcd, /readyz of the API server).
import { request } from 'node:https';
import { request as plainRequest } from 'node:http';

export interface ClientTls {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

export interface ProbeResult {
  status: number;
  body: string;
}

export function probe(url: string, tls?: ClientTls, timeoutMs = 5000): Promise<ProbeResult> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const send = target.protocol === 'https:' ? request : plainRequest;
    const req = send(target, { method: 'GET', timeout: timeoutMs, ...(tls ?? {}) }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => { body += chunk; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}
