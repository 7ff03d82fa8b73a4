/**
 * The brigade.js script runtime: evaluates a project's brigade.js in a QuickJS sandbox, one sandbox per
 * build, hosted by a small pool of worker threads. Nothing here talks to Kubernetes: the controller
 * passes a `ScriptHost` whose `runJob` creates (or, on replay, attaches to) Job CRs.
 *
 * Typical use from the Build reconciler:
 *
 *   const outcome = await runBuild({ script, event, project, host, signal });
 *
 * `runBuild` never rejects for script faults: they come back as a Failed `BuildOutcome`. It rejects
 * only for misuse (invalid options) or when the engine was closed.
 */
import { ScriptEngineImpl } from './engine/engine.ts';
import type {
  InspectOptions,
  InspectResult,
  RunBuildOptions,
  BuildOutcome,
  ScriptEngine,
  ScriptEngineOptions,
} from './types.ts';

export type * from './types.ts';
export { DEFAULT_JOB_IMAGE, DEFAULT_LIMITS, JOB_NAME_MAX_LENGTH, REPLAY_CAPS } from './defaults.ts';
export { ScriptEngineClosedError } from './engine/errors.ts';
export { REFUSED_MODULES } from './refused-modules.ts';

/** An engine with its own workers (tests, or an operator that wants explicit lifecycle). */
export function createScriptEngine(opts: ScriptEngineOptions = {}): ScriptEngine {
  return new ScriptEngineImpl(opts);
}

let defaultEngine: ScriptEngine | undefined;

function sharedEngine(): ScriptEngine {
  defaultEngine ??= createScriptEngine();
  return defaultEngine;
}

/** Runs one build on the process-wide engine (created on first use; idle workers do not keep Node alive). */
export function runBuild(opts: RunBuildOptions): Promise<BuildOutcome> {
  return sharedEngine().runBuild(opts);
}

/** Syntax check and handler discovery on the process-wide engine. */
export function inspectScript(script: string, opts?: InspectOptions): Promise<InspectResult> {
  return sharedEngine().inspectScript(script, opts);
}

/** Closes the process-wide engine (operator shutdown). */
export async function closeDefaultScriptEngine(): Promise<void> {
  const engine = defaultEngine;
  defaultEngine = undefined;
  await engine?.close();
}
