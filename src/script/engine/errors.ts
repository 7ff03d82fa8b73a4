/** Raised by runBuild/inspectScript after the engine was closed. */
export class ScriptEngineClosedError extends Error {
  constructor() {
    super('script engine is closed');
    this.name = 'ScriptEngineClosedError';
  }
}

/** The options given to runBuild are unusable (not a script fault: a caller bug). */
export class ScriptOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScriptOptionsError';
  }
}
