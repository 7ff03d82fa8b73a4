/**
 * Thousands of sequential builds leak nothing: no live sessions, no extra workers, and the process's
 * resident memory (which includes the worker threads' WebAssembly memories) stays roughly flat.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import { FakeHost, onPush, testEvent, testProject } from './test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

const RUNS = 2000;
const WARM_UP = 200;
/** Loose on purpose: one leaked 16 MiB instance per 100 builds would already blow through it. */
const MAX_RSS_GROWTH = 256 * 1024 * 1024;

const scripts = [
  onPush(`const r = await new Job('unit').run(); console.log(String(r));`),
  onPush(`new Job('lost').run();`),
  onPush(`throw new Error('handler failed');`),
  `const { events } = require('brigadier'); events.on('push', () => new Promise(() => {}));`,
  `syntax error here (`,
  `let a = []; for (;;) a.push('x'.repeat(1 << 20));`,
  onPush(`throw new Error('x'.repeat(8e6));`),
];

describe('resource hygiene', () => {
  // Its own timeout: 2,000 builds take about 90 s on a busy 2-core machine, close to the suite's 120 s.
  it(`runs ${RUNS} builds sequentially without leaking sandboxes or memory`, { timeout: 300_000 }, async () => {
    let rssAfterWarmUp = 0;
    for (let i = 0; i < RUNS; i++) {
      const script = scripts[i % scripts.length] ?? '';
      const host = new FakeHost((r) => ({ succeeded: r.name === 'unit', log: 'x' }));
      const outcome = await engine.runBuild({
        script,
        event: testEvent(),
        project: testProject(),
        host,
        limits: { memoryBytes: 16 * 1024 * 1024 },
      });
      assert.equal(typeof outcome.status, 'string');
      if (i === WARM_UP) rssAfterWarmUp = process.memoryUsage().rss;
    }
    const stats = engine.stats();
    assert.equal(stats.liveBuilds, 0);
    assert.equal(stats.workers, 1);
    assert.equal(stats.workersKilled, 0);
    const growth = process.memoryUsage().rss - rssAfterWarmUp;
    process.stdout.write(`# RSS growth after warm-up: ${Math.round(growth / 1048576)} MiB\n`);
    assert.ok(growth < MAX_RSS_GROWTH, `RSS grew by ${Math.round(growth / 1048576)} MiB`);
  });
});
