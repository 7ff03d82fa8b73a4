/**
 * Replay: a build evaluated again from scratch (operator restart, or its sandbox worker replaced) must
 * never run a job twice. The host below is what the controller does: runJob is idempotent per name,
 * attaching to a running job or answering from the recorded outcome.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import { REPLAY_CAPS } from './index.ts';
import type { JobOutcome, JobRequest, ReplayRecord, ScriptHost, ScriptLogLevel } from './index.ts';
import { gate, onPush, testEvent, testProject, until } from './test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

/** Keeps one record per job name; starting a name twice attaches to the first start. */
class RecordingHost implements ScriptHost {
  readonly record = new Map<string, Promise<JobOutcome>>();
  readonly executions: string[] = [];
  readonly lines: string[] = [];
  /** What the controller keeps with the build; each write replaces the previous one. */
  kept: ReplayRecord | undefined;
  readonly #gates = new Map<string, Promise<void>>();

  holdJob(name: string, until: Promise<void>): void {
    this.#gates.set(name, until);
  }

  recordReplay(record: ReplayRecord): Promise<void> {
    this.kept = { seed: record.seed, clock: [...record.clock] };
    return Promise.resolve();
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

const clockScript = onPush(`
  const stamp = Date.now();
  const tag = Math.floor(Math.random() * 1e9).toString(36);
  const started = new Date();
  const t0 = performance.now();
  await new Job('build-' + stamp).run();
  await new Job('test-' + tag).run();
  const elapsed = Math.round(performance.now() - t0);
  await new Job('deploy-' + started.getTime() + '-' + (elapsed >= 0 ? 'ok' : 'neg')).run();`);

describe('deterministic replay', () => {
  it('a replay sees the clock and Math.random of the first evaluation, so no clock-named job runs twice', async () => {
    const host = new RecordingHost();
    const firstRun = new AbortController();
    // The second job is held, so the first evaluation is stopped in the middle.
    const hold = gate();
    const decide = host.runJob.bind(host);
    const asked: Array<{ name: string; kept: number }> = [];
    host.runJob = (request) => {
      asked.push({ name: request.name, kept: host.kept?.clock.length ?? 0 });
      return request.name.startsWith('test-') ? hold.promise.then(() => decide(request)) : decide(request);
    };
    const first = engine.runBuild({
      script: clockScript,
      event: testEvent(),
      project: testProject(),
      host,
      signal: firstRun.signal,
      replay: { seed: 'build-uid-1', clock: [] },
    });
    await until(() => asked.length === 2, 'the second job to be asked for');
    firstRun.abort();
    assert.equal((await first).reason, 'Cancelled');
    assert.ok(
      asked.every((a) => a.kept > 0),
      'the clock readings were kept before any job was asked for',
    );
    const namesFirst = asked.map((a) => a.name);

    host.runJob = decide;
    // Time moves on between the evaluations: the replay must not see it.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const second = await engine.runBuild({
      script: clockScript,
      event: testEvent(),
      project: testProject(),
      host,
      replay: host.kept,
    });
    hold.open();
    assert.equal(second.status, 'Succeeded', second.message);
    assert.deepEqual(host.executions.slice(0, 2), namesFirst, 'the same names on replay');
    assert.equal(host.executions.length, 3, `each job ran once: ${host.executions.join(', ')}`);
    assert.equal(new Set(host.executions).size, 3);
  });

  it('the seed decides Math.random, and the clock record is bounded', async () => {
    const seen: string[] = [];
    for (const seed of ['a', 'b', 'a']) {
      const host = new RecordingHost();
      await engine.runBuild({
        script: onPush(`console.log(String(Math.random()) + ' ' + String(Math.random()));`),
        event: testEvent(),
        project: testProject(),
        host,
        replay: { seed, clock: [] },
      });
      seen.push(host.lines[0] ?? '');
    }
    assert.notEqual(seen[0], seen[1]);
    assert.equal(seen[0], seen[2]);
    const host = new RecordingHost();
    await engine.runBuild({
      script: onPush(
        `for (let i = 0; i < ${REPLAY_CAPS.clockValues + 100}; i++) Date.now();\nawait new Job('after-loop').run();`,
      ),
      event: testEvent(),
      project: testProject(),
      host,
      replay: { seed: 's', clock: [] },
    });
    assert.equal(host.kept?.clock.length, REPLAY_CAPS.clockValues);
  });

  it('Date keeps its behaviour: arguments, subclassing, Date() as a string, instanceof', async () => {
    const host = new RecordingHost();
    const outcome = await engine.runBuild({
      script: onPush(`
        class Stamp extends Date {}
        const checks = [
          new Date(0).toISOString() === '1970-01-01T00:00:00.000Z',
          new Date(2020, 0, 2).getFullYear() === 2020,
          typeof Date() === 'string',
          new Stamp() instanceof Date,
          new Date() instanceof Date,
          new Date().constructor === Date,
          Date.UTC(2020, 0, 1) === 1577836800000,
          Math.abs(Date.now() - new Date().getTime()) < 60000,
          typeof performance.now() === 'number',
        ];
        console.log(checks.join(','));`),
      event: testEvent(),
      project: testProject(),
      host,
    });
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.equal(host.lines[0], Array(9).fill('true').join(','));
  });
});
