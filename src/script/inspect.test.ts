import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

describe('inspectScript', () => {
  it('lists the event types registered with events.on', async () => {
    const script = `
      const { events, Job } = require('brigadier');
      events.on('push', () => {});
      events.on('pull_request', () => {});
      for (const t of ['exec', 'after']) events.on(t, () => {});`;
    assert.deepEqual(await engine.inspectScript(script), {
      ok: true,
      handlers: ['push', 'pull_request', 'exec', 'after'],
    });
  });

  it('reports a syntax error with line and column, without running anything', async () => {
    const result = await engine.inspectScript(
      `const { events } = require('brigadier');\nevents.on('push', () => {\n  let x = ;\n});\n`,
    );
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.match(result.message, /^SyntaxError: /);
    assert.equal(result.line, 3);
    assert.equal(typeof result.column, 'number');
  });

  it('reports a failing top level with its position', async () => {
    const result = await engine.inspectScript(`const { events } = require('brigadier');\nrequire('left-pad');\n`);
    assert.ok(!result.ok);
    assert.match(result.message, /Cannot find module 'left-pad'/);
    assert.equal(result.reason, 'ModuleNotFound');
    assert.equal(result.line, 2);
    const refused = await engine.inspectScript(`const { events } = require('brigadier');\nrequire('fs');\n`);
    assert.ok(!refused.ok);
    assert.match(
      refused.message,
      /Cannot load module 'fs': brigade.js runs in a sandbox without access to the operator's host/,
    );
    assert.equal(refused.reason, 'ModuleRefused');
  });

  it('never runs jobs started at top level', async () => {
    const result = await engine.inspectScript(
      `const { events, Job } = require('brigadier');\nnew Job('top-level').run();\nevents.on('push', () => {});`,
    );
    assert.deepEqual(result, { ok: true, handlers: ['push'] });
  });

  it('stops a top level that loops forever', async () => {
    const result = await engine.inspectScript('while (true) {}', { limits: { cpuMs: 100 } });
    assert.ok(!result.ok);
    assert.match(result.message, /CpuLimit/);
  });
});
