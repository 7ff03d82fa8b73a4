import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import type { BuildOutcome, RunBuildOptions } from './index.ts';
import { FakeHost, gate, onPush, testEvent, testProject, until } from './test-support.ts';
import { BRIDGE_CAPS } from './defaults.ts';

// One worker, so the "other builds on the same worker" cases really share it.
const engine = createScriptEngine({ workers: 1, watchdogIntervalMs: 20 });
after(() => engine.close());

function run(script: string, host: FakeHost, extra: Partial<RunBuildOptions> = {}): Promise<BuildOutcome> {
  return engine.runBuild({ script, event: testEvent(), project: testProject(), host, ...extra });
}

/** A build parked on a job, to show that a neighbour's failure does not disturb it. */
function parkedBuild(): { outcome: Promise<BuildOutcome>; host: FakeHost; release(): void } {
  const release = gate();
  const host = new FakeHost(async (r) => {
    await release.promise;
    return { succeeded: true, log: `done ${r.name}` };
  });
  const outcome = run(
    onPush(`console.log('parked'); const r = await new Job('parked').run(); console.log(String(r));`),
    host,
  );
  return {
    outcome,
    host,
    release: () => {
      release.open();
    },
  };
}

describe('CPU limit', () => {
  it('stops an endless loop at top level with CpuLimit', async () => {
    const outcome = await run('while (true) {}', new FakeHost(), { limits: { cpuMs: 200 } });
    assert.deepEqual([outcome.status, outcome.reason], ['Failed', 'CpuLimit']);
    assert.match(outcome.message, /CPU time budget of 200 ms/);
  });

  it('stops an endless loop inside a handler after a job, and the interrupt cannot be caught', async () => {
    const body = `await new Job('first').run(); for (;;) { try { while (true) {} } catch (e) { console.log('caught'); } }`;
    const outcome = await run(onPush(body), new FakeHost(), { limits: { cpuMs: 200 } });
    assert.equal(outcome.reason, 'CpuLimit');
  });

  it('stops a catastrophic regular expression', async () => {
    const outcome = await run(onPush(`/(a+)+$/.test('a'.repeat(40) + 'b');`), new FakeHost(), {
      limits: { cpuMs: 200 },
    });
    assert.equal(outcome.reason, 'CpuLimit');
  });

  it('charges evaluation only, not time spent waiting for jobs', async () => {
    const release = gate();
    const host = new FakeHost(async () => {
      await release.promise;
      return { succeeded: true, log: '' };
    });
    const started = Date.now();
    // The budget leaves room for loading the runtime on a busy machine; the wait is twice as long.
    const outcome = run(onPush(`await new Job('slow').run();`), host, { limits: { cpuMs: 300 } });
    await until(
      () => host.running.size === 1 && Date.now() - started > 600,
      'the job to be running past the CPU budget',
    );
    release.open();
    assert.equal((await outcome).status, 'Succeeded');
  });

  it('terminates the worker for a long built-in, fails that build, and re-runs its neighbours elsewhere', async () => {
    const neighbour = parkedBuild();
    await until(() => neighbour.host.running.size === 1, 'the neighbour build to wait on its job');
    const killedBefore = engine.stats().workersKilled;
    // One call into native code that never reaches an interrupt check (about 2 s here). The budget
    // leaves room for loading the runtime on a busy machine, so the build reaches that call.
    const outcome = await run(`'ab'.repeat(2e7).replaceAll('a', 'cc');`, new FakeHost(), {
      limits: { cpuMs: 200, memoryBytes: 256 * 1024 * 1024 },
    });
    assert.deepEqual([outcome.status, outcome.reason], ['Failed', 'CpuLimit']);
    assert.equal(engine.stats().workersKilled, killedBefore + 1);
    // The replayed neighbour asks for its job again (the host attaches) and logs nothing twice.
    await until(() => neighbour.host.requests.length === 2, 'the neighbour to be replayed');
    neighbour.release();
    const result = await neighbour.outcome;
    assert.equal(result.status, 'Succeeded');
    assert.deepEqual(neighbour.host.texts(), ['parked', 'done parked']);
  });
});

