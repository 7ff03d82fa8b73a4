// A running evaluation of one build's script. It is only a cache: every fact that matters (the
// build's phase, each job's result) is in the CRs, so a session lost to a restart is replayed.
import type { BuildOutcome, RunBuildOptions, ScriptEngine } from '../../script/index.ts';
import { redact } from '../../util/redact.ts';
import { tail } from '../../util/text.ts';

// Only a tail is ever stored (status.logTail); keep a little more than that, per live build.
const MAX_BUFFERED_LOG = 64 * 1024;

export interface SessionOptions {
  engine: Pick<ScriptEngine, 'runBuild'>;
  run: Omit<RunBuildOptions, 'signal' | 'host'> & { host: Omit<RunBuildOptions['host'], 'log'> };
  /** Earlier console output (a replay continues the log tail of the previous evaluation). */
  previousLog?: string;
  /** Aborts the script (cancel, timeout); the host's job waits use its signal too. */
  abort: AbortController;
  /** Secret values to redact from the console output. */
  secrets: readonly string[];
  /** Console line (already redacted) for the operator log, and to schedule a status update. */
  onLog: (level: string, text: string) => void;
  /** Called once when the script has ended (outcome set) or the engine failed (error set). */
  onEnd: () => void;
}

export class BuildSession {
  readonly abort: AbortController;
  outcome: BuildOutcome | undefined;
  error: unknown;
  #log: string;
  readonly #secrets: readonly string[];

  constructor(options: SessionOptions) {
    this.abort = options.abort;
    this.#secrets = options.secrets;
    this.#log = options.previousLog ? `${options.previousLog}\n--- replay after operator restart ---\n` : '';
    const host = {
      runJob: options.run.host.runJob,
      ...(options.run.host.jobLogs ? { jobLogs: options.run.host.jobLogs } : {}),
      ...(options.run.host.recordReplay ? { recordReplay: options.run.host.recordReplay } : {}),
      log: (level: string, text: string): void => {
        const line = redact(text, this.#secrets);
        this.#log = tail(`${this.#log}${line}\n`, MAX_BUFFERED_LOG);
        options.onLog(level, line);
      },
    };
    options.engine.runBuild({ ...options.run, host, signal: this.abort.signal }).then(
      (outcome) => {
        this.outcome = { ...outcome, message: redact(outcome.message, this.#secrets) };
        options.onEnd();
      },
      (err: unknown) => {
        this.error = err;
        options.onEnd();
      },
    );
  }

  get ended(): boolean {
    return this.outcome !== undefined || this.error !== undefined;
  }

  logTail(maxChars: number): string {
    return tail(this.#log, maxChars);
  }

  stop(reason: unknown): void {
    if (!this.abort.signal.aborted) this.abort.abort(reason);
  }
}
