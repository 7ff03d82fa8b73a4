/**
 * Replay: a build evaluated again from scratch (operator restart, or its sandbox worker replaced) must
 * never run a job twice. The host below is what the controller does: runJob is idempotent per name,
 * attaching to a running job or answering from the recorded outcome.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import type { JobOutcome, JobRequest, ScriptHost, ScriptLogLevel } from './index.ts';
import { gate, onPush, testEvent, testProject, until } from './test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

/** Keeps one record per job name; starting a name twice attaches to the first start. */
class RecordingHost implements ScriptHost {
  readonly record = new Map<string, Promise<JobOutcome>>();
  readonly executions: string[] = [];
  readonly lines: string[] = [];
  readonly #gates = new Map<string, Promise<void>>();

  holdJob(name: string, until: Promise<void>): void {
    this.#gates.set(name, until);
  }

  runJob(request: JobRequest): Promise<JobOutcome> {
    const existing = this.record.get(request.name);
    if (existing) return existing;
    this.executions.push(request.name);
    const outcome = (this.#gates.get(request.name) ?? Promise.resolve()).then(() => ({
      succeeded: true,
      log: `output of ${request.name}`,
    }));
    this.record.set(request.name, outcome);
    return outcome;
  }

  log(_level: ScriptLogLevel, text: string): void {
    this.lines.push(text);
  }
}

const pipeline = onPush(`
  const test = await new Job('test').run();
  console.log('tested: ' + test);
  const [a, b] = await Group.runAll([new Job('build-a'), new Job('build-b')]);
  console.log('built: ' + a + ' / ' + b);
  await new Job('deploy').run();
  console.log('deployed');`);

describe('replay', () => {
  it('re-evaluating a build after a restart attaches to running jobs and reuses recorded results', async () => {
    const host = new RecordingHost();
    const deploy = gate();
    host.holdJob('deploy', deploy.promise);
    // First evaluation: the "operator" goes away while deploy is running.
    const firstRun = new AbortController();
    const first = engine.runBuild({
      script: pipeline,
      event: testEvent(),
      project: testProject(),
      host,
      signal: firstRun.signal,
    });
    await until(() => host.executions.includes('deploy'), 'deploy to start');
    firstRun.abort();
    assert.equal((await first).reason, 'Cancelled');

    // Second evaluation of the same build: nothing runs again; deploy is attached to and finishes.
    const second = engine.runBuild({ script: pipeline, event: testEvent(), project: testProject(), host });
    deploy.open();
    const outcome = await second;
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.executions, ['test', 'build-a', 'build-b', 'deploy']);
    assert.ok(host.lines.includes('built: output of build-a / output of build-b'));
    assert.equal(host.lines.at(-1), 'deployed');
  });

  it('replaying a finished build answers every job from the record and reaches the same outcome', async () => {
    const host = new RecordingHost();
    const first = await engine.runBuild({ script: pipeline, event: testEvent(), project: testProject(), host });
    const linesOfFirst = [...host.lines];
    const second = await engine.runBuild({ script: pipeline, event: testEvent(), project: testProject(), host });
    assert.deepEqual(second, first);
    assert.deepEqual(host.executions, ['test', 'build-a', 'build-b', 'deploy']);
    assert.deepEqual(host.lines.slice(linesOfFirst.length), linesOfFirst);
  });

  it('a recorded failure fails the replay the same way', async () => {
    const host = new RecordingHost();
    host.record.set('test', Promise.resolve({ succeeded: false, log: 'assertion failed', message: 'exit code 1' }));
    const outcome = await engine.runBuild({ script: pipeline, event: testEvent(), project: testProject(), host });
    assert.deepEqual([outcome.status, outcome.reason], ['Failed', 'JobFailed']);
    assert.match(outcome.message, /job test failed: exit code 1/);
    assert.deepEqual(host.executions, []);
  });
});
