import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import type { BuildOutcome, RunBuildOptions } from './index.ts';
import { FakeHost, onPush, testEvent, testProject } from './test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

function run(script: string, host: FakeHost, extra: Partial<RunBuildOptions> = {}): Promise<BuildOutcome> {
  return engine.runBuild({ script, event: testEvent(), project: testProject(), host, ...extra });
}

describe('timers in brigade.js', () => {
  it('runs setTimeout callbacks in delay order with their arguments, and the build waits for them', async () => {
    const host = new FakeHost();
    const body = `
      setTimeout((a, b) => console.log('late ' + a + b), 30, 'x', 'y');
      setTimeout(() => { console.log('early'); new Job('from-timer').run(); }, 5);
      setImmediate(() => console.log('immediate'));
      console.log('handler done');`;
    const outcome = await run(onPush(body), host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.texts(), ['handler done', 'immediate', 'early', 'late xy']);
    assert.deepEqual(
      host.requests.map((r) => r.name),
      ['from-timer'],
    );
  });

  it('supports the promise-sleep idiom between jobs', async () => {
    const host = new FakeHost();
    const body = `
      const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
      await new Job('first').run();
      await sleep(10);
      await new Job('second').run();
      console.log('slept');`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(
      host.requests.map((r) => r.name),
      ['first', 'second'],
    );
    assert.deepEqual(host.texts(), ['slept']);
  });

  it('clearTimeout cancels, and a cancelled long timer does not keep the build alive', async () => {
    const host = new FakeHost();
    const body = `
      const t = setTimeout(() => console.log('never'), 3600 * 1000);
      clearTimeout(t);
      const n = setTimeout(() => console.log('never either'), 5);
      clearTimeout(Number(n));
      clearTimeout(undefined); clearTimeout('bogus');
      console.log('done');`;
    const started = Date.now();
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.ok(Date.now() - started < 5000);
    assert.deepEqual(host.texts(), ['done']);
  });

  it('setInterval repeats until cleared', async () => {
    const host = new FakeHost();
    const body = `
      let n = 0;
      await new Promise((resolve) => {
        const i = setInterval(() => { n++; console.log('tick ' + n); if (n === 3) { clearInterval(i); resolve(); } }, 2);
      });`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['tick 1', 'tick 2', 'tick 3']);
  });

  it("an unref()'d timer does not keep the build alive, as in Node", async () => {
    const host = new FakeHost();
    const body = `const t = setTimeout(() => console.log('never'), 3600 * 1000).unref(); console.log(String(t.hasRef()));`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['false']);
  });

  it('fails the build when a timer callback throws, as an uncaught exception ended a Brigade 1 worker', async () => {
    const host = new FakeHost();
    const script = onPush(
      `setTimeout(() => { throw new Error('timer broke'); }, 1);`,
      `events.on('error', (e) => console.log('error handler: ' + e.cause.trigger));`,
    );
    const outcome = await run(script, host);
    assert.equal(outcome.status, 'Failed');
    assert.equal(outcome.reason, 'HandlerFailed');
    assert.match(outcome.message, /uncaught exception in a timer callback: Error: timer broke/);
    assert.deepEqual(host.texts(), ['error handler: uncaughtException']);
  });

  it('refuses a non-function callback (no string eval)', async () => {
    const host = new FakeHost();
    const body = `try { setTimeout("globalThis.pwned = 1", 1); } catch (e) { console.log(e.constructor.name); }`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['TypeError']);
  });

  it('bounds timers by the build: a cap on pending timers, the CPU budget in callbacks, the wall clock for intervals', async () => {
    const capped = new FakeHost();
    const body = `let n = 0; try { for (;;) { setTimeout(() => {}, 60000).unref(); n++; } } catch (e) { console.log(n + ' ' + e.name); }`;
    assert.equal((await run(onPush(body), capped)).status, 'Succeeded');
    assert.deepEqual(capped.texts(), ['1000 RangeError']);
    const spin = await run(onPush(`setTimeout(() => { for (;;) {} }, 1);`), new FakeHost(), { limits: { cpuMs: 200 } });
    assert.equal(spin.reason, 'CpuLimit');
    const forever = await run(onPush(`setInterval(() => {}, 5);`), new FakeHost(), { limits: { wallMs: 300 } });
    assert.equal(forever.reason, 'Timeout');
  });

  it('never fires timers during inspection', async () => {
    const result = await engine.inspectScript(
      `setTimeout(() => { throw new Error('ran'); }, 0); require('brigadier').events.on('push', () => {});`,
    );
    assert.deepEqual(result, { ok: true, handlers: ['push'] });
  });
});
