// List, then watch from the list's resourceVersion, resuming after the server ends a watch and
// re-listing after 410 Gone, as an async iterable of changes. Callers stop it with an AbortSignal.
import { setTimeout as delay } from 'node:timers/promises';
import { Watch, type KubeConfig } from '@kubernetes/client-node';

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
      if (ended?.err) throw ended.err;
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
  const controller = await new Watch(spec.kubeConfig).watch(
    spec.path,
    {
      resourceVersion,
      allowWatchBookmarks: true,
      labelSelector: spec.labelSelector,
      fieldSelector: spec.fieldSelector,
    },
    (type, object) => {
      ch.push({ type, object });
    },
    (err) => {
      ch.end(err ?? undefined);
    },
  );
  const abort = (): void => {
    controller.abort();
    ch.end();
  };
  spec.signal.addEventListener('abort', abort, { once: true });
  try {
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
    controller.abort();
  }
}

function isGone(err: unknown): boolean {
  return err instanceof Gone || (err as { statusCode?: number } | null)?.statusCode === 410;
}

function isTimeout(err: unknown): boolean {
  return (err as { name?: string } | null)?.name === 'TimeoutError';
}

/** Every current item as ADDED, then every change, until the signal aborts. */
export async function* listAndWatch<T extends Meta>(spec: WatchSpec<T>): AsyncGenerator<Change<T>> {
  let resourceVersion: string | undefined;
  while (!spec.signal.aborted) {
    if (resourceVersion === undefined) {
      const listed = await spec.list();
      for (const object of listed.items) yield { type: 'ADDED', object };
      resourceVersion = listed.resourceVersion;
    }
    try {
      yield* watchOnce(spec, resourceVersion, (rv) => {
        resourceVersion = rv;
      });
      // The server ended the watch (its timeout): resume from the last version seen.
    } catch (err) {
      if (isGone(err)) resourceVersion = undefined;
      else if (!isTimeout(err) || spec.signal.aborted) throw err;
      // An idle-timeout just means nothing happened for a while: resume.
    }
    if (spec.signal.aborted) break;
    // The delay rejects when the signal aborts, which ends the loop; anything else is a real error.
    await delay(spec.reconnectDelayMs ?? 200, undefined, { signal: spec.signal }).catch((err: unknown) => {
      if (!spec.signal.aborted) throw err;
    });
  }
}
