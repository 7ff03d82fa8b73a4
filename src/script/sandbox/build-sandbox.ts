/**
 * One build's sandbox: its own QuickJS WebAssembly instance (so the memory cap is a real cap on linear
 * memory, and a trap or out-of-memory takes only this build down), runtime and context, with the
 * brigadier runtime loaded. Every entry into guest code is a "slice" that is charged to the build's
 * CPU budget and announced to the watchdog through the worker's WatchCell.
 *
 * Runs inside a sandbox worker thread. Only strings cross between host and guest.
 */
import type { QuickJSContext, QuickJSDeferredPromise, QuickJSHandle, QuickJSRuntime } from 'quickjs-emscripten-core';
import { BRIDGE_CAPS, REPLAY_CAPS } from '../defaults.ts';
import type { SandboxLimits } from '../protocol.ts';
import { REFUSED_MODULES } from '../refused-modules.ts';
import type { BuildFailureReason, ScriptLogLevel, ScriptPackages } from '../types.ts';
import { capText } from './guest-json.ts';
import { faultFrom, type GuestFault } from './diagnose.ts';
import { readGuestError, type GuestError } from './guest-error.ts';
import type { GuestSources } from './guest-sources.ts';
import { pagesFor, type PreparedSandbox, type SandboxSource } from './sandbox-pool.ts';
import type { WatchCell } from './watch-cell.ts';

/** Promise jobs run per executePendingJobs call; a bound keeps one call from running forever. */
const MAX_JOBS_PER_PUMP = 10_000;
const LOG_LEVELS = new Set<string>(['log', 'info', 'warn', 'error', 'debug']);

/** The build cannot go on: its sandbox is out of CPU or memory, or trapped. */
export class SandboxFault extends Error {
  readonly reason: BuildFailureReason;
  constructor(reason: BuildFailureReason, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SandboxFault';
    this.reason = reason;
  }
}

export interface SandboxCallbacks {
  /** `clock`: the clock readings drawn since the last runJob, for the host to keep first. */
  runJob(callId: number, requestJson: string, clock: number[]): void;
  jobLogs(callId: number, name: string): void;
  log(level: ScriptLogLevel, text: string): void;
  /** Call fireTimer(id) after delayMs (0 for setImmediate), unless clearTimer(id) comes first. */
  setTimer(id: number, delayMs: number): void;
  clearTimer(id: number): void;
}

/** Node's largest timer delay. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

export interface BuildSandboxOptions {
  id: number;
  /** Where the build's own QuickJS instance comes from (made ahead by the worker's pool). */
  sandboxes: SandboxSource;
  limits: SandboxLimits;
  cell: WatchCell;
  sources: GuestSources;
  /** Files beside the script (path -> source) that require('./x') may load. */
  files: ReadonlyMap<string, string>;
  /** Seed of Math.random and the recorded clock readings of earlier evaluations (deterministic replay). */
  replay: { seed: string; clock: readonly number[] };
  /** npm packages require('name') may load. */
  packages: ScriptPackages;
  callbacks: SandboxCallbacks;
}

/** A file beside the script becomes a CommonJS module; the header stays on line 1 so line numbers hold. */
const MODULE_HEAD = '(function (exports, require, module, __filename, __dirname) {';

/** The handles a guest passed to a host function: the guest may pass fewer than the function declares. */
type GuestArgs = readonly (QuickJSHandle | undefined)[];

export interface DriverState {
  settled: boolean;
  /** Why the handlers failed (a throw or a rejection). */
  error: GuestFault | null;
  /** A rejection of a recorded promise nobody handled. */
  unhandled: GuestFault | null;
  /** An exception thrown by a timer callback. */
  uncaught: GuestFault | null;
}

export class BuildSandbox {
  readonly #opts: BuildSandboxOptions;
  readonly #runtime: QuickJSRuntime;
  readonly #ctx: QuickJSContext;
  readonly #pendingJobs = new Map<number, QuickJSDeferredPromise>();
  #driver: QuickJSHandle | undefined;
  #cpuUsedMs = 0;
  #sliceDeadline = 0;
  #interrupted = false;
  #broken = false;
  #disposed = false;
  #nextCallId = 1;
  #jobsStarted = 0;
  #logChars = 0;
  /** Next recorded clock reading to hand out; readings drawn live and not yet reported. */
  #clockIndex = 0;
  #clockRecorded = 0;
  #newClock: number[] = [];
  /** Pending timers; true when ref'd (it keeps the build alive). */
  readonly #timers = new Map<number, boolean>();

