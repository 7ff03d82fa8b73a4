/**
 * Test helpers for the script runtime: a fake ScriptHost (the real boundary the controller implements)
 * that records what the script asked for, and builders for events and projects.
 */
import type { JobOutcome, JobRequest, ScriptEvent, ScriptHost, ScriptLogLevel, ScriptProject } from './types.ts';

export interface LogLine {
  level: ScriptLogLevel;
  text: string;
}

type Decide = (request: JobRequest) => JobOutcome | Promise<JobOutcome>;

/** A ScriptHost that answers runJob with `decide` (default: success, log "log of <name>"). */
export class FakeHost implements ScriptHost {
  readonly requests: JobRequest[] = [];
  readonly logs: LogLine[] = [];
  /** Names of jobs currently running (started, not answered). */
  readonly running = new Set<string>();
  maxConcurrent = 0;
  #decide: Decide;

  constructor(decide?: Decide) {
    this.#decide = decide ?? ((r) => ({ succeeded: true, log: `log of ${r.name}`, podName: `${r.name}-pod` }));
  }

  async runJob(request: JobRequest): Promise<JobOutcome> {
    this.requests.push(request);
    this.running.add(request.name);
    this.maxConcurrent = Math.max(this.maxConcurrent, this.running.size);
    try {
      return await this.#decide(request);
    } finally {
      this.running.delete(request.name);
    }
  }

  log(level: ScriptLogLevel, text: string): void {
    this.logs.push({ level, text });
  }

  texts(): string[] {
    return this.logs.map((l) => l.text);
  }
}

/** A promise with its resolver exposed, to hold a job open until the test releases it. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

/** Waits (without sleeping a fixed time) until `predicate` holds, polling on the event loop. */
export async function until(predicate: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

export function testEvent(overrides: Partial<ScriptEvent> = {}): ScriptEvent {
  return {
    buildID: 'build-1',
    type: 'push',
    provider: 'test',
    revision: { commit: 'abc123', ref: 'refs/heads/main' },
    payload: '{"hello":"world"}',
    ...overrides,
  };
}

export function testProject(overrides: Partial<ScriptProject> = {}): ScriptProject {
  return {
    id: 'brigade-0123',
    name: 'org/repo',
    repo: { name: 'org/repo', cloneURL: 'https://example.com/org/repo.git' },
    secrets: { token: 's3cr3t-value' },
    kubernetes: { namespace: 'default' },
    ...overrides,
  };
}

/** A brigade.js that registers `body` as the push handler (body is the handler's statements). */
export function onPush(body: string, prefix = ''): string {
  return `const { events, Job, Group, Result } = require('brigadier');\n${prefix}\nevents.on('push', async (e, p) => {\n${body}\n});\n`;
}
