import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import type { BuildOutcome } from './index.ts';
import { FakeHost, testEvent, testProject } from './test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

function run(script: string, host: FakeHost): Promise<BuildOutcome> {
  return engine.runBuild({ script, event: testEvent(), project: testProject(), host });
}

const HEAD = `const { events, Job } = require('brigadier');\n`;

describe('brigadier events (EventEmitter semantics, as Brigade 1)', () => {
  it('runs every handler of one event type, in the order added, and waits for all of them', async () => {
    const host = new FakeHost();
    const script = `${HEAD}
      events.on('push', async () => { console.log('first'); await new Job('one').run(); console.log('first done'); });
      events.on('push', () => { console.log('second'); return new Job('two').run(); });
      events.on('push', (e, p) => console.log('third ' + e.type + ' ' + p.id));`;
    const outcome = await run(script, host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.texts().slice(0, 3), ['first', 'second', 'third push brigade-0123']);
    assert.ok(host.texts().includes('first done'));
    assert.deepEqual(host.requests.map((r) => r.name).sort(), ['one', 'two']);
  });

  it('fails the build when any one of several handlers rejects, after all of them ran', async () => {
    const host = new FakeHost();
    const script = `${HEAD}
      events.on('push', async () => { throw new Error('first broke'); });
      events.on('push', async () => { await new Job('still-runs').run(); });`;
    const outcome = await run(script, host);
    assert.equal(outcome.reason, 'HandlerFailed');
    assert.match(outcome.message, /first broke/);
    assert.deepEqual(
      host.requests.map((r) => r.name),
      ['still-runs'],
    );
  });

  it('stops at a handler that throws synchronously, as emit does', async () => {
    const host = new FakeHost();
    const script = `${HEAD}
      events.on('push', () => { throw new TypeError('sync'); });
      events.on('push', () => console.log('never'));`;
    const outcome = await run(script, host);
    assert.equal(outcome.reason, 'HandlerFailed');
    assert.deepEqual(host.texts(), []);
  });

  it('once() handlers run once, and listenerCount/has see them until then', async () => {
    const host = new FakeHost();
    const script = `${HEAD}
      events.once('push', () => {
        console.log('once ' + events.listenerCount('push') + ' ' + events.has('push'));
        events.emit('push', { type: 'push' }, {});
      });
      events.on('push', () => console.log('on'));`;
    const outcome = await run(script, host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    // The once handler removed itself before it ran, so its own emit reaches only the 'on' handler.
    assert.deepEqual(host.texts(), ['once 1 true', 'on', 'on']);
  });

  it('emit and fire run the handlers of other event types, whose jobs the build waits for', async () => {
    const host = new FakeHost();
    const script = `${HEAD}
      const brigadier = require('brigadier');
      events.on('test', (e, p) => { console.log('test from ' + e.type); new Job('tests').run(); });
      events.on('deploy', (e) => console.log('deploy ' + e.provider));
      events.on('push', (e, p) => {
        console.log('emit ' + events.emit('test', e, p) + ' ' + events.emit('nobody'));
        events.fire({ type: 'deploy', provider: 'me' }, p);
        brigadier.fire({ type: 'deploy', provider: 'brigadier.fire' }, p);
      });`;
    const outcome = await run(script, host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.texts(), ['test from push', 'emit true false', 'deploy me', 'deploy brigadier.fire']);
    assert.deepEqual(
      host.requests.map((r) => r.name),
      ['tests'],
    );
  });

  it('an emitted async handler that rejects fails the build, as an unhandled rejection did', async () => {
    const host = new FakeHost(() => ({ succeeded: false, log: '', message: 'exit code 1' }));
    const script = `${HEAD}
      events.on('test', async () => { await new Job('unit').run(); });
      events.on('push', (e, p) => { events.emit('test', e, p); });`;
    const outcome = await run(script, host);
    assert.equal(outcome.status, 'Failed');
    assert.equal(outcome.reason, 'JobFailed');
    assert.match(outcome.message, /unhandled rejection: JobFailedError: job unit failed: exit code 1/);
  });

  it("emit('error') without a listener throws, as Node's EventEmitter does", async () => {
    const host = new FakeHost();
    const script = `${HEAD}
      events.on('push', () => {
        try { events.emit('error', new Error('bad thing')); } catch (e) { console.log('thrown ' + e.message); }
        try { events.emit('error', 'text'); } catch (e) { console.log(e.code); }
      });`;
    assert.equal((await run(script, host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['thrown bad thing', 'ERR_UNHANDLED_ERROR']);
  });

  it('off/removeListener, prependListener, eventNames and rawListeners work as in Node', async () => {
    const host = new FakeHost();
    const script = `${HEAD}
      const a = () => console.log('a');
      const b = () => console.log('b');
      events.on('x', a); events.on('x', b); events.prependListener('x', b); events.off('x', b);
      events.on('push', () => {
        console.log(JSON.stringify([events.eventNames(), events.listenerCount('x'), events.rawListeners('x').length]));
        events.emit('x');
        events.removeAllListeners('x');
        console.log(String(events.emit('x')));
      });`;
    assert.equal((await run(script, host)).status, 'Succeeded');
    // off() removes the last-added match, so the prepended b stays first.
    assert.deepEqual(host.texts(), ['[["x","push"],2,2]', 'b', 'a', 'false']);
  });

  it('after and error events carry provider "brigade"; the original event is their cause', async () => {
    const host = new FakeHost();
    const script = `${HEAD}
      events.on('push', () => {});
      events.on('after', (e) => console.log(e.type + ' ' + e.provider + ' ' + e.cause.event.provider));`;
    assert.equal((await run(script, host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['after brigade test']);
    const failing = `${HEAD}
      events.on('push', () => { throw new Error('x'); });
      events.on('error', (e) => console.log(e.type + ' ' + e.provider + ' ' + e.cause.event.provider));`;
    const host2 = new FakeHost();
    assert.equal((await run(failing, host2)).status, 'Failed');
    assert.deepEqual(host2.texts(), ['error brigade test']);
  });

  it('several after handlers all run', async () => {
    const host = new FakeHost();
    const script = `${HEAD}
      events.on('push', () => {});
      events.on('after', () => console.log('after 1'));
      events.on('after', () => console.log('after 2'));`;
    assert.equal((await run(script, host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['after 1', 'after 2']);
  });
});

describe('inspectScript with EventEmitter handlers', () => {
  it('lists each handled type once, whether added with on, once or prependListener', async () => {
    const result = await engine.inspectScript(`${HEAD}
      events.on('push', () => {}); events.on('push', () => {}); events.once('exec', () => {});
      events.prependListener('pull_request', () => {});
      events.on('gone', () => {}); events.removeAllListeners('gone');`);
    assert.deepEqual(result, { ok: true, handlers: ['push', 'exec', 'pull_request'] });
  });
});