  private constructor(opts: BuildSandboxOptions, prepared: PreparedSandbox) {
    this.#opts = opts;
    this.#runtime = prepared.runtime;
    this.#runtime.setInterruptHandler(() => this.#shouldInterrupt());
    this.#ctx = prepared.ctx;
    this.#clockRecorded = opts.replay.clock.length;
  }

  static async create(opts: BuildSandboxOptions): Promise<BuildSandbox> {
    const prepared = await opts.sandboxes.take(pagesFor(opts.limits.memoryBytes));
    const sandbox = new BuildSandbox(opts, prepared);
    sandbox.#loadRuntime(prepared);
    return sandbox;
  }

  get cpuUsedMs(): number {
    return this.#cpuUsedMs;
  }

  /** Host calls (runJob) and ref'd timers the guest is still waiting for. */
  get pendingHostCalls(): number {
    let refTimers = 0;
    for (const ref of this.#timers.values()) if (ref) refTimers++;
    return this.#pendingJobs.size + refTimers;
  }

  /** Runs the callback of a timer that came due (the host's clock said so). */
  fireTimer(id: number): void {
    if (!this.#timers.delete(id) || this.#broken || this.#disposed) return;
    this.#callDriver('timer', [String(id)]);
  }

  /** Evaluates brigade.js at top level. Returns the guest error if it threw or did not compile. */
  evaluateScript(script: string): GuestError | undefined {
    return this.#slice(() => {
      const result = this.#ctx.evalCode(script, 'brigade.js', { type: 'global' });
      if (result.error) return this.#consumeError(result.error);
      result.value.dispose();
      return undefined;
    });
  }

