// What a failing script is told: the function, file and line of an error, the called expression of
// QuickJS's bare "not a function", and a reason that says what went wrong at top level.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import type { BuildOutcome } from './index.ts';
import { FakeHost, testEvent, testProject } from './test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

function run(script: string): Promise<BuildOutcome> {
  return engine.runBuild({ script, event: testEvent(), project: testProject(), host: new FakeHost() });
}

describe('diagnostics', () => {
  it('names the called expression, function, file and line of a handler "not a function"', async () => {
    const outcome = await run(
      [
        "const { events } = require('brigadier');",
        'function notify(e) {',
        '  events.emitt("done", e);',
        '}',
        "events.on('push', (e) => notify(e));",
      ].join('\n'),
    );
    assert.equal(outcome.reason, 'HandlerFailed');
    assert.equal(outcome.message, 'TypeError: events.emitt is not a function (brigade.js:3:10, in function notify)');
  });

  it('says where an async handler rejected, and where an uncaught timer callback threw', async () => {
    const rejected = await run(
      `const { events } = require('brigadier');\nevents.on('push', async function deploy() {\n  await null;\n  undefinedHelper();\n});`,
    );
    assert.equal(
      rejected.message,
      'ReferenceError: undefinedHelper is not defined (brigade.js:4:3, in function deploy)',
    );
    const timer = await run(
      `const { events } = require('brigadier');\nevents.on('push', () => { setTimeout(() => { null.x; }, 1); });`,
    );
    assert.match(
      timer.message,
      /^uncaught exception in a timer callback: TypeError: cannot read property 'x' of null \(brigade\.js:2:\d+, in an anonymous function\)$/,
    );
  });

  it('reports a top-level runtime error as a failed top level with its place, never as a syntax error', async () => {
    const parse = await run(`const config = JSON.parse('{not json');\n`);
    assert.equal(parse.reason, 'HandlerFailed');
    assert.match(
      parse.message,
      /^brigade\.js failed at top level: SyntaxError: .*JSON.* \(brigade\.js:1:\d+, at top level\)$/,
    );
    const inspected = await engine.inspectScript(`const config = JSON.parse('{not json');\n`);
    assert.ok(!inspected.ok);
    assert.equal(inspected.reason, 'TopLevelError');
  });

  it('gives inspection reasons: SyntaxError, ModuleNotFound, TopLevelError, SandboxLimit', async () => {
    const reasons = await Promise.all([
      engine.inspectScript('let x = ;'),
      engine.inspectScript(`require('left-pad');`),
      engine.inspectScript(`const o = {}; o.nope();`),
      engine.inspectScript('for (;;) {}', { limits: { cpuMs: 100 } }),
    ]);
    assert.deepEqual(
      reasons.map((r) => (r.ok ? 'ok' : r.reason)),
      ['SyntaxError', 'ModuleNotFound', 'TopLevelError', 'SandboxLimit'],
    );
    const notFunction = reasons[2];
    assert.ok(!notFunction.ok);
    assert.match(notFunction.message, /TypeError: o\.nope is not a function \(brigade\.js:1:16, at top level\)/);
  });
});
