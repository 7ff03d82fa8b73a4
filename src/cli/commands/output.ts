// What the following commands print: log lines (a job's or the script's console) with their source
// and, optionally, the time they were written, with the project's secret values redacted by the
// operator's own redaction rule; notes on stderr; and, on a terminal, one live progress line that is
// cleared before anything else is printed and drawn again after.
import type { Writable } from 'node:stream';
import { redact } from '../../util/redact.ts';
import { formatDuration } from '../../util/text.ts';

export interface Progress {
  phase: string;
  succeeded: number;
  running: number;
  failed: number;
  pending: number;
  /** When the build started (ms since the epoch); undefined until it has. */
  startedAt?: number;
}

export interface OutputOptions {
  out: Writable;
  /** Where notes and the progress line go (null: nowhere). */
  notes: Writable | null;
  /** Secret values to redact from every printed line. */
  secrets: readonly string[];
  /** Prefix each line with the time it was written (HH:MM:SS). */
  timestamps: boolean;
  /** Draw the live progress line (only when out and notes are a terminal). */
  liveProgress: boolean;
  now?: () => number;
}

/** "14:03:07", in local time. */
export function clockTime(at: Date): string {
  return [at.getHours(), at.getMinutes(), at.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

export function progressText(p: Progress, now: number): string {
  const elapsed = p.startedAt === undefined ? '' : ` · ${formatDuration(now - p.startedAt)}`;
  const jobs = [`${p.succeeded} succeeded`, `${p.running} running`, `${p.failed} failed`];
  if (p.pending > 0) jobs.push(`${p.pending} pending`);
  return `${p.phase} · jobs: ${jobs.join(', ')}${elapsed}`;
}

const CLEAR_LINE = '\r\x1b[2K';

export class BuildOutput {
  private readonly opts: OutputOptions;
  private readonly now: () => number;
  private progress: Progress | undefined;
  private drawn = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(opts: OutputOptions) {
    this.opts = opts;
    this.now = opts.now ?? Date.now;
    if (opts.liveProgress && opts.notes) {
      // Redrawn each second for the elapsed time; unref'd so it never keeps the process alive.
      this.timer = setInterval(() => {
        this.draw();
      }, 1000);
      this.timer.unref();
    }
  }

  /** One log line of `source` (a job name, or brigade.js for the console); `time` is when it was written. */
  line(source: string, text: string, time?: string): void {
    const at = time ? new Date(time) : new Date(this.now());
    const stamp = this.opts.timestamps ? `${clockTime(Number.isNaN(at.getTime()) ? new Date() : at)} ` : '';
    this.around(() => this.opts.out.write(`${stamp}[${source}] ${redact(text, this.opts.secrets)}\n`));
  }

  /** A note (phase changes, warnings) on stderr. */
  note(text: string): void {
    const notes = this.opts.notes;
    if (notes) this.around(() => notes.write(`${redact(text, this.opts.secrets)}\n`));
  }

  setProgress(p: Progress): void {
    this.progress = p;
    this.draw();
  }

  /** Clears the progress line for good (before the summary). */
  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.erase();
    this.progress = undefined;
  }

  private around(write: () => void): void {
    this.erase();
    write();
    this.draw();
  }

  private erase(): void {
    if (this.drawn) this.opts.notes?.write(CLEAR_LINE);
    this.drawn = false;
  }

  private draw(): void {
    if (!this.timer || !this.progress || !this.opts.notes) return;
    this.opts.notes.write(`${CLEAR_LINE}${progressText(this.progress, this.now())}`);
    this.drawn = true;
  }
}

/** Splits text into lines, dropping the empty piece after a final newline. */
export function textLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const TAIL_MARKER = /^\[\.\.\. (\d+) earlier characters not shown\]\n/;

/**
 * The console output of a build that is new since `printed` characters of it were printed. The
 * status holds only a tail of it (with a first line saying how much was cut), so positions are
 * counted over the whole output; `skipped` is set when lines went by unseen between two reads.
 */
export function consoleDelta(logTail: string, printed: number): { text: string; printed: number; skipped: boolean } {
  const m = TAIL_MARKER.exec(logTail);
  const cut = m ? Number(m[1]) : 0;
  const body = m ? logTail.slice(m[0].length) : logTail;
  const total = cut + body.length;
  if (total <= printed) return { text: '', printed, skipped: false };
  const from = Math.max(0, printed - cut);
  // Only whole lines: the operator writes a line at a time, so a part line is not there yet.
  const upTo = body.lastIndexOf('\n') + 1;
  if (upTo <= from) return { text: '', printed, skipped: false };
  return { text: body.slice(from, upTo), printed: cut + upTo, skipped: printed < cut };
}