  /** Compiles without running: the syntax check of inspectScript. */
  compileScript(script: string): GuestError | undefined {
    return this.#slice(() => {
      const result = this.#ctx.evalCode(script, 'brigade.js', { type: 'global', compileOnly: true });
      if (result.error) return this.#consumeError(result.error);
      result.value.dispose();
      return undefined;
    });
  }

  /** Calls the handler for the event; 'nohandler' if the script registered none. */
  start(eventJson: string, projectJson: string): 'started' | 'nohandler' {
    return this.#callDriver('start', [eventJson, projectJson]) === 'started' ? 'started' : 'nohandler';
  }

  state(): DriverState {
    const raw = JSON.parse(this.#callDriver('state', [])) as Record<string, unknown>;
    return {
      settled: raw['settled'] === true,
      error: faultFrom(raw['error']),
      unhandled: faultFrom(raw['unhandled']),
      uncaught: faultFrom(raw['uncaught']),
    };
  }

  handlers(): string[] {
    const list: unknown = JSON.parse(this.#callDriver('handlers', []));
    return Array.isArray(list) ? list.filter((t): t is string => typeof t === 'string') : [];
  }

  /** Runs queued promise jobs until none is left (or the CPU budget is spent). */
  pump(): void {
    while (this.#runtime.hasPendingJob()) {
      this.#slice(() => {
        const result = this.#runtime.executePendingJobs(MAX_JOBS_PER_PUMP);
        if (result.error) {
          const error = this.#consumeError(result.error);
          throw new SandboxFault('SandboxError', `${error.name}: ${error.message}`);
        }
      });
    }
  }

  /** True when the guest has nothing left to do until a host call answers. */
  get idle(): boolean {
    return !this.#runtime.hasPendingJob();
  }

  settleJob(callId: number, answer: { outcomeJson: string } | { error: { name: string; message: string } }): void {
    const deferred = this.#pendingJobs.get(callId);
    if (!deferred || this.#broken || this.#disposed) return;
    this.#pendingJobs.delete(callId);
    this.#slice(() => {
      if ('outcomeJson' in answer) {
        const value = this.#ctx.newString(answer.outcomeJson);
        deferred.resolve(value);
        value.dispose();
      } else {
        const error = this.#ctx.newError(answer.error);
        deferred.reject(error);
        error.dispose();
      }
    });
  }

  /**
   * Frees the QuickJS objects. A broken (trapped, out-of-memory) instance is dropped instead: its heap
   * is unusable. Dropping is always safe because the WebAssembly instance and its memory belong to this
   * build alone and are garbage once unreferenced; freeing first merely returns the memory sooner.
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    const unsettled = [...this.#pendingJobs.values()];
    this.#pendingJobs.clear();
    for (const id of this.#timers.keys()) this.#opts.callbacks.clearTimer(id);
    this.#timers.clear();
    if (this.#broken) return;
    try {
      // A host call still unanswered (a job cancelled with its build, a timeout) holds its promise and
      // resolvers; left alive they trip QuickJS's leak assertion in JS_FreeRuntime.
      for (const deferred of unsettled) if (deferred.alive) deferred.dispose();
      this.#driver?.dispose();
      this.#ctx.dispose();
      this.#runtime.dispose();
    } catch (error) {
      // QuickJS aborts (assertion in JS_FreeRuntime) when an earlier allocation failure left objects
      // behind. The instance is dropped either way; record it rather than fail the build.
      this.#broken = true;
      process.emitWarning(
        `a build sandbox could not be freed cleanly and was dropped: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  #shouldInterrupt(): boolean {
    if (performance.now() <= this.#sliceDeadline) return false;
    this.#interrupted = true;
    return true;
  }

  /** Enters guest code: charges CPU, arms the interrupt deadline and the watchdog, maps traps to faults. */
  #slice<T>(fn: () => T): T {
    if (this.#broken || this.#disposed) throw new SandboxFault('SandboxError', 'the sandbox was already torn down');
    const remaining = this.#opts.limits.cpuMs - this.#cpuUsedMs;
    if (remaining <= 0) throw this.#cpuFault();
    const started = performance.now();
    this.#sliceDeadline = started + remaining;
    this.#opts.cell.enter(this.#opts.id, Date.now() + remaining);
    try {
      const value = fn();
      if (this.#interrupted) throw this.#cpuFault();
      return value;
    } catch (error) {
      throw this.#toFault(error);
    } finally {
      this.#opts.cell.leave();
      this.#cpuUsedMs += performance.now() - started;
    }
  }

  #cpuFault(): SandboxFault {
    this.#interrupted = true;
    return new SandboxFault(
      'CpuLimit',
      `the script used more than its CPU time budget of ${this.#opts.limits.cpuMs} ms`,
    );
  }

  #toFault(error: unknown): SandboxFault {
    if (error instanceof SandboxFault) {
      if (error.reason !== 'SandboxError' || this.#interrupted) this.#broken = true;
      return this.#interrupted ? this.#cpuFault() : error;
    }
    // A WebAssembly trap or a host stack overflow inside the instance: its state is undefined now.
    this.#broken = true;
    const message = error instanceof Error ? error.message : String(error);
    const outOfMemory = /memory|allocation/i.test(message);
    return new SandboxFault(
      outOfMemory ? 'OutOfMemory' : 'SandboxError',
      outOfMemory
        ? `the script exceeded its memory limit of ${this.#opts.limits.memoryBytes} bytes`
        : `the sandbox trapped: ${capText(message, 200)}`,
      { cause: error },
    );
  }

  #consumeError(handle: QuickJSHandle): GuestError {
    try {
      const error = readGuestError(this.#ctx, handle);
      if (/out of memory/i.test(error.message)) {
        this.#broken = true;
        throw new SandboxFault(
          'OutOfMemory',
          `the script exceeded its memory limit of ${this.#opts.limits.memoryBytes} bytes`,
        );
      }
      return error;
    } finally {
      if (handle.alive) handle.dispose();
    }
  }

  #callDriver(method: string, args: string[]): string {
    return this.#slice(() => {
      const driver = this.#driver;
      if (!driver) throw new SandboxFault('SandboxError', 'the brigadier runtime is not loaded');
      const fn = this.#ctx.getProp(driver, method);
      const argHandles = args.map((a) => this.#ctx.newString(a));
      try {
        const result = this.#ctx.callFunction(fn, this.#ctx.undefined, ...argHandles);
        if (result.error) {
          const error = this.#consumeError(result.error);
          throw new SandboxFault(
            'SandboxError',
            `brigadier runtime failed in ${method}: ${error.name}: ${error.message}`,
          );
        }
        const text = this.#ctx.typeof(result.value) === 'string' ? this.#ctx.getString(result.value) : '';
        result.value.dispose();
        return text;
      } finally {
        fn.dispose();
        for (const h of argHandles) h.dispose();
      }
    });
  }

  /** Binds this build to the runtime compiled in the prepared sandbox: its bridge, packages and seed. */
  #loadRuntime(prepared: PreparedSandbox): void {
    const factory = prepared.brigadierFactory;
    const create = prepared.createRuntime;
    this.#slice(() => {
      const ctx = this.#ctx;
      const bridge = ctx.newObject();
      const hostFunctions: Record<string, (args: GuestArgs) => QuickJSHandle | { error: QuickJSHandle } | undefined> = {
        runJob: (args) => this.#hostRunJob(args),
        log: (args) => this.#hostLog(args),
        jobLogs: (args) => this.#hostJobLogs(args),
        loadBuiltin: (args) => this.#hostLoadBuiltin(args),
        loadFile: (args) => this.#hostLoadFile(args),
        loadPackageFile: (args) => this.#hostLoadPackageFile(args),
        setTimer: (args) => this.#hostSetTimer(args),
        clearTimer: (args) => {
          this.#hostClearTimer(args);
          return undefined;
        },
        refTimer: (args) => {
          this.#hostRefTimer(args);
          return undefined;
        },
        clock: () => this.#ctx.newNumber(this.#clockReading()),
        seed: () => this.#ctx.newString(this.#opts.replay.seed),
      };
      const functions = Object.entries(hostFunctions).map(([name, fn]) => {
        const handle = ctx.newFunction(name, (...args) => fn(args));
        ctx.setProp(bridge, name, handle);
        return handle;
      });
      const facts = {
        refusedModules: JSON.stringify([...REFUSED_MODULES]),
        packageIndex: JSON.stringify(packageIndex(this.#opts.packages)),
      };
      for (const [name, text] of Object.entries(facts)) {
        const handle = ctx.newString(text);
        ctx.setProp(bridge, name, handle);
        handle.dispose();
      }
      try {
        this.#driver = ctx.unwrapResult(ctx.callFunction(create, ctx.undefined, bridge, factory));
      } finally {
        for (const h of [factory, create, bridge, ...functions]) h.dispose();
      }
    });
  }

  #guestThrow(name: string, message: string): { error: QuickJSHandle } {
    return { error: this.#ctx.newError({ name, message }) };
  }

  #hostRunJob(args: GuestArgs): QuickJSHandle | { error: QuickJSHandle } {
    if (this.#disposed) return this.#guestThrow('Error', 'the build is over');
    const [request] = args;
    if (!request || this.#ctx.typeof(request) !== 'string')
      return this.#guestThrow('TypeError', 'runJob expects a string');
    const json = this.#ctx.getString(request);
    if (json.length > BRIDGE_CAPS.jobRequest) {
      return this.#guestThrow('RangeError', `job request is larger than ${BRIDGE_CAPS.jobRequest} characters`);
    }
    if (++this.#jobsStarted > BRIDGE_CAPS.jobsPerBuild) {
      return this.#guestThrow('RangeError', `a build may start at most ${BRIDGE_CAPS.jobsPerBuild} jobs`);
    }
    const callId = this.#nextCallId++;
    const deferred = this.#ctx.newPromise();
    this.#pendingJobs.set(callId, deferred);
    const clock = this.#newClock;
    this.#newClock = [];
    this.#opts.callbacks.runJob(callId, json, clock);
    return deferred.handle;
  }

  /**
   * The guest's clock (Date, performance): the recorded readings of earlier evaluations in order, then
   * live ones, recorded while the record has room (REPLAY_CAPS.clockValues).
   */
  #clockReading(): number {
    const recorded = this.#opts.replay.clock;
    if (this.#clockIndex < recorded.length) return recorded[this.#clockIndex++] ?? Date.now();
    const now = Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000;
    if (this.#clockRecorded < REPLAY_CAPS.clockValues) {
      this.#clockRecorded++;
      this.#newClock.push(now);
    }
    return now;
  }

  /**
   * Evaluates the source of a sandbox built-in module (trusted guest code shipped with the operator)
   * and returns its CommonJS wrapper function. Only names in the shipped set are accepted.
   */
  #hostLoadBuiltin(args: GuestArgs): QuickJSHandle | { error: QuickJSHandle } {
    if (this.#disposed) return this.#guestThrow('Error', 'the build is over');
    const [name] = args;
    if (!name || this.#ctx.typeof(name) !== 'string')
      return this.#guestThrow('TypeError', 'loadBuiltin expects a string');
    const moduleName = this.#ctx.getString(name);
    const source = this.#opts.sources.builtins.get(moduleName);
    if (source === undefined)
      return this.#guestThrow('Error', `no built-in module ${JSON.stringify(capText(moduleName, 100))}`);
    const result = this.#ctx.evalCode(source, `node:${moduleName}`, { type: 'global' });
    if (result.error) return { error: result.error };
    return result.value;
  }

  /**
   * A file beside the script: undefined when there is no such file, its text for .json, else its
   * CommonJS wrapper evaluated under its own name (so its errors say `lib/x.js:3:5`).
   */
  #hostLoadFile(args: GuestArgs): QuickJSHandle | { error: QuickJSHandle } {
    if (this.#disposed) return this.#guestThrow('Error', 'the build is over');
    const [name] = args;
    if (!name || this.#ctx.typeof(name) !== 'string') return this.#guestThrow('TypeError', 'loadFile expects a string');
    const path = this.#ctx.getString(name);
    const source = this.#opts.files.get(path);
    if (source === undefined) return this.#ctx.undefined;
    if (path.endsWith('.json')) return this.#ctx.newString(source);
    const result = this.#ctx.evalCode(`${MODULE_HEAD}${source}\n})`, path, { type: 'global' });
    if (result.error) return { error: result.error };
    return result.value;
  }

  /**
   * A file of an npm package, as loadFile does for files beside the script; evaluated under the name
   * `node_modules/<package>/<path>` so its errors say where they are.
   */
  #hostLoadPackageFile(args: GuestArgs): QuickJSHandle | { error: QuickJSHandle } {
    if (this.#disposed) return this.#guestThrow('Error', 'the build is over');
    // The guest may call it with fewer arguments than declared.
    const [keyHandle, pathHandle] = args;
    if (
      !keyHandle ||
      !pathHandle ||
      this.#ctx.typeof(keyHandle) !== 'string' ||
      this.#ctx.typeof(pathHandle) !== 'string'
    )
      return this.#guestThrow('TypeError', 'loadPackageFile expects two strings');
    const key = this.#ctx.getString(keyHandle);
    const path = this.#ctx.getString(pathHandle);
    const pkg = Object.hasOwn(this.#opts.packages.packages, key) ? this.#opts.packages.packages[key] : undefined;
    const source = pkg && Object.hasOwn(pkg.files, path) ? pkg.files[path] : undefined;
    if (source === undefined) return this.#ctx.undefined;
    if (path.endsWith('.json')) return this.#ctx.newString(source);
    const name = `node_modules/${key.slice(0, key.lastIndexOf('@'))}/${path}`;
    const result = this.#ctx.evalCode(`${MODULE_HEAD}${source}\n})`, name, { type: 'global' });
    if (result.error) return { error: result.error };
    return result.value;
  }

  /** The log so far of a running job of this build; resolves with `{"log": string|null}`. */
  #hostJobLogs(args: GuestArgs): QuickJSHandle | { error: QuickJSHandle } {
    if (this.#disposed) return this.#guestThrow('Error', 'the build is over');
    const [name] = args;
    if (!name || this.#ctx.typeof(name) !== 'string') return this.#guestThrow('TypeError', 'jobLogs expects a string');
    const jobName = this.#ctx.getString(name);
    if (jobName.length > 64) return this.#guestThrow('RangeError', 'job name too long');
    const callId = this.#nextCallId++;
    const deferred = this.#ctx.newPromise();
    this.#pendingJobs.set(callId, deferred);
    this.#opts.callbacks.jobLogs(callId, jobName);
    return deferred.handle;
  }

  /** A guest timer id: a positive integer the runtime chose. */
  #timerId(handle: QuickJSHandle | undefined): number | undefined {
    if (!handle || this.#ctx.typeof(handle) !== 'number') return undefined;
    const id = this.#ctx.getNumber(handle);
    return Number.isSafeInteger(id) && id > 0 ? id : undefined;
  }

  #hostSetTimer(args: GuestArgs): { error: QuickJSHandle } | undefined {
    if (this.#disposed) return this.#guestThrow('Error', 'the build is over');
    const [idHandle, delayHandle] = args;
    const id = this.#timerId(idHandle);
    const delay = delayHandle && this.#ctx.typeof(delayHandle) === 'number' ? this.#ctx.getNumber(delayHandle) : NaN;
    if (id === undefined || !(delay >= 0 && delay <= MAX_TIMER_DELAY_MS))
      return this.#guestThrow('TypeError', 'setTimer expects an id and a delay');
    if (!this.#timers.has(id) && this.#timers.size >= BRIDGE_CAPS.timersPerBuild) {
      return this.#guestThrow('RangeError', `a build may have at most ${BRIDGE_CAPS.timersPerBuild} pending timers`);
    }
    this.#timers.set(id, this.#timers.get(id) ?? true);
    this.#opts.callbacks.setTimer(id, Math.floor(delay));
    return undefined;
  }

  #hostClearTimer(args: GuestArgs): undefined {
    const id = this.#timerId(args[0]);
    if (id !== undefined && this.#timers.delete(id)) this.#opts.callbacks.clearTimer(id);
    return undefined;
  }

  #hostRefTimer(args: GuestArgs): undefined {
    const id = this.#timerId(args[0]);
    const ref =
      args[1] !== undefined && this.#ctx.typeof(args[1]) === 'boolean' ? this.#ctx.dump(args[1]) === true : true;
    if (id !== undefined && this.#timers.has(id)) this.#timers.set(id, ref);
    return undefined;
  }

  #hostLog(args: GuestArgs): { error: QuickJSHandle } | undefined {
    if (this.#disposed) return undefined;
    const [level, text] = args;
    if (!level || !text || this.#ctx.typeof(level) !== 'string' || this.#ctx.typeof(text) !== 'string') {
      return this.#guestThrow('TypeError', 'log expects two strings');
    }
    const levelName = this.#ctx.getString(level);
    if (!LOG_LEVELS.has(levelName)) return this.#guestThrow('TypeError', 'unknown log level');
    if (this.#logChars > BRIDGE_CAPS.logCharsPerBuild) return undefined;
    const line = capText(this.#ctx.getString(text), BRIDGE_CAPS.logLine);
    this.#logChars += line.length + 1;
    if (this.#logChars > BRIDGE_CAPS.logCharsPerBuild) {
      this.#opts.callbacks.log(
        'warn',
        `console output limit of ${BRIDGE_CAPS.logCharsPerBuild} characters reached; further lines are dropped`,
      );
      return undefined;
    }
    this.#opts.callbacks.log(levelName as ScriptLogLevel, line);
    return undefined;
  }
}

/** What the guest's resolver needs of the packages: each one's main and dependencies, not its files. */
function packageIndex(packages: ScriptPackages): {
  roots: Record<string, string>;
  packages: Record<string, { main?: string; dependencies: Record<string, string> }>;
} {
  const index: Record<string, { main?: string; dependencies: Record<string, string> }> = {};
  for (const [key, pkg] of Object.entries(packages.packages)) {
    index[key] = { ...(pkg.main ? { main: pkg.main } : {}), dependencies: pkg.dependencies ?? {} };
  }
  return { roots: packages.roots, packages: index };
}
