// Following one job pod's log line by line, surviving dropped connections: when the stream ends
// while the container still runs, it is opened again and the lines already delivered are skipped
// (a container's log only grows: a job pod never restarts its container), so nothing is repeated.
import { setTimeout as delay } from 'node:timers/promises';
import type { Readable } from 'node:stream';

export interface LogLine {
  /** When the container wrote the line (RFC 3339), when the log was read with timestamps. */
  time?: string;
  text: string;
}

export interface PodLogSource {
  /** The pod's job container and whether it has ended; undefined when the pod is gone. */
  state(): Promise<{ container: string; ended: boolean } | undefined>;
  /** A follow of the container's log with timestamps; undefined when there is no log (yet). */
  open(container: string, signal: AbortSignal): Promise<Readable | undefined>;
}

const TIMESTAMPED = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)) (.*)$/s;

/** Splits "2026-12-01T10:00:00.123456789Z text" into its time and text. */
export function parseLogLine(line: string): LogLine {
  const m = TIMESTAMPED.exec(line);
  return m ? { time: m[1], text: m[2] } : { text: line };
}

/** Counts lines across the opens of one log, so each is delivered once. */
class LineCounter {
  delivered = 0;

  /**
   * The lines of one read of the log past those delivered before. A last line without a newline is
   * whole only when the read is `complete` (the container had ended); otherwise it is read again.
   */
  async *read(stream: AsyncIterable<Buffer | string>, complete: boolean): AsyncGenerator<LogLine> {
    let seen = 0;
    let pending = '';
    for await (const chunk of stream) {
      const lines = (pending + chunk.toString()).split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) if (++seen > this.delivered) yield this.deliver(line, seen);
    }
    if (complete && pending && seen + 1 > this.delivered) yield this.deliver(pending, seen + 1);
  }

  private deliver(line: string, position: number): LogLine {
    this.delivered = position;
    return parseLogLine(line);
  }
}

/** Lines of the log until the container ends, the pod is gone or the signal aborts. */
export async function* followPodLines(
  source: PodLogSource,
  signal: AbortSignal,
  opts: { retryDelayMs?: number } = {},
): AsyncGenerator<LogLine> {
  const counter = new LineCounter();
  const stopped = (): boolean => signal.aborted;
  while (!stopped()) {
    const state = await source.state();
    if (!state) return;
    // Opened after the container ended, the stream is the whole log: the last read. Opened before,
    // it ends when the container does or when the connection drops, which look alike; either way
    // the log is opened again, and the lines already delivered are skipped.
    const complete = state.ended;
    const stream = await source.open(state.container, signal);
    const before = counter.delivered;
    if (stream) yield* counter.read(stream as AsyncIterable<Buffer | string>, complete);
    if (complete || stopped()) return;
    if (counter.delivered === before)
      await delay(opts.retryDelayMs ?? 500, undefined, { signal }).catch(() => undefined);
  }
}