describe('memory limit', () => {
  it('fails an unbounded allocation with OutOfMemory', async () => {
    const outcome = await run(
      onPush(`const a = []; for (;;) a.push('x'.repeat(1 << 20) + a.length);`),
      new FakeHost(),
      {
        limits: { memoryBytes: 32 * 1024 * 1024 },
      },
    );
    assert.deepEqual([outcome.status, outcome.reason], ['Failed', 'OutOfMemory']);
  });

  it('fails one huge allocation with OutOfMemory while a neighbour completes', async () => {
    const neighbour = parkedBuild();
    await until(() => neighbour.host.running.size === 1, 'the neighbour build to wait on its job');
    const outcome = await run(`'x'.repeat(1e9);`, new FakeHost());
    assert.equal(outcome.reason, 'OutOfMemory');
    neighbour.release();
    assert.equal((await neighbour.outcome).status, 'Succeeded');
  });

  it('turns runaway recursion into a catchable RangeError inside the guest', async () => {
    const host = new FakeHost();
    const outcome = await run(
      onPush(`function f() { return f() + 1; } try { f(); } catch (e) { console.log(e.name); }`),
      host,
    );
    assert.equal(outcome.status, 'Succeeded');
    assert.deepEqual(host.texts(), ['RangeError']);
  });
});

describe('wall-clock limit and cancellation', () => {
  it('fails with Timeout when the build outlives limits.wallMs', async () => {
    const never = gate();
    const host = new FakeHost(async () => {
      await never.promise;
      return { succeeded: true, log: '' };
    });
    const outcome = await run(onPush(`await new Job('forever').run();`), host, { limits: { wallMs: 100 } });
    assert.deepEqual([outcome.status, outcome.reason], ['Failed', 'Timeout']);
    never.open();
  });

  it('fails with Cancelled when the signal aborts, and with Timeout for AbortSignal.timeout', async () => {
    const never = gate();
    const host = new FakeHost(async () => {
      await never.promise;
      return { succeeded: true, log: '' };
    });
    const controller = new AbortController();
    const cancelled = run(onPush(`await new Job('forever').run();`), host, { signal: controller.signal });
    await until(() => host.running.size === 1, 'the job to start');
    controller.abort();
    assert.equal((await cancelled).reason, 'Cancelled');
    const timedOut = await run(
      onPush(`await new Job('forever').run();`),
      new FakeHost(() => never.promise.then(() => ({ succeeded: true, log: '' }))),
      {
        signal: AbortSignal.timeout(50),
      },
    );
    assert.equal(timedOut.reason, 'Timeout');
    never.open();
  });

  it('fails with Cancelled when the signal was aborted before the build started', async () => {
    const outcome = await run(onPush(''), new FakeHost(), { signal: AbortSignal.abort() });
    assert.equal(outcome.reason, 'Cancelled');
  });
});

describe('bridge caps', () => {
  it('truncates huge console lines and job logs', async () => {
    const host = new FakeHost(() => ({ succeeded: true, log: 'L'.repeat(BRIDGE_CAPS.resultLog + 5000) }));
    const body = `console.log('x'.repeat(1e6)); const r = await new Job('big').run(); console.log(String(String(r).length));`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.ok((host.logs[0]?.text.length ?? Infinity) < 20_000);
    assert.ok(Number(host.logs[1]?.text) <= BRIDGE_CAPS.resultLog + 100);
    assert.ok(Number(host.logs[1]?.text) >= BRIDGE_CAPS.resultLog);
  });

  it('stops forwarding console output past the per-build limit, with one notice', async () => {
    const host = new FakeHost();
    const outcome = await run(
      onPush(`const line = 'y'.repeat(16000); for (let i = 0; i < 2000; i++) console.log(line);`),
      host,
    );
    assert.equal(outcome.status, 'Succeeded');
    const total = host.logs.reduce((n, l) => n + l.text.length, 0);
    assert.ok(total <= 8 * 1024 * 1024 + 20_000, `forwarded ${total} characters`);
    assert.match(host.logs.at(-1)?.text ?? '', /console output limit/);
    assert.equal(host.logs.filter((l) => /console output limit/.test(l.text)).length, 1);
  });

  it('refuses an oversized job request with an error the script can catch', async () => {
    const host = new FakeHost();
    const body = `const j = new Job('huge'); j.tasks = ['x'.repeat(400 * 1024)]; try { await j.run(); } catch (e) { console.log(e.name + ': ' + e.message); }`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.equal(host.requests.length, 0);
    assert.match(host.texts()[0] ?? '', /^RangeError: job request is larger than/);
  });

  it('bounds a huge error message in the outcome', async () => {
    const outcome = await run(onPush(`throw new Error('x'.repeat(1e7));`), new FakeHost());
    assert.equal(outcome.reason, 'HandlerFailed');
    assert.ok(outcome.message.length < 5000, `message has ${outcome.message.length} characters`);
  });

  it('refuses options that are not a script', async () => {
    await assert.rejects(
      engine.runBuild({
        script: 42 as unknown as string,
        event: testEvent(),
        project: testProject(),
        host: new FakeHost(),
      }),
      {
        name: 'ScriptOptionsError',
      },
    );
  });
});
