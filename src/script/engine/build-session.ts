/**
 * The engine's side of one runBuild/inspectScript call. Outlives sandbox incarnations: when its worker
 * is replaced, the session is placed again and the script re-runs from scratch ("replay"); the host's
 * idempotent runJob reattaches to jobs already started, and console lines already delivered are not
 * delivered twice. Owns the wall-clock timeout, the abort signal, the host bridge and its scrubbing.
 */
import { BRIDGE_CAPS } from '../defaults.ts';
import { normalizeJobRequest } from '../job-request.ts';
import type { SandboxLimits, SandboxResult, ToWorker } from '../protocol.ts';
import { parseGuestJson, capText } from '../sandbox/guest-json.ts';
import { redact } from '../../util/redact.ts';
import { scrubHostError } from '../scrub.ts';
import { REPLAY_CAPS } from '../defaults.ts';
import type { JobOutcome, ReplayRecord, ScriptHost, ScriptLogLevel, ScriptPackages } from '../types.ts';

export interface BuildSessionOptions {
  kind: 'run' | 'inspect';
  script: string;
  files: Record<string, string>;
  packages: ScriptPackages;
  eventJson: string;
  projectJson: string;
  limits: SandboxLimits;
  wallMs: number;
  host?: ScriptHost;
  /** Seed and clock readings of earlier evaluations (deterministic replay). */
  replay: ReplayRecord;
  secrets: readonly string[];
  signal?: AbortSignal;
  /** Called exactly once with the final result; the engine forgets the session then. */
  settle(session: BuildSession, result: SandboxResult): void;
  /** Called once, at the first job request or the end, with the seconds since the session was made. */
  onStarted?: (seconds: number) => void;
  /** A hibernated session has an answer to give: place it again (a replay). */
  wake?: (session: BuildSession) => void;
}

/** Where the current incarnation runs: the engine's placement, with a way to talk to its worker. */
export interface Placement {
  id: number;
  send(message: ToWorker): void;
}

export class BuildSession {
  readonly #opts: BuildSessionOptions;
  readonly #timer: NodeJS.Timeout;
  readonly #onAbort: () => void;
  #placement: Placement | undefined;
  #finished = false;
  #linesDelivered = 0;
  #linesThisIncarnation = 0;
  /** Incarnations so far; a build that keeps killing its worker is not replayed forever. */
  incarnations = 0;
  /** Clock readings of this build so far (recorded ones first), and how many of them the host keeps. */
  readonly #clock: number[];
  #clockKept: number;
  /** Keeping the record is serialised: concurrent runJob calls (Group.runAll) wait for one write. */
  #keeping: Promise<void> = Promise.resolve();
  readonly #createdAt = performance.now();
  #startReported = false;
  /** Host calls of the current incarnation not answered yet. */
  #outstanding = 0;
  /** When the current incarnation last asked or was answered (performance.now()). */
  #lastActivityAt = performance.now();
  /** 'asked': a hibernate request is with the worker; 'asleep': no incarnation until an answer comes. */
  #sleep: 'awake' | 'asked' | 'asleep' = 'awake';
  /** An answer went to the worker while it was asked to hibernate: it may not have seen it. */
  #answeredWhileAsked = false;
  /**
   * Aborted when the incarnation is replaced: its host calls stop waiting (the replay asks again).
   * A hibernated incarnation keeps its calls: their first answer is what wakes the session.
   */
  #incarnation = new AbortController();

