/**
 * Messages between the engine (main thread) and a sandbox worker. Only plain data; job requests and
 * outcomes travel as the JSON strings the guest produced or will parse.
 */
import type { BuildFailureReason, InspectFailureReason, ScriptLogLevel, ScriptPackages } from './types.ts';

export interface SandboxLimits {
  memoryBytes: number;
  cpuMs: number;
}

export type ToWorker =
  | {
      type: 'start';
      /** Numeric id of this incarnation of the build (a replay gets a new one). */
      id: number;
      kind: 'run' | 'inspect';
      script: string;
      /** Files beside the script, path -> source. */
      files: Record<string, string>;
      /** npm packages the script may require. */
      packages: ScriptPackages;
      eventJson: string;
      projectJson: string;
      limits: SandboxLimits;
      /** Seed of Math.random and the clock readings to return first (deterministic replay). */
      replay: { seed: string; clock: number[] };
    }
  | { type: 'jobResult'; id: number; callId: number; outcomeJson?: string; error?: { name: string; message: string } }
  | { type: 'drop'; id: number }
  /**
   * Free this incarnation if it only waits on host calls (no timer, nothing queued): the engine places
   * the build again, as a replay, when an answer comes. Answered with 'hibernated' or 'awake'.
   */
  | { type: 'hibernate'; id: number };

/** Final word of the worker about one build incarnation. */
export type SandboxResult =
  | { kind: 'run'; status: 'Succeeded' | 'Failed'; reason: 'Completed' | BuildFailureReason; message: string }
  | { kind: 'inspect'; ok: true; handlers: string[] }
  | { kind: 'inspect'; ok: false; message: string; line?: number; column?: number; reason?: InspectFailureReason };

export type FromWorker =
  | { type: 'ready' }
  /** `clock`: readings the guest drew since the last runJob (to keep before the job starts). */
  | { type: 'runJob'; id: number; callId: number; requestJson: string; clock: number[] }
  /** job.logs() of a job still running; answered with a jobResult whose outcomeJson is `{"log": string|null}`. */
  | { type: 'jobLogs'; id: number; callId: number; name: string }
  | { type: 'log'; id: number; level: ScriptLogLevel; text: string }
  | { type: 'done'; id: number; result: SandboxResult }
  /** The incarnation was freed; answers sent to it since the request were not seen. */
  | { type: 'hibernated'; id: number }
  /** The incarnation could not be freed (a timer is pending, or it is not waiting on the host). */
  | { type: 'awake'; id: number };
