import type { ScriptEngine, ScriptEngineOptions, ScriptEngineStats } from '../index.ts';
import type { BuildOutcome, InspectOptions, InspectResult, RunBuildOptions } from '../types.ts';

/** Placeholder until the worker pool lands; the public API above is final. */
export class ScriptEngineImpl implements ScriptEngine {
  constructor(_opts: ScriptEngineOptions) {}
  runBuild(_opts: RunBuildOptions): Promise<BuildOutcome> {
    return Promise.reject(new Error('not implemented yet'));
  }
  inspectScript(_script: string, _opts?: InspectOptions): Promise<InspectResult> {
    return Promise.reject(new Error('not implemented yet'));
  }
  stats(): ScriptEngineStats {
    return { workers: 0, liveBuilds: 0, workersKilled: 0, replays: 0 };
  }
  async close(): Promise<void> {}
}
