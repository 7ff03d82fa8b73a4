// npm packages inside the sandbox: require('name') from brigade.js and from a package, subpaths,
// main, a package's own version of a dependency, and @brigadecore/brigadier as the operator's runtime.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import { FakeHost, onPush, testEvent, testProject } from './test-support.ts';
import type { ScriptPackages } from './types.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

const PACKAGES: ScriptPackages = {
  roots: { 'pad-it': 'pad-it@2.0.0', '@acme/ci': '@acme/ci@1.0.0' },
  packages: {
    'pad-it@2.0.0': { files: { 'index.js': "module.exports = (s) => '[' + s + ']';" } },
    'pad-it@1.0.0': { files: { 'index.js': "module.exports = (s) => '(' + s + ')';" } },
    '@acme/ci@1.0.0': {
      main: 'out/index',
      dependencies: { 'pad-it': 'pad-it@1.0.0' },
      files: {
        'out/index.js': `
          const { Job } = require('@brigadecore/brigadier');
          const pad = require('pad-it');
          class TestJob extends Job {
            constructor(name) { super(name, 'node:20'); this.tasks = ['npm test']; this.privileged = true; }
          }
          exports.TestJob = TestJob;
          exports.label = (s) => pad(s) + require('./version.json').version;
          exports.where = () => [__filename, __dirname];
          exports.decode = (b64) => Buffer.from(b64, 'base64').toString();`,
        'out/version.json': '{"version":"v1"}',
        'out/broken.js': 'null.x;',
        'package.json': '{"name":"@acme/ci","version":"1.0.0"}',
      },
    },
  },
};

async function run(
  body: string,
  packages: ScriptPackages = PACKAGES,
): Promise<{ host: FakeHost; message: string; status: string }> {
  const host = new FakeHost();
  const outcome = await engine.runBuild({
    script: onPush(body),
    packages,
    event: testEvent(),
    project: testProject(),
    host,
  });
  return { host, message: outcome.message, status: outcome.status };
}

describe('npm packages in the sandbox', () => {
  it('are required by name, each package seeing its own dependencies, and share the brigadier runtime', async () => {
    const { host, status, message } = await run(`
      const ci = require('@acme/ci');
      const pad = require('pad-it');
      console.log(JSON.stringify([pad('x'), ci.label('y'), ci.where(), ci.decode('aGk='), require('@acme/ci/out/version.json').version,
        require('@acme/ci/package.json').name]));
      const job = new ci.TestJob('unit');
      console.log(String(job instanceof Job));
      await job.run();`);
    assert.equal(status, 'Succeeded', message);
    assert.deepEqual(JSON.parse(host.texts()[0] ?? ''), [
      '[x]',
      '(y)v1',
      ['/node_modules/@acme/ci/out/index.js', '/node_modules/@acme/ci/out'],
      'hi',
      'v1',
      '@acme/ci',
    ]);
    assert.equal(host.texts()[1], 'true');
    assert.equal(host.requests[0]?.image, 'node:20');
    assert.equal(host.requests[0]?.privileged, true);
  });

  it('say where a missing module or an error is', async () => {
    const { host } = await run(`
      for (const name of ['left-pad', '@acme/ci/nope', 'pad-it/../../etc']) {
        try { require(name); } catch (e) { console.log(e.code + ' ' + e.message); }
      }
      try { require('@acme/ci/out/broken'); } catch (e) { console.log(e.name + ' ' + String(e.stack).split('\\n')[0].trim()); }`);
    const [missing = '', nofile = '', escape = '', broken = ''] = host.texts();
    assert.match(missing, /^MODULE_NOT_FOUND Cannot find module 'left-pad': brigade\.js may require/);
    assert.match(
      nofile,
      /^MODULE_NOT_FOUND Cannot find module '\.\/nope' from node_modules\/@acme\/ci\/: no such file in the package/,
    );
    assert.match(escape, /^MODULE_NOT_FOUND .*the path leaves/);
    assert.match(broken, /^TypeError at .*node_modules\/@acme\/ci\/out\/broken\.js:1/);
  });

  it('are refused by the engine when the lock is inconsistent', async () => {
    await assert.rejects(
      engine.runBuild({
        script: onPush(''),
        packages: { roots: { x: 'x@1.0.0' }, packages: {} },
        event: testEvent(),
        project: testProject(),
        host: new FakeHost(),
      }),
      /packages\.roots refers to package x@1\.0\.0, which is not given/,
    );
  });
});