  constructor(opts: BuildSessionOptions) {
    this.#opts = opts;
    this.#clock = opts.replay.clock.slice(0, REPLAY_CAPS.clockValues);
    this.#clockKept = this.#clock.length;
    this.#timer = setTimeout(() => {
      this.#fail('Timeout', `the build ran longer than its ${opts.wallMs} ms limit`);
    }, opts.wallMs);
    this.#timer.unref();
    this.#onAbort = () => {
      const reason: unknown = opts.signal?.reason;
      const timedOut = reason instanceof Error && reason.name === 'TimeoutError';
      this.#fail(timedOut ? 'Timeout' : 'Cancelled', timedOut ? 'the build timed out' : 'the build was cancelled');
    };
    opts.signal?.addEventListener('abort', this.#onAbort, { once: true });
  }

  get finished(): boolean {
    return this.#finished;
  }

  get kind(): 'run' | 'inspect' {
    return this.#opts.kind;
  }

  /** Starts an incarnation on a worker (`wake`: after a hibernation, which is not a lost worker). */
  place(placement: Placement, wake = false): void {
    this.#incarnation.abort(new Error('the evaluation was replaced by a replay'));
    this.#incarnation = new AbortController();
    this.#placement = placement;
    if (!wake) this.incarnations++;
    this.#linesThisIncarnation = 0;
    this.#outstanding = 0;
    this.#sleep = 'awake';
    this.#lastActivityAt = performance.now();
    const { kind, script, files, packages, eventJson, projectJson, limits } = this.#opts;
    const replay = { seed: this.#opts.replay.seed, clock: [...this.#clock] };
    placement.send({
      type: 'start',
      id: placement.id,
      kind,
      script,
      files,
      packages,
      eventJson,
      projectJson,
      limits,
      replay,
    });
    if (this.#opts.signal?.aborted) this.#onAbort();
  }

  /** The current incarnation's worker is gone; it will be placed again (or failed by the engine). */
  unplace(): void {
    this.#placement = undefined;
  }

  /**
   * Whether the current incarnation may be hibernated: a build that has waited on the host (jobs) and
   * nothing else for at least `idleMs`.
   */
  canHibernate(now: number, idleMs: number): boolean {
    return (
      this.#opts.kind === 'run' &&
      !this.#finished &&
      this.#placement !== undefined &&
      this.#sleep === 'awake' &&
      this.#outstanding > 0 &&
      now - this.#lastActivityAt >= idleMs
    );
  }

  get lastActivityAt(): number {
    return this.#lastActivityAt;
  }

  /** The engine asked the worker to hibernate this incarnation. */
  hibernateAsked(): void {
    this.#sleep = 'asked';
    this.#answeredWhileAsked = false;
  }

  /** The worker kept the incarnation (a timer is pending, or it is busy): it stays as it was. */
  hibernateRefused(): void {
    if (this.#sleep === 'asked') this.#sleep = 'awake';
    this.#lastActivityAt = performance.now();
  }

  /**
   * The worker freed the incarnation: no placement until an answer comes. An answer sent meanwhile
   * may have been lost with it, so the session wakes at once.
   */
  hibernated(): void {
    this.#placement = undefined;
    this.#sleep = 'asleep';
    if (this.#answeredWhileAsked) this.#wake();
  }

  get asleep(): boolean {
    return this.#sleep === 'asleep';
  }

  #wake(): void {
    if (this.#finished || this.#sleep !== 'asleep') return;
    this.#sleep = 'awake';
    this.#opts.wake?.(this);
  }

  onLog(level: ScriptLogLevel, text: string): void {
    this.#linesThisIncarnation++;
    // A replay re-executes the script from the top: its first lines were already delivered.
    if (this.#linesThisIncarnation <= this.#linesDelivered || this.#finished) return;
    this.#linesDelivered++;
    try {
      this.#opts.host?.log(level, redact(text, this.#opts.secrets));
    } catch (error) {
      // ScriptHost.log must not throw; a broken logger must not fail the build either.
      process.emitWarning(`ScriptHost.log threw: ${String(error)}`);
    }
  }

  onRunJob(callId: number, requestJson: string, clock: readonly number[] = []): void {
    this.#reportStarted();
    const placement = this.#placement;
    const host = this.#opts.host;
    if (!placement || !host) return;
    this.#asked();
    for (const reading of clock) {
      if (this.#clock.length >= REPLAY_CAPS.clockValues) break;
      if (typeof reading === 'number' && Number.isFinite(reading)) this.#clock.push(reading);
    }
    let request;
    try {
      request = normalizeJobRequest(
        parseGuestJson(requestJson, { maxChars: BRIDGE_CAPS.jobRequest, what: 'job request' }),
      );
    } catch (error) {
      this.#answer(placement, callId, { error: this.#scrub(error) });
      return;
    }
    const jobRequest = request;
    const { signal } = this.#incarnation;
    // The host is trusted but may be buggy: a synchronous throw, a non-promise or a malformed outcome
    // becomes the job's failure, never an exception in the engine.
    const outcome = this.#keepReplay(host).then(() => host.runJob(jobRequest, { signal }));
    this.#answerWhenSettled(placement, callId, outcome);
  }

  /**
   * Answers the call when the host's promise settles. A function of its own so that what waits (for
   * as long as the job runs) holds the placement and the call id, not the request.
   */
  #answerWhenSettled(placement: Placement, callId: number, outcome: Promise<JobOutcome>): void {
    outcome
      .then((o) => JSON.stringify(this.#outcomeForGuest(o)))
      .then(
        (outcomeJson) => {
          this.#answer(placement, callId, { outcomeJson });
        },
        (error: unknown) => {
          this.#answer(placement, callId, { error: this.#scrub(error) });
        },
      );
  }

  /** Resolves once the host keeps every clock reading drawn so far (before the job may start). */
  #keepReplay(host: ScriptHost): Promise<void> {
    if (!host.recordReplay) return Promise.resolve();
    this.#keeping = this.#keeping
      .catch(() => undefined)
      .then(async () => {
        const count = this.#clock.length;
        if (count <= this.#clockKept) return;
        await host.recordReplay?.({ seed: this.#opts.replay.seed, clock: this.#clock.slice(0, count) });
        this.#clockKept = Math.max(this.#clockKept, count);
      });
    return this.#keeping;
  }

  /** The log so far of a running job, from the host when it can tell (`null`: wait for the job's end). */
  onJobLogs(callId: number, name: string): void {
    const placement = this.#placement;
    const host = this.#opts.host;
    if (!placement || !host) return;
    this.#asked();
    const read = host.jobLogs?.bind(host);
    if (!read) {
      this.#answer(placement, callId, { outcomeJson: JSON.stringify({ log: null }) });
      return;
    }
    Promise.resolve()
      .then(() => read(name))
      .then((log) =>
        JSON.stringify({
          log: typeof log === 'string' ? redact(capText(log, BRIDGE_CAPS.resultLog), this.#opts.secrets) : null,
        }),
      )
      .then(
        (outcomeJson) => {
          this.#answer(placement, callId, { outcomeJson });
        },
        (error: unknown) => {
          this.#answer(placement, callId, { error: this.#scrub(error) });
        },
      );
  }

  onDone(result: SandboxResult): void {
    if (result.kind === 'run' || !result.ok) {
      this.#finish({ ...result, message: redact(result.message, this.#opts.secrets) });
    } else {
      this.#finish(result);
    }
  }

  /** Fails the build from outside (CPU watchdog, engine closed, too many replays). */
  fail(reason: 'CpuLimit' | 'Cancelled' | 'SandboxError', message: string): void {
    this.#fail(reason, message);
  }

  #fail(reason: 'Timeout' | 'Cancelled' | 'CpuLimit' | 'SandboxError', message: string): void {
    if (this.#opts.kind === 'inspect') {
      this.#finish({ kind: 'inspect', ok: false, reason: 'SandboxLimit', message: `${reason}: ${message}` });
      return;
    }
    this.#finish({ kind: 'run', status: 'Failed', reason, message });
  }

  #reportStarted(): void {
    if (this.#startReported) return;
    this.#startReported = true;
    this.#opts.onStarted?.((performance.now() - this.#createdAt) / 1000);
  }

  #finish(result: SandboxResult): void {
    if (this.#finished) return;
    if (this.#opts.kind === 'run') this.#reportStarted();
    this.#finished = true;
    this.#incarnation.abort(new Error('the build has ended'));
    clearTimeout(this.#timer);
    this.#opts.signal?.removeEventListener('abort', this.#onAbort);
    this.#placement?.send({ type: 'drop', id: this.#placement.id });
    this.#opts.settle(this, result);
  }

  #answer(
    placement: Placement,
    callId: number,
    answer: { outcomeJson: string } | { error: { name: string; message: string } },
  ): void {
    if (this.#finished) return;
    // Answers for a replaced incarnation are dropped: the replay asks again and the host reattaches.
    // One for a hibernated incarnation is why it should wake: its replay will ask again.
    if (this.#placement !== placement) {
      this.#wake();
      return;
    }
    this.#outstanding--;
    this.#lastActivityAt = performance.now();
    if (this.#sleep === 'asked') this.#answeredWhileAsked = true;
    placement.send({ type: 'jobResult', id: placement.id, callId, ...answer });
  }

  /** A host call of the current incarnation starts. */
  #asked(): void {
    this.#outstanding++;
    this.#lastActivityAt = performance.now();
  }

  #scrub(error: unknown): { name: string; message: string } {
    return scrubHostError(error, { secrets: this.#opts.secrets, maxChars: BRIDGE_CAPS.errorMessage });
  }

  /** What the host resolved, checked field by field: the types promise a JobOutcome, a buggy host may not keep that. */
  #outcomeForGuest(resolved: unknown): JobOutcome {
    if (typeof resolved !== 'object' || resolved === null)
      throw new TypeError('ScriptHost.runJob resolved without a JobOutcome');
    const outcome: Partial<Record<keyof JobOutcome, unknown>> = resolved;
    const log = typeof outcome.log === 'string' ? capText(outcome.log, BRIDGE_CAPS.resultLog) : '';
    const message =
      typeof outcome.message === 'string'
        ? scrubHostError(new Error(outcome.message), { secrets: [], maxChars: BRIDGE_CAPS.errorMessage }).message
        : undefined;
    return {
      succeeded: outcome.succeeded === true,
      log,
      ...(message === undefined ? {} : { message }),
      ...(typeof outcome.podName === 'string' ? { podName: capText(outcome.podName, 253) } : {}),
    };
  }
}
