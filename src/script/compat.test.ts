// Brigade 1.5 behaviours that public brigade.js files rely on, beyond the core Job/Group/events API.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import type { BuildOutcome } from './index.ts';
import { FakeHost, gate, onPush, testEvent, testProject, until } from './test-support.ts';
import type { JobOutcome } from './index.ts';

/** A host that can also tell a running job's log so far. */
class LiveLogHost extends FakeHost {
  readonly asked: string[] = [];
  jobLogs(name: string): Promise<string> {
    this.asked.push(name);
    return Promise.resolve(`so far of ${name}`);
  }
}

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

function run(script: string, host: FakeHost): Promise<BuildOutcome> {
  return engine.runBuild({ script, event: testEvent(), project: testProject(), host });
}

describe('Brigade 1 compatibility', () => {
  it("resolves require('brigade') to brigadier, as Brigade 1's worker aliased it", async () => {
    const host = new FakeHost();
    const script = `const a = require('brigade'); const b = require('brigadier'); a.events.on('push', () => console.log(String(a === b)));`;
    assert.equal((await run(script, host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['true']);
  });

  it('has `global` as the global object, shared between top level and handlers', async () => {
    const host = new FakeHost();
    const script = onPush(
      `console.log(String(global === globalThis) + ' ' + global.counter);`,
      `global.counter = 41 + 1;`,
    );
    assert.equal((await run(script, host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['true 42']);
  });

  it('gives null and undefined env values an empty value, as Brigade 1 did, never the text "null"', async () => {
    const host = new FakeHost();
    const body = `const j = new Job('env'); j.env = { A: null, B: undefined, C: 7, D: true, E: 'x' }; await j.run();`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(host.requests[0]?.env, { A: '', B: '', C: '7', D: 'true', E: 'x' });
  });

  it('runs a Group holding non-Job objects with a run() method, in both modes', async () => {
    const host = new FakeHost();
    const body = `
      const custom = { run() { console.log('custom ran'); return new Job('inner').run(); } };
      const plain = { run() { return 'plain value'; } };
      const each = await new Group([custom, plain, new Job('real')]).runEach();
      const all = await Group.runAll([plain, { run: () => Promise.resolve('resolved') }]);
      console.log(JSON.stringify([each.map(String), all]));
      try { new Group([{ name: 'no run' }]); } catch (e) { console.log(e.constructor.name + ': ' + e.message); }`;
    const outcome = await run(onPush(body), host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.texts(), [
      'custom ran',
      '[["log of inner","plain value","log of real"],["plain value","resolved"]]',
      'TypeError: Group.add accepts Jobs or objects with a run() method',
    ]);
  });

  it('passes fieldRef env values (the downward API) through, and refuses a path the downward API does not offer', async () => {
    const host = new FakeHost();
    const body = `
      const j = new Job('downward');
      j.env = { POD: { fieldRef: { fieldPath: 'metadata.name' } }, TEAM: { fieldRef: { fieldPath: "metadata.labels['team']", apiVersion: 'v1' } } };
      await j.run();
      const bad = new Job('bad-path');
      bad.env = { X: { fieldRef: { fieldPath: 'spec.containers[0].image' } } };
      try { await bad.run(); } catch (e) { console.log(e.message); }`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(host.requests[0]?.env, {
      POD: { fieldRef: { fieldPath: 'metadata.name' } },
      TEAM: { fieldRef: { fieldPath: "metadata.labels['team']", apiVersion: 'v1' } },
    });
    assert.equal(host.requests.length, 1);
    assert.match(
      host.texts()[0] ?? '',
      /env\.X\.fieldRef\.fieldPath "spec\.containers\[0\]\.image" is not a pod field the downward API offers/,
    );
  });

  it('job.logs() gives the kept log after run(), also of a failed job (the GitHub check-run pattern)', async () => {
    const host = new FakeHost((r): JobOutcome =>
      r.name === 'build'
        ? { succeeded: false, log: 'compile error at x.c:3\n', message: 'exit code 2' }
        : { succeeded: true, log: 'ok' },
    );
    const body = `
      const build = new Job('build');
      try { await build.run(); } catch (err) {
        const logs = await build.logs();
        console.log('text: ' + err.message + ' | ' + logs.trim());
      }
      const fine = new Job('fine'); await fine.run(); console.log(await fine.logs());`;
    const outcome = await run(onPush(body), host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.texts(), ['text: job build failed: exit code 2 | compile error at x.c:3', 'ok']);
  });

  it('job.logs() before run() rejects with a message saying so', async () => {
    const host = new FakeHost();
    const body = `try { await new Job('idle').logs(); } catch (e) { console.log(e.message); }`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['job idle has not been started: call run() before logs()']);
  });

  it('job.logs() of a running job asks the host for the log so far', async () => {
    const release = gate();
    const host = new LiveLogHost(async (r) => {
      await release.promise;
      return { succeeded: true, log: `final of ${r.name}` };
    });
    const body = `
      const j = new Job('slow');
      const done = j.run();
      console.log(await j.logs());
      await done;
      console.log(await j.logs());`;
    const outcome = run(onPush(body), host);
    await until(() => host.texts().length === 1, 'the live log line');
    release.open();
    assert.equal((await outcome).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['so far of slow', 'final of slow']);
    assert.deepEqual(host.asked, ['slow']);
  });

  it('job.logs() of a running job waits for its end when the host cannot tell', async () => {
    const release = gate();
    const host = new FakeHost(async (r) => {
      await release.promise;
      return { succeeded: true, log: `final of ${r.name}` };
    });
    const body = `const j = new Job('slow'); const done = j.run(); console.log(await j.logs()); await done;`;
    const outcome = run(onPush(body), host);
    await until(() => host.running.size === 1, 'the job to run');
    release.open();
    assert.equal((await outcome).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['final of slow']);
  });

  it('streamLogs copies the job log into the build console when the job ends', async () => {
    const host = new FakeHost((r) => ({ succeeded: true, log: 'line one\nline two\n', podName: `${r.name}-pod` }));
    const body = `const j = new Job('chatty'); j.streamLogs = true; await j.run(); await new Job('quiet').run();`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['chatty-pod logs line one', 'chatty-pod logs line two']);
  });

  it('provides Node built-ins inside the sandbox: util, path, events, url, querystring, assert, timers, also as node:*', async () => {
    const host = new FakeHost();
    const body = `
      const util = require('util'); const EventEmitter = require('node:events'); const { promisify } = require('util');
      const sleep = promisify(setTimeout);
      await sleep(1);
      if (await require('timers/promises').setTimeout(1, 'slept') !== 'slept') throw new Error('timers/promises');
      const bus = new EventEmitter(); let got = ''; bus.on('x', (v) => { got = v; }); bus.emit('x', 'event');
      const { events } = require('brigadier');
      console.log('%s and %d', util.format('%s', 'format'), 42);
      console.log([got, events instanceof EventEmitter, require('path').join('/src', '..', 'x'), require('path/posix') === require('path'),
        new URL('/p?q=1', 'https://example.com').href, require('url').URL === URL, require('querystring').stringify({ a: 'b c' }),
        require('assert/strict') === require('assert').strict, typeof require('timers').setTimeout].join(' '));
      const { inspect } = require('util');
      console.log({ job: 'x', n: [1, 2] });`;
    const outcome = await run(onPush(body), host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.texts(), [
      'format and 42',
      'event true /x true https://example.com/p?q=1 true a=b%20c true function',
      "{ job: 'x', n: [ 1, 2 ] }",
    ]);
  });

  it('fails the build with an AssertionError from assert, as in Node', async () => {
    const host = new FakeHost();
    const outcome = await run(onPush(`require('assert').strictEqual(e.type, 'pull_request', 'wrong event');`), host);
    assert.equal(outcome.reason, 'HandlerFailed');
    assert.match(outcome.message, /^AssertionError: wrong event/);
  });
});
