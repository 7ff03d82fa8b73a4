/**
 * One build (or inspection) inside a sandbox worker: evaluates brigade.js, fires the event's handler,
 * waits until the handler settled and every job it started settled, then fires `after` or `error`
 * with a cause, as Brigade 1's worker did. Decides the outcome; the engine only relays.
 */
import { BRIDGE_CAPS } from '../defaults.ts';
import type { SandboxResult, ToWorker } from '../protocol.ts';
import type { BuildFailureReason, InspectFailureReason, ScriptLogLevel } from '../types.ts';
import { BuildSandbox, SandboxFault, type DriverState } from './build-sandbox.ts';
import { explainFault, isCompileError, type GuestFault } from './diagnose.ts';
import type { GuestSources } from './guest-sources.ts';
import type { GuestError } from './guest-error.ts';
import { capText } from './guest-json.ts';
import type { WatchCell } from './watch-cell.ts';
import type { SandboxSource } from './sandbox-pool.ts';

/** The error code of a require the sandbox refuses on purpose (fs, child_process, ...). */
const MODULE_REFUSED = 'ERR_SANDBOX_MODULE_REFUSED';

type StartMessage = Extract<ToWorker, { type: 'start' }>;

export interface HostedBuildOptions {
  start: StartMessage;
  sandboxes: SandboxSource;
  sources: GuestSources;
  cell: WatchCell;
  // Function properties, not methods: they are handed on to the sandbox's callbacks as they are.
  runJob: (callId: number, requestJson: string, clock: number[]) => void;
  jobLogs: (callId: number, name: string) => void;
  log: (level: ScriptLogLevel, text: string) => void;
  done: (result: SandboxResult) => void;
  /** The clock for script timers; default the worker's setTimeout. */
  timers?: TimerClock;
}

export interface TimerClock {
  set(callback: () => void, delayMs: number): unknown;
  clear(handle: unknown): void;
}

/** setImmediate (delay 0) runs before timers, as in Node, rather than as a 1 ms timeout. */
const REAL_CLOCK: TimerClock = {
  set: (callback, delayMs) =>
    delayMs === 0 ? { immediate: setImmediate(callback) } : { timeout: setTimeout(callback, delayMs) },
  clear: (handle) => {
    const h = handle as { immediate?: NodeJS.Immediate; timeout?: NodeJS.Timeout };
    if (h.immediate) clearImmediate(h.immediate);
    if (h.timeout) clearTimeout(h.timeout);
  },
};

interface Failure {
  reason: BuildFailureReason;
  message: string;
  trigger: string;
}

function describe(error: GuestError): string {
  const at = error.line === undefined ? '' : ` (${error.file ?? 'brigade.js'}:${error.line}:${error.column ?? 0})`;
  return `${error.name}: ${error.message}${at}`;
}

function topLevelReason(error: GuestError): InspectFailureReason {
  if (error.code === 'MODULE_NOT_FOUND') return 'ModuleNotFound';
  if (error.code === MODULE_REFUSED) return 'ModuleRefused';
  return 'TopLevelError';
}

export class HostedBuild {
  readonly #opts: HostedBuildOptions;
  #sandbox: BuildSandbox | undefined;
  #phase: 'loading' | 'main' | 'follow-up' | 'done' = 'loading';
  #mainFailure: Failure | undefined;
  readonly #timers = new Map<number, unknown>();

  constructor(opts: HostedBuildOptions) {
    this.#opts = opts;
  }

