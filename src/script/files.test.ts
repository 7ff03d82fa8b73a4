// Files beside the script: require('./lib') as Node resolves it, inside the sandbox, from the files
// the Project's script source holds.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import type { BuildOutcome, ScriptFiles } from './index.ts';
import { FakeHost, testEvent, testProject } from './test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

function run(script: string, files: ScriptFiles, host = new FakeHost()): Promise<BuildOutcome> {
  return engine.runBuild({ script, files, event: testEvent(), project: testProject(), host });
}

const FILES: ScriptFiles = {
  'lib.js': `const { Job } = require('brigadier'); const { greet } = require('./util/strings');
    exports.notify = (msg) => { const j = new Job('notify'); j.env = { MSG: greet(msg) }; return j.run(); };
    exports.where = [__filename, __dirname, module.id].join(' ');`,
  'util/strings.js': `module.exports = { greet: (m) => require('../config.json').prefix + m, self: require('./index').name };`,
  'util/index.js': `module.exports = { name: 'util index' };`,
  'config.json': `{ "prefix": "hello " }`,
  'a.js': `exports.fromA = 'a'; const b = require('./b'); exports.bSawA = b.sawA;`,
  'b.js': `exports.sawA = require('./a').fromA;`,
  'broken.js': 'module.exports = {\n  ok: true,\n  bad: ,\n};',
  'thrower.js': 'function explode() {\n  throw new RangeError("from the lib");\n}\nexplode();',
};

describe('files beside the script', () => {
  it("resolves require('./x') as Node does: .js, .json, directories with index.js, relative to the requiring file", async () => {
    const host = new FakeHost();
    const script = `const lib = require('./lib'); const again = require('./lib.js'); const dir = require('./util');
      const { events } = require('brigadier');
      events.on('push', async () => {
        await lib.notify('world');
        console.log([lib === again, dir.name, require('./util/strings').self, lib.where].join(' | '));
      });`;
    const outcome = await run(script, FILES, host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.requests[0]?.env, { MSG: 'hello world' });
    assert.deepEqual(host.texts(), ['true | util index | util index | /lib.js / lib.js']);
  });

  it('gives a require cycle the partial exports, as Node does', async () => {
    const host = new FakeHost();
    const script = `const a = require('./a'); require('brigadier').events.on('push', () => console.log(a.bSawA));`;
    assert.equal((await run(script, FILES, host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['a']);
  });

  it('refuses paths that leave the directory and names a missing file', async () => {
    const host = new FakeHost();
    const script = `require('brigadier').events.on('push', () => {
      for (const n of ['../etc/passwd', './nope', './util/../../x', '/lib', 'lib']) {
        try { require(n); console.log('loaded ' + n); } catch (e) { console.log(e.code + ' ' + e.message); }
      }
    });`;
    assert.equal((await run(script, FILES, host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), [
      "MODULE_NOT_FOUND Cannot find module '../etc/passwd' from brigade.js: the path leaves the script's directory",
      "MODULE_NOT_FOUND Cannot find module './nope' from brigade.js: no such file beside the script",
      "MODULE_NOT_FOUND Cannot find module './util/../../x' from brigade.js: the path leaves the script's directory",
      "MODULE_NOT_FOUND Cannot find module '/lib': brigade.js may require 'brigadier', the Node built-ins util, path, events, url, querystring, assert, timers, buffer, string_decoder, files beside the script ('./name') and npm dependencies (brigade.json, spec.dependencies)",
      "MODULE_NOT_FOUND Cannot find module 'lib': brigade.js may require 'brigadier', the Node built-ins util, path, events, url, querystring, assert, timers, buffer, string_decoder, files beside the script ('./name') and npm dependencies (brigade.json, spec.dependencies)",
    ]);
  });

  it('reports errors with the file and line they come from, at run and at inspection', async () => {
    const thrown = await run(`require('./thrower');`, FILES);
    assert.equal(thrown.reason, 'HandlerFailed');
    assert.equal(
      thrown.message,
      'brigade.js failed at top level: RangeError: from the lib (thrower.js:2:13, in function explode)',
    );
    const broken = await engine.inspectScript(`require('./broken');`, { files: FILES });
    assert.ok(!broken.ok);
    assert.equal(broken.reason, 'SyntaxError');
    assert.match(broken.message, /SyntaxError: .* \(broken\.js:3:\d+\)/);
    const inHandler = await run(`require('brigadier').events.on('push', () => require('./broken'));`, FILES);
    assert.match(inHandler.message, /^SyntaxError: .* \(broken\.js:3:\d+\)$/);
    const ok = await engine.inspectScript(`require('./lib'); require('brigadier').events.on('push', () => {});`, {
      files: FILES,
    });
    assert.deepEqual(ok, { ok: true, handlers: ['push'] });
  });

  it('keeps a file from reaching the host: its module scope is the build sandbox like brigade.js', async () => {
    const host = new FakeHost();
    const files = {
      'probe.js': `module.exports = [typeof process, typeof this, (function () { return typeof this; })(), require.constructor('return typeof process')()];`,
    };
    const script = `const r = require('./probe'); require('brigadier').events.on('push', () => console.log(JSON.stringify(r)));`;
    assert.equal((await run(script, files, host)).status, 'Succeeded');
    assert.deepEqual(JSON.parse(host.texts()[0] ?? '[]'), ['undefined', 'object', 'object', 'undefined']);
  });

  it('refuses file paths that are not plain relative paths', async () => {
    for (const bad of ['../x.js', '/abs.js', 'a/./b.js', 'a//b.js', 'a\\\\b.js']) {
      await assert.rejects(run('', { [bad]: '' }), /is not a relative path/, bad);
    }
  });
});
