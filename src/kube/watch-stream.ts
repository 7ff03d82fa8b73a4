// One watch request: GET <path>?watch=true&resourceVersion=..., read as newline-delimited JSON events
// until the server ends it, the connection breaks, nothing arrives for too long, or the caller stops.
// The informer decides what happens next (resume from the last resourceVersion, or list again after
// 410 Gone); this module only says how the stream ended. It talks HTTP itself (with the kubeconfig's
// TLS material and credentials) because a watch outlives any request deadline and must not be retried
// by the request transport.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import type { HttpRequestOptions } from '../util/http-request.ts';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent {
  type: WatchEventType;
  object: Record<string, unknown>;
}

export interface WatchRequest {
  /** Collection path, e.g. /api/v1/namespaces/ns/pods. */
  path: string;
  resourceVersion: string;
  labelSelector?: string;
  /** The server ends the watch after this long (a clean end: resume from the last version). */
  timeoutSeconds: number;
  /** No byte for this long (bookmarks included) means the connection is dead. */
  idleTimeoutMs: number;
  signal: AbortSignal;
}

/**
 * How a watch ended: `closed` by the server or the caller (resume), `failed` with an HTTP status or a
 * connection error (resume after back-off; 410 means list again); `connected` says whether the
 * server had accepted the watch (a cut after that is not a failure to connect).
 */
export type WatchEnd = { kind: 'closed' } | { kind: 'failed'; error: WatchError; connected: boolean };

export class WatchError extends Error {
  /** HTTP status of a refused watch, when there was one. */
  readonly code: number | undefined;
  constructor(message: string, options: { code?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.name = 'WatchError';
    this.code = options.code;
  }
}

export async function watchOnce(
  kubeConfig: KubeConfig,
  req: WatchRequest,
  onEvent: (event: WatchEvent) => void,
): Promise<WatchEnd> {
  const cluster = kubeConfig.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig names no current cluster');
  const url = new URL(`${cluster.server.replace(/\/$/, '')}${req.path}`);
  url.searchParams.set('watch', 'true');
  url.searchParams.set('allowWatchBookmarks', 'true');
  url.searchParams.set('resourceVersion', req.resourceVersion);
  url.searchParams.set('timeoutSeconds', String(req.timeoutSeconds));
  if (req.labelSelector) url.searchParams.set('labelSelector', req.labelSelector);
  const options: HttpRequestOptions & { headers: Record<string, string> } = {
    method: 'GET',
    headers: { Accept: 'application/json' },
  };
  await kubeConfig.applyToHTTPSOptions(options);
  return new Promise<WatchEnd>((resolve) => {
    let settled = false;
    let connected = false;
    let idle: NodeJS.Timeout | undefined;
    const finish = (end: WatchEnd): void => {
      if (settled) return;
      settled = true;
      clearTimeout(idle);
      req.signal.removeEventListener('abort', onAbort);
      outgoing.destroy();
      resolve(end);
    };
    const fail = (message: string, options: { code?: number; cause?: unknown } = {}): void => {
      finish({ kind: 'failed', error: new WatchError(message, options), connected });
    };
    const armIdle = (): void => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        fail(`no data for ${req.idleTimeoutMs} ms`, { cause: timeoutCause() });
      }, req.idleTimeoutMs);
      idle.unref();
    };
    const onAbort = (): void => {
      finish({ kind: 'closed' });
    };
    const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
    const outgoing = send(url, options, (res) => {
      const status = res.statusCode ?? 0;
      res.setEncoding('utf8');
      if (status !== 200) {
        let text = '';
        res.on('data', (chunk: string) => {
          text = (text + chunk).slice(0, 4096);
        });
        res.on('end', () => {
          fail(statusMessage(status, text), { code: status });
        });
        res.on('error', (err) => {
          fail(err.message, { code: status, cause: err });
        });
        return;
      }
      connected = true;
      armIdle();
      let buffered = '';
      res.on('data', (chunk: string) => {
        armIdle();
        buffered += chunk;
        for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
          const line = buffered.slice(0, nl).trim();
          buffered = buffered.slice(nl + 1);
          if (line) deliver(line, onEvent);
        }
      });
      res.on('end', () => {
        finish({ kind: 'closed' });
      });
      res.on('error', (err) => {
        fail(err.message, { cause: err });
      });
      // A connection cut in the middle of the body ends the response without 'end'.
      res.on('close', () => {
        if (res.complete) finish({ kind: 'closed' });
        else fail('the watch connection was cut', { cause: resetCause() });
      });
    });
    outgoing.on('error', (err) => {
      fail(err.message, { cause: err });
    });
    req.signal.addEventListener('abort', onAbort, { once: true });
    if (req.signal.aborted) onAbort();
    outgoing.end();
  });
}

function deliver(line: string, onEvent: (event: WatchEvent) => void): void {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    return; // a torn line from a cut connection; the resumed watch sends the event again
  }
  const event = parsed as { type?: unknown; object?: unknown } | null;
  if (typeof event?.type === 'string' && typeof event.object === 'object' && event.object !== null)
    onEvent(event as WatchEvent);
}

function statusMessage(status: number, body: string): string {
  try {
    const parsed = JSON.parse(body) as { message?: unknown };
    if (typeof parsed.message === 'string') return `HTTP ${status}: ${parsed.message}`;
  } catch {
    // not a Status body
  }
  return `HTTP ${status}`;
}

const timeoutCause = (): Error => Object.assign(new Error('watch idle timeout'), { name: 'TimeoutError' });
const resetCause = (): Error => Object.assign(new Error('connection cut'), { code: 'ECONNRESET' });