  async begin(): Promise<void> {
    const { start } = this.#opts;
    try {
      this.#sandbox = await BuildSandbox.create({
        id: start.id,
        sandboxes: this.#opts.sandboxes,
        limits: start.limits,
        cell: this.#opts.cell,
        sources: this.#opts.sources,
        files: new Map(Object.entries(start.files)),
        replay: start.replay,
        packages: start.packages,
        callbacks: {
          runJob: this.#opts.runJob,
          jobLogs: this.#opts.jobLogs,
          log: this.#opts.log,
          setTimer: (id, delayMs) => {
            this.#setTimer(id, delayMs);
          },
          clearTimer: (id) => {
            this.#clearTimer(id);
          },
        },
      });
      if (this.#phase === 'done') {
        this.#sandbox.dispose();
        return;
      }
      if (start.kind === 'inspect') this.#inspect(this.#sandbox);
      else this.#run(this.#sandbox);
    } catch (error) {
      this.#fail(error);
    }
  }

  jobSettled(callId: number, answer: { outcomeJson: string } | { error: { name: string; message: string } }): void {
    if (this.#phase === 'done' || !this.#sandbox) return;
    try {
      this.#sandbox.settleJob(callId, answer);
      this.#advance(this.#sandbox);
    } catch (error) {
      this.#fail(error);
    }
  }

  // Inspection evaluates top-level code only: its timers, like its jobs, never fire.
  #setTimer(id: number, delayMs: number): void {
    if (this.#opts.start.kind === 'inspect' || this.#phase === 'done') return;
    this.#clearTimer(id);
    const clock = this.#opts.timers ?? REAL_CLOCK;
    this.#timers.set(
      id,
      clock.set(() => {
        this.#timerDue(id);
      }, delayMs),
    );
  }

  #clearTimer(id: number): void {
    if (!this.#timers.has(id)) return;
    (this.#opts.timers ?? REAL_CLOCK).clear(this.#timers.get(id));
    this.#timers.delete(id);
  }

  #timerDue(id: number): void {
    this.#timers.delete(id);
    if (this.#phase === 'done' || !this.#sandbox) return;
    try {
      this.#sandbox.fireTimer(id);
      this.#advance(this.#sandbox);
    } catch (error) {
      this.#fail(error);
    }
  }

  /**
   * Frees the sandbox of a build that only waits on host calls, without reporting: the engine replays
   * it when an answer comes. Not while a timer is pending (a replay would start its delay again) nor
   * before the handler runs. Tells whether it was freed.
   */
  hibernate(): boolean {
    const waiting = this.#phase === 'main' || this.#phase === 'follow-up';
    if (!waiting || !this.#sandbox || this.#timers.size > 0 || this.#sandbox.pendingHostCalls === 0) return false;
    this.drop();
    return true;
  }

  /** The engine gave up on this build (timeout, cancel): free it without reporting. */
  drop(): void {
    this.#phase = 'done';
    this.#sandbox?.dispose();
  }

  #inspect(sandbox: BuildSandbox): void {
    const syntax = sandbox.compileScript(this.#opts.start.script);
    if (syntax) {
      this.#finish({
        kind: 'inspect',
        ok: false,
        reason: 'SyntaxError',
        message: `${syntax.name}: ${syntax.message}`,
        ...position(syntax),
      });
      return;
    }
    // A file beside the script that does not compile fails its require at top level, with its own position.
    const thrownAt = (error: GuestError): string =>
      position(error).line === undefined && error.line !== undefined ? describe(error) : this.#explain(error);
    const thrown = sandbox.evaluateScript(this.#opts.start.script);
    if (thrown) {
      const reason = isCompileError(thrown) ? 'SyntaxError' : topLevelReason(thrown);
      this.#finish({
        kind: 'inspect',
        ok: false,
        reason,
        message: `top-level code failed: ${thrownAt(thrown)}`,
        ...position(thrown),
      });
      return;
    }
    sandbox.pump();
    this.#finish({ kind: 'inspect', ok: true, handlers: sandbox.handlers() });
  }

  #run(sandbox: BuildSandbox): void {
    const { script, eventJson, projectJson } = this.#opts.start;
    const thrown = sandbox.evaluateScript(script);
    if (thrown) {
      if (isCompileError(thrown)) {
        this.#finishRun('SyntaxError', `${thrown.file ?? 'brigade.js'} does not compile: ${describe(thrown)}`);
        return;
      }
      this.#finishRun('HandlerFailed', `brigade.js failed at top level: ${this.#explain(thrown)}`);
      return;
    }
    if (sandbox.start(eventJson, projectJson) === 'nohandler') {
      const type = (JSON.parse(eventJson) as { type: string }).type;
      this.#finishRun('NoHandler', `brigade.js has no handler for event type "${type}"`);
      return;
    }
    this.#phase = 'main';
    this.#advance(sandbox);
  }

  /** Runs queued guest work; moves to the next phase once the guest and all its jobs are quiet. */
  #advance(sandbox: BuildSandbox): void {
    sandbox.pump();
    if (sandbox.pendingHostCalls > 0 || !sandbox.idle) return;
    const state = sandbox.state();
    if (!state.settled) {
      // The handler waits on something that can never settle (no job is running, nothing is queued).
      this.#afterPhase(sandbox, {
        reason: 'HandlerFailed',
        message: 'the handler never settled: it waits on a promise nothing can resolve',
        trigger: 'handlerError',
      });
      return;
    }
    this.#afterPhase(sandbox, this.#failureOf(state));
  }

  #failureOf(state: DriverState): Failure | undefined {
    // A handler that rejects because an awaited job failed is a job failure, which the status should say.
    if (state.error !== null) {
      // The reason already says JobFailed; the error's name would only repeat it.
      if (state.error.name === 'JobFailedError')
        return { reason: 'JobFailed', message: state.error.message ?? '', trigger: 'handlerError' };
      return { reason: 'HandlerFailed', message: this.#explain(state.error), trigger: 'handlerError' };
    }
    if (state.uncaught !== null) {
      return {
        reason: 'HandlerFailed',
        message: `uncaught exception in a timer callback: ${this.#explain(state.uncaught)}`,
        trigger: 'uncaughtException',
      };
    }
    if (state.unhandled !== null)
      return {
        reason: 'JobFailed',
        message: `unhandled rejection: ${this.#explain(state.unhandled)}`,
        trigger: 'unhandledRejection',
      };
    return undefined;
  }

  /** A guest error as a message with its place in the script (diagnose.ts). */
  #explain(fault: GuestFault): string {
    const { script, files } = this.#opts.start;
    return explainFault(fault, (file) =>
      file === 'brigade.js' ? script : Object.hasOwn(files, file) ? files[file] : undefined,
    );
  }

  #afterPhase(sandbox: BuildSandbox, failure: Failure | undefined): void {
    if (this.#phase === 'follow-up') {
      const main = this.#mainFailure;
      if (main) {
        this.#finishRun(main.reason, main.message);
        return;
      }
      if (failure) {
        this.#finishRun(failure.reason, `the after handler failed: ${failure.message}`);
        return;
      }
      this.#finishRun('Completed', 'the build succeeded');
      return;
    }
    this.#mainFailure = failure;
    const event = JSON.parse(this.#opts.start.eventJson) as Record<string, unknown>;
    // As in Brigade 1's worker, the follow-up event comes from "brigade"; the original is its cause.
    const followUp = {
      ...event,
      type: failure ? 'error' : 'after',
      provider: 'brigade',
      cause: {
        event,
        reason: failure?.message ?? '',
        trigger: failure?.trigger ?? 'success',
        failure: failure?.reason,
      },
    };
    if (sandbox.start(JSON.stringify(followUp), this.#opts.start.projectJson) === 'nohandler') {
      if (failure) this.#finishRun(failure.reason, failure.message);
      else this.#finishRun('Completed', 'the build succeeded');
      return;
    }
    this.#phase = 'follow-up';
    this.#advance(sandbox);
  }

  #finishRun(reason: 'Completed' | BuildFailureReason, fullMessage: string): void {
    // Messages end up in Build status: guest-controlled text is bounded here.
    const message = capText(fullMessage, BRIDGE_CAPS.errorMessage);
    const status = reason === 'Completed' ? 'Succeeded' : 'Failed';
    // Out-of-memory thrown inside guest code surfaces as an ordinary error; name it for what it is.
    const outOfMemory = status === 'Failed' && /out of memory/i.test(message);
    this.#finish({
      kind: 'run',
      status,
      reason: outOfMemory ? 'OutOfMemory' : reason,
      message: outOfMemory
        ? `the script exceeded its memory limit of ${this.#opts.start.limits.memoryBytes} bytes (${message})`
        : message,
    });
  }

  #fail(error: unknown): void {
    if (this.#phase === 'done') return;
    const fault =
      error instanceof SandboxFault
        ? error
        : new SandboxFault(
            'SandboxError',
            `internal sandbox error: ${error instanceof Error ? error.message : String(error)}`,
          );
    if (this.#opts.start.kind === 'inspect') {
      this.#finish({
        kind: 'inspect',
        ok: false,
        reason: 'SandboxLimit',
        message: `${fault.reason}: ${fault.message}`,
      });
      return;
    }
    this.#finish({ kind: 'run', status: 'Failed', reason: fault.reason, message: fault.message });
  }

  #finish(result: SandboxResult): void {
    if (this.#phase === 'done') return;
    this.#phase = 'done';
    // Report first: tearing the instance down may itself fail, and must not lose the outcome.
    this.#opts.done(result);
    this.#sandbox?.dispose();
  }
}

/** Line and column for the inspection result: they always mean brigade.js there. */
function position(error: GuestError): { line?: number; column?: number } {
  if (error.line === undefined || (error.file !== undefined && error.file !== 'brigade.js')) return {};
  return { line: error.line, ...(error.column === undefined ? {} : { column: error.column }) };
}
