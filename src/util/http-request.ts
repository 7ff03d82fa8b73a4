// One HTTP(S) request with the whole response body as text: for the few places that talk to an API
// server below any Kubernetes client (health probes of a starting control plane, a raw server-side
// apply). Transport options (TLS material, agents) pass through unchanged.
import { request as httpsRequest } from 'node:https';
import { request as httpRequest, type RequestOptions } from 'node:http';
import type { SecureContextOptions } from 'node:tls';

export interface TextResponse {
  status: number;
  text: string;
}

export type HttpRequestOptions = RequestOptions & SecureContextOptions & { timeoutMs?: number };

export function requestText(url: URL | string, options: HttpRequestOptions, body?: string): Promise<TextResponse> {
  const target = typeof url === 'string' ? new URL(url) : url;
  const { timeoutMs, ...transport } = options;
  return new Promise((resolve, reject) => {
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { ...transport, ...(timeoutMs ? { timeout: timeoutMs } : {}) }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, text });
      });
      res.on('error', reject);
    });
    req.on('timeout', () =>
      req.destroy(new Error(`${options.method ?? 'GET'} ${target.href} timed out after ${timeoutMs} ms`)),
    );
    req.on('error', reject);
    req.end(body);
  });
}
