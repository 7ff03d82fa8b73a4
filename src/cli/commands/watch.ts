// List, then watch from the list's resourceVersion, resuming after the server ends a watch and
// re-listing after 410 Gone, as an async iterable of changes. Callers stop it with an AbortSignal.
import { setTimeout as delay } from 'node:timers/promises';
import { Watch, type KubeConfig } from '@kubernetes/client-node';
import { isTransient } from '../../kube/errors.ts';
import { whenAborted } from '../../util/abort.ts';

export interface Change<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: T;
}

export interface WatchSpec<T> {
  kubeConfig: KubeConfig;
  /** Collection path, e.g. /apis/brigade.sh/v1alpha1/namespaces/ci/builds */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Reads the current items and the list's resourceVersion. */
  list(): Promise<{ items: T[]; resourceVersion: string }>;
  signal: AbortSignal;
  /** Pause before re-watching after the server ended a watch, so a server that closes at once is not hammered (default 200 ms). */
  reconnectDelayMs?: number;
  /** Transient failures in a row (dropped connections, server errors) before the error is thrown (default 30). */
  maxFailures?: number;
}

type Meta = { metadata?: { resourceVersion?: string } };

class Gone extends Error {}

/** Queue between Watch's callbacks and the consumer's `for await`. */
function channel<T>(): { push(v: T): void; end(err?: unknown): void; next(): Promise<IteratorResult<T>> } {
  const items: T[] = [];
  let ended: { err?: unknown } | undefined;
  let wake: (() => void) | undefined;
  const notify = (): void => {
    wake?.();
    wake = undefined;
  };
  return {
    push: (v) => {
      items.push(v);
      notify();
    },
    end: (err) => {
      ended ??= { err };
      notify();
    },
    async next() {
      while (items.length === 0 && !ended)
        await new Promise<void>((r) => {
          wake = r;
        });
      if (items.length > 0) return { value: items.shift() as T, done: false };
      if (ended?.err) throw ended.err instanceof Error ? ended.err : new Error(JSON.stringify(ended.err));
      return { value: undefined, done: true };
    },
  };
}

async function* watchOnce<T extends Meta>(
  spec: WatchSpec<T>,
  resourceVersion: string,
  onVersion: (rv: string) => void,
): AsyncGenerator<Change<T>> {
  const ch = channel<{ type: string; object: T }>();
  // The stop listener goes on before connecting: a stop that comes while the watch connects must end
  // it too (attached after the connect, it was missed and the command never returned).
  const abort = (): void => {
    ch.end();
  };
  spec.signal.addEventListener('abort', abort, { once: true });
  if (spec.signal.aborted) ch.end();
  const connecting = new Watch(spec.kubeConfig).watch(
    spec.path,
    {
      resourceVersion,
      allowWatchBookmarks: true,
      labelSelector: spec.labelSelector,
      fieldSelector: spec.fieldSelector,
    },
    (type, object: T) => {
      ch.push({ type, object });
    },
    (err: unknown) => {
      ch.end(err ?? undefined);
    },
  );
  // A connect still under way when the signal aborts is closed as soon as it is made.
  const stopLate = (c: AbortController): void => {
    c.abort();
  };
  let controller: AbortController | undefined;
  try {
    controller = await Promise.race([connecting, whenAborted(spec.signal).then(() => undefined)]);
    if (!controller) {
      void connecting.then(stopLate, () => undefined);
      return;
    }
    if (spec.signal.aborted) controller.abort();
    for (let r = await ch.next(); !r.done; r = await ch.next()) {
      const { type, object } = r.value;
      if (type === 'ERROR') {
        if ((object as { code?: number }).code === 410) throw new Gone('watch expired');
        throw new Error(`watch error: ${JSON.stringify(object)}`);
      }
      const rv = object.metadata?.resourceVersion;
      if (rv) onVersion(rv);
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') yield { type, object };
    }
  } finally {
    spec.signal.removeEventListener('abort', abort);
    controller?.abort();
  }
}

function isGone(err: unknown): boolean {
  return err instanceof Gone || (err as { statusCode?: number } | null)?.statusCode === 410;
}

/** The HTTP status of an error or of the error it wraps (a command's error wraps the API error). */
function statusOf(err: unknown): number | undefined {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 5; depth++) {
    const code = (e as { statusCode?: unknown; code?: unknown }).statusCode ?? (e as { code?: unknown }).code;
    if (typeof code === 'number') return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Worth watching again: what the kube layer calls transient (throttling, server errors, broken
 * connections), and any failure without an HTTP status, which for a long-lived watch stream is the
 * connection ending in a way the HTTP client does not classify. A refusal (401, 403, 404, 422...)
 * is not: it would only repeat.
 */
export function isWatchTransient(err: unknown): boolean {
  return isTransient(err) || statusOf(err) === undefined;
}

/** Every current item as ADDED, then every change, until the signal aborts. */
export async function* listAndWatch<T extends Meta>(spec: WatchSpec<T>): AsyncGenerator<Change<T>> {
  // A function, not the property: the signal aborts while this generator waits.
  const stopped = (): boolean => spec.signal.aborted;
  let resourceVersion: string | undefined;
  let failures = 0;
  while (!spec.signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const listed = await spec.list();
        for (const object of listed.items) yield { type: 'ADDED', object };
        resourceVersion = listed.resourceVersion;
      }
      yield* watchOnce(spec, resourceVersion, (rv) => {
        resourceVersion = rv;
        failures = 0;
      });
      // The server ended the watch (its timeout): resume from the last version seen.
    } catch (err) {
      if (stopped()) break;
      if (isGone(err)) resourceVersion = undefined;
      // A dropped connection or a passing server error: watch again from the last version seen, so
      // nothing is missed and nothing is repeated; give up only after many failures in a row.
      else if (!isWatchTransient(err) || ++failures > (spec.maxFailures ?? 30)) throw err;
    }
    if (stopped()) break;
    // The delay rejects when the signal aborts, which ends the loop; anything else is a real error.
    const pause = Math.min(5000, (spec.reconnectDelayMs ?? 200) * 2 ** Math.min(failures, 5));
    await delay(pause, undefined, { signal: spec.signal }).catch((err: unknown) => {
      if (!spec.signal.aborted) throw err;
    });
  }
}
