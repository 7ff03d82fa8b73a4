// Pod logs as the kubelet keeps them: one log per container instance (the current one and, after a
// restart, the previous one), stdout and stderr interleaved line by line in arrival order, bounded
// in memory (oldest lines dropped). Read with the options of GET pods/{name}/log.

import { EventEmitter, on } from 'node:events';
import type { PodLogReadOptions, PodLogs, SimStore } from '../types.ts';
import { GVR, type ContainerState, type Pod } from './kube-types.ts';

/** A pods/log request that cannot be answered (ambiguous or unknown container); the API server maps it to 400. */
export class LogRequestError extends Error {
  override readonly name = 'LogRequestError';
  readonly code = 400;
}

/**
 * What the kubelet keeps of a container's log before it rotates the file: its containerLogMaxSize,
 * 10Mi by default (pods/log serves the current file).
 */
export const DEFAULT_MAX_LOG_BYTES = 10 * 1024 * 1024;

interface LogLine {
  seq: number;
  time: number;
  text: string;
}

/** The log of one container instance. */
export class ContainerLog {
  readonly #lines: LogLine[] = [];
  readonly #changed = new EventEmitter();
  readonly #maxBytes: number;
  #bytes = 0;
  #seq = 0;
  #done = false;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
    this.#changed.setMaxListeners(0);
  }

  get done(): boolean {
    return this.#done;
  }

  /** Appends one line (with its trailing newline, unless it is the last unterminated output). */
  append(text: string, time: number = Date.now()): void {
    if (this.#done || text === '') return;
    this.#lines.push({ seq: ++this.#seq, time, text });
    this.#bytes += Buffer.byteLength(text);
    while (this.#bytes > this.#maxBytes && this.#lines.length > 1) {
      this.#bytes -= Buffer.byteLength(this.#lines.shift()?.text ?? '');
    }
    this.#changed.emit('change');
  }

  /** The container terminated: followers finish once they have read everything. */
  finish(): void {
    this.#done = true;
    this.#changed.emit('change');
  }

  /** Sequence number of the newest line (0 when empty). */
  get lastSeq(): number {
    return this.#seq;
  }

  linesAfter(seq: number): LogLine[] {
    return this.#lines.filter((l) => l.seq > seq);
  }

  /** Resolves on the next append/finish or when the signal aborts. */
  async changed(signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.#done) return;
    try {
      for await (const _ of on(this.#changed, 'change', { signal })) return;
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err;
    }
  }
}

interface PodLogEntry {
  uid: string;
  containers: Map<string, { current: ContainerLog; previous?: ContainerLog }>;
}

function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

export class LogStore implements PodLogs {
  readonly #store: SimStore;
  readonly #maxBytes: number;
  readonly #pods = new Map<string, PodLogEntry>();

  constructor(opts: { store: SimStore; maxBytesPerContainer?: number }) {
    this.#store = opts.store;
    this.#maxBytes = opts.maxBytesPerContainer ?? DEFAULT_MAX_LOG_BYTES;
  }

  /** A fresh log for a container (re)start; the one before becomes the `previous` log. */
  open(namespace: string, pod: string, uid: string, container: string): ContainerLog {
    const key = `${namespace}/${pod}`;
    let entry = this.#pods.get(key);
    if (!entry || entry.uid !== uid) {
      entry = { uid, containers: new Map() };
      this.#pods.set(key, entry);
    }
    const log = new ContainerLog(this.#maxBytes);
    const prior = entry.containers.get(container)?.current;
    prior?.finish();
    entry.containers.set(container, { current: log, previous: prior });
    return log;
  }

  /** Forgets a deleted pod's logs, ending any follower. */
  drop(namespace: string, pod: string, uid?: string): void {
    const key = `${namespace}/${pod}`;
    const entry = this.#pods.get(key);
    if (!entry || (uid && entry.uid !== uid)) return;
    for (const c of entry.containers.values()) c.current.finish();
    this.#pods.delete(key);
  }

  has(namespace: string, pod: string, container?: string): boolean {
    const entry = this.#pods.get(`${namespace}/${pod}`);
    if (!entry) return false;
    return container === undefined ? entry.containers.size > 0 : entry.containers.has(container);
  }

  read(namespace: string, pod: string, opts: PodLogReadOptions, signal: AbortSignal): AsyncIterable<string> {
    // Resolve (and throw) before the first chunk, so the API server can still answer 400.
    const log = this.#resolve(namespace, pod, opts);
    return streamLog(log, opts, signal);
  }

  #resolve(namespace: string, podName: string, opts: PodLogReadOptions): ContainerLog {
    const pod = this.#store.get(GVR.pods, namespace, podName) as Pod | undefined;
    const entry = this.#pods.get(`${namespace}/${podName}`);
    const container = opts.container ?? defaultContainer(pod, podName, entry);
    if (pod && !containerNames(pod).all.includes(container)) {
      throw new LogRequestError(`container ${container} is not valid for pod ${podName}`);
    }
    const logs = entry?.containers.get(container);
    if (opts.previous) {
      if (!logs?.previous)
        throw new LogRequestError(`previous terminated container "${container}" in pod "${podName}" not found`);
      return logs.previous;
    }
    if (!logs) {
      const waiting = waitingReason(pod, container);
      throw new LogRequestError(`container "${container}" in pod "${podName}" is waiting to start: ${waiting}`);
    }
    return logs.current;
  }
}

function containerNames(pod: Pod): { main: string[]; init: string[]; all: string[] } {
  const main = (pod.spec.containers ?? []).map((c) => c.name);
  const init = (pod.spec.initContainers ?? []).map((c) => c.name);
  return { main, init, all: [...main, ...init] };
}

function defaultContainer(pod: Pod | undefined, podName: string, entry: PodLogEntry | undefined): string {
  const names = pod ? containerNames(pod) : { main: [...(entry?.containers.keys() ?? [])], init: [] };
  if (names.main.length === 1) return names.main[0];
  if (names.main.length === 0) throw new LogRequestError(`pod ${podName} has no containers`);
  const init = names.init.length > 0 ? ` or one of the init containers: [${names.init.join(' ')}]` : '';
  throw new LogRequestError(
    `a container name must be specified for pod ${podName}, choose one of: [${names.main.join(' ')}]${init}`,
  );
}

function containerState(pod: Pod | undefined, container: string): ContainerState | undefined {
  const statuses = [...(pod?.status?.containerStatuses ?? []), ...(pod?.status?.initContainerStatuses ?? [])];
  return statuses.find((s) => s.name === container)?.state;
}

function waitingReason(pod: Pod | undefined, container: string): string {
  const state = containerState(pod, container);
  if (state?.waiting?.reason) return state.waiting.reason;
  if (pod?.status?.reason) return pod.status.reason;
  return pod?.spec.initContainers?.length ? 'PodInitializing' : 'ContainerCreating';
}

/** Picks the lines to send first: sinceSeconds, then tailLines. */
function initialLines(log: ContainerLog, opts: PodLogReadOptions): Array<{ seq: number; time: number; text: string }> {
  let lines = log.linesAfter(0);
  if (opts.sinceSeconds !== undefined) {
    const since = Date.now() - opts.sinceSeconds * 1000;
    lines = lines.filter((l) => l.time >= since);
  }
  if (opts.tailLines !== undefined) lines = opts.tailLines <= 0 ? [] : lines.slice(-opts.tailLines);
  return lines;
}

async function* streamLog(log: ContainerLog, opts: PodLogReadOptions, signal: AbortSignal): AsyncGenerator<string> {
  let budget = opts.limitBytes ?? Infinity;
  let cursor = log.lastSeq;
  let batch = initialLines(log, opts);
  for (;;) {
    for (const line of batch) {
      cursor = Math.max(cursor, line.seq);
      let text = opts.timestamps ? `${rfc3339Nano(line.time)} ${line.text}` : line.text;
      const bytes = Buffer.from(text);
      if (bytes.length > budget) text = bytes.subarray(0, budget).toString();
      budget -= Math.min(bytes.length, budget);
      yield text;
      if (budget <= 0) return;
    }
    if (!opts.follow || signal.aborted) return;
    const last = log.linesAfter(cursor);
    if (last.length === 0) {
      if (log.done) return;
      await log.changed(signal);
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the await above may have aborted it
      if (signal.aborted) return;
    }
    batch = log.linesAfter(cursor);
    if (batch.length === 0 && log.done) return;
  }
}
