/**
 * Escape attempts, adapted from the published vm2 advisories (see docs/adr/0001-quickjs-sandbox.md).
 * Each test runs a hostile brigade.js and then checks that the host process is untouched: a host
 * canary global, the host's Object.prototype and Array.prototype, and host built-ins the guest might
 * try to reach through the bridge.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import type { BuildOutcome, RunBuildOptions } from './index.ts';
import { FakeHost, gate, onPush, testEvent, testProject, until } from './test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

const hostGlobals = globalThis as Record<string, unknown>;
const protoKeys = Object.getOwnPropertyNames(Object.prototype).sort();
const arrayPush = Array.prototype.push;
const jsonStringify = JSON.stringify;
const prepareStackTrace = (Error as unknown as Record<string, unknown>)['prepareStackTrace'];

before(() => {
  hostGlobals['__scriptCanary'] = 'intact';
});

/** The checks every test ends with: nothing the guest did reached the host realm. */
function assertHostUntouched(): void {
  assert.equal(hostGlobals['__scriptCanary'], 'intact');
  assert.equal(hostGlobals['pwned'], undefined);
  assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), protoKeys);
  assert.equal(({} as Record<string, unknown>)['polluted'], undefined);
  assert.equal(Array.prototype.push, arrayPush);
  assert.equal(JSON.stringify, jsonStringify);
  assert.equal((Error as unknown as Record<string, unknown>)['prepareStackTrace'], prepareStackTrace);
}

afterEach(assertHostUntouched);

function run(script: string, host: FakeHost, extra: Partial<RunBuildOptions> = {}): Promise<BuildOutcome> {
  return engine.runBuild({ script, event: testEvent(), project: testProject(), host, ...extra });
}

/** Runs a handler body that logs one JSON line of findings and returns them. */
async function probe(body: string, host = new FakeHost()): Promise<unknown> {
  const outcome = await run(onPush(body), host);
  assert.equal(outcome.status, 'Succeeded', outcome.message);
  const line = host.texts().at(-1);
  assert.ok(line !== undefined, 'the probe logged nothing');
  return JSON.parse(line);
}

describe('the guest global scope', () => {
  it("has no process, no Node built-ins and no host bridge (Buffer is the sandbox's own)", async () => {
    const found = await probe(`console.log(JSON.stringify(
      [Buffer === require('buffer').Buffer ? 'no' : 'Buffer is not the sandbox module', 'process', 'WebAssembly', 'fetch', '__host', 'host', 'std', 'os', 'runJob', 'jobLogs', 'loadBuiltin', 'loadFile', 'setTimer', 'clearTimer', 'refTimer']
        .filter((name) => name !== 'no' && (name.startsWith('Buffer ') || typeof globalThis[name] !== 'undefined'))));`);
    assert.deepEqual(found, []);
  });

  it('reaches no host object through constructor chains from any reachable value', async () => {
    const found = await probe(
      `
      const { events, Job, Group, Result, JobHost } = require('brigadier');
      const job = new Job('chain');
      const result = await job.run();
      let hostError; try { await new Job('host-refuses').run(); } catch (err) { hostError = err; }
      const pending = new Job('chain-two').run();
      pending.catch(() => {});
      const roots = [events, Job, Group, Result, JobHost, job, result, hostError, require, module, console, console.log, e, p,
        e.revision, p.secrets, pending, async function () {}, function* () {}, async function* () {}];
      const seen = [];
      for (const root of roots) {
        const F = root.constructor.constructor;
        const g = F('return this')();
        seen.push(typeof g.process, F('return typeof process')(), g === globalThis);
      }
      globalThis.__scriptCanary = 'guest was here';
      console.log(JSON.stringify(seen.filter((v) => v !== 'undefined' && v !== true)));`,
      new FakeHost((r) => {
        if (r.name === 'host-refuses') throw new Error('refused by the host');
        return { succeeded: true, log: '' };
      }),
    );
    assert.deepEqual(found, []);
  });

  it('keeps Error.prepareStackTrace and stack frames inside the guest', async () => {
    const found = await probe(`
      const reached = [];
      Error.prepareStackTrace = (err, frames) => {
        for (const f of frames || []) {
          if (f && typeof f.getFunction === 'function' && f.getFunction()) reached.push(f.getFunction());
          if (f && typeof f.getThis === 'function' && f.getThis()) reached.push(f.getThis().constructor);
        }
        return 'hijacked';
      };
      try { console.log(Symbol('not a string')); } catch (err) { String(err.stack); }
      try { await new Job('bad-env', undefined).run.call({ name: 'x' }); } catch (err) { String(err.stack); }
      try { require(Symbol('s')); } catch (err) { String(err.stack); }
      // The sloppy-mode caller chain is the other way to a calling function.
      try { const caller = (function sloppy() { return sloppy.caller; })(); if (caller) reached.push(caller); } catch (err) { String(err); }
      const leaked = reached.length === 0 ? [] : ['frames reached: ' + reached.length];
      for (const fn of reached) {
        try {
          let v = fn.constructor('return typeof process')();
          if (v && typeof v.then === 'function') v = await v;
          if (v && typeof v.next === 'function') v = (await v.next()).value;
          leaked.push(v);
        } catch (x) { leaked.push('threw'); }
      }
      console.log(JSON.stringify(leaked.filter((v) => v !== 'undefined' && v !== 'threw').map(String)));`);
    assert.deepEqual(found, []);
  });
});

describe('error carriers', () => {
  it('reads only name and message of hostile thrown values', async () => {
    const scripts = [
      `throw new Proxy(new Error('x'), { get(t, k) { if (k === 'message') { globalThis.pwned = 1; } return Reflect.get(t, k); } });`,
      `const e2 = new Error('outer', { cause: new Proxy({}, { get() { throw new Error('trap'); } }) }); throw e2;`,
      `throw new AggregateError([{ get message() { throw new Error('nested'); } }], 'many');`,
      `throw typeof SuppressedError === 'function' ? new SuppressedError(new Error('a'), new Error('b'), 'suppressed') : new Error('suppressed');`,
      `throw { get name() { throw new Error('getter'); }, message: 'object' };`,
      `throw { name: { toString() { globalThis.pwned = 1; return 'x'; } }, message: 12 };`,
      `throw Symbol('sym');`,
      `throw null;`,
    ];
    for (const body of scripts) {
      const outcome = await run(onPush(body), new FakeHost());
      assert.equal(outcome.status, 'Failed', body);
      assert.equal(outcome.reason, 'HandlerFailed', body);
      assert.equal(typeof outcome.message, 'string');
    }
  });

  it('does not loop the host when an error getter spins', async () => {
    const outcome = await run(`throw { get message() { for (;;) {} } };`, new FakeHost(), { limits: { cpuMs: 200 } });
    assert.equal(outcome.reason, 'CpuLimit');
  });

  it('hands host errors to the guest as name and message only, scrubbed', async () => {
    const host = new FakeHost(() => {
      const err = new Error('GET https://admin:hunter22@api.internal:6443/apis?token=abc failed, Bearer eyJhbGciOi');
      (err as Error & { config: unknown }).config = { headers: { authorization: 'Bearer eyJhbGciOi' } };
      throw err;
    });
    const found = await probe(
      `
      try { await new Job('api').run(); } catch (err) {
        console.log(JSON.stringify({ name: err.name, message: err.message, keys: Object.keys(err), config: typeof err.config }));
      }`,
      host,
    );
    const { name, message, keys, config } = found as { name: string; message: string; keys: string[]; config: string };
    assert.equal(name, 'Error');
    assert.doesNotMatch(message, /hunter22|eyJhbGciOi|token=abc/);
    assert.deepEqual(
      keys.filter((k) => k !== 'name' && k !== 'message'),
      [],
    );
    assert.equal(config, 'undefined');
  });
});

describe('promises', () => {
  it('survives Promise species and thenable tricks without touching the host', async () => {
    const host = new FakeHost();
    const body = `
      const p1 = new Job('species').run();
      p1.constructor[Symbol.species] = function (exec) { exec(() => {}, () => {}); return { then() {} }; };
      Object.defineProperty(Promise, Symbol.species, { get() { globalThis.pwned = 1; return Promise; } });
      const twice = { then(resolve, reject) { resolve('a'); reject(new Error('b')); resolve('c'); } };
      console.log(String(await twice));
      const throwing = { then() { throw new Error('then threw'); } };
      try { await throwing; } catch (err) { console.log(err.message); }
      await p1.then(() => 'ok', () => 'ok');`;
    const outcome = await run(onPush(body), host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.texts(), ['a', 'then threw']);
  });

  it('handles a handler that returns a thenable which never settles', async () => {
    const outcome = await run(`require('brigadier').events.on('push', () => ({ then() {} }));`, new FakeHost());
    assert.equal(outcome.reason, 'HandlerFailed');
  });

  it('runs async generators that start jobs', async () => {
    const host = new FakeHost();
    const body = `
      async function* jobs() { for (const n of ['gen-a', 'gen-b']) yield await new Job(n).run(); }
      const out = [];
      for await (const r of jobs()) out.push(String(r));
      Array.prototype[Symbol.asyncIterator] = async function* () { globalThis.pwned = 1; };
      console.log(out.join(','));`;
    const outcome = await run(onPush(body), host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.texts(), ['log of gen-a,log of gen-b']);
  });
});

describe('the bridge', () => {
  it('sends only strings: Proxies on job fields run their traps in the guest or fail the run()', async () => {
    const host = new FakeHost();
    const body = `
      const j = new Job('proxied');
      j.tasks = new Proxy([], { get() { throw new Error('trap fired in guest'); } });
      try { await j.run(); } catch (err) { console.log(err.message); }
      const k = new Job('proxied-env');
      let reads = 0;
      k.env = new Proxy({}, { ownKeys() { return ['A']; }, getOwnPropertyDescriptor() { return { value: 'v', enumerable: true, configurable: true }; },
        get() { reads++; return reads === 1 ? 'first' : { secretKeyRef: 'not an object' }; } });
      try { await k.run(); console.log('env ran'); } catch (err) { console.log(err.message); }`;
    const outcome = await run(onPush(body), host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.equal(host.texts()[0], 'trap fired in guest');
    assert.ok(
      host.requests.every((r) => Object.values(r.env).every((v) => typeof v === 'string' || typeof v === 'object')),
    );
  });

  it('never inspects logged objects on the host (util.inspect.custom stays inert)', async () => {
    const host = new FakeHost();
    const body = `console.log({ [Symbol.for('nodejs.util.inspect.custom')]() { globalThis.pwned = 1; return 'x'; }, toString() { return 'y'; } });`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.equal(typeof host.logs[0]?.text, 'string');
  });

  it('refuses a job request carrying a __proto__ key', async () => {
    const host = new FakeHost();
    const body = `
      Object.prototype.toJSON = function () {
        if (!Array.isArray(this) && this.name === 'proto') { const o = {}; Object.defineProperty(o, '__proto__', { value: { polluted: 'yes' }, enumerable: true }); return o; }
        return this;
      };
      try { await new Job('proto').run(); } catch (err) { console.log(err.name + ': ' + err.message); }`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.equal(host.requests.length, 0);
    assert.match(host.texts()[0] ?? '', /forbidden key "__proto__"|job must be an object|name is required/);
  });

  it('keeps re-entrant calls (logging and running jobs from getters during serialization) consistent', async () => {
    const host = new FakeHost();
    const body = `
      const j = new Job('reentrant');
      Object.defineProperty(j, 'image', { enumerable: true, get() { console.log('getter'); new Job('inner').run(); return 'alpine'; } });
      await j.run();`;
    const outcome = await run(onPush(body), host);
    assert.equal(outcome.status, 'Succeeded', outcome.message);
    assert.deepEqual(host.requests.map((r) => r.name).sort(), ['inner', 'reentrant']);
  });

  it('ignores a job answer that arrives after the build ended', async () => {
    const late = gate();
    const host = new FakeHost(async () => {
      await late.promise;
      return { succeeded: true, log: 'late' };
    });
    const outcome = await run(onPush(`await new Job('late').run();`), host, { limits: { wallMs: 50 } });
    assert.equal(outcome.reason, 'Timeout');
    late.open();
    await until(() => host.running.size === 0, 'the late job to answer');
    assert.equal((await run(onPush(''), new FakeHost())).status, 'Succeeded');
  });

  it('survives a host whose runJob throws synchronously or resolves garbage', async () => {
    const throwing = new FakeHost();
    throwing.runJob = () => {
      throw new Error('sync failure');
    };
    const garbage = new FakeHost(() => 'not an outcome' as never);
    for (const host of [throwing, garbage]) {
      const outcome = await run(
        onPush(`try { await new Job('odd').run(); } catch (err) { console.log(err.message); }`),
        host,
      );
      assert.equal(outcome.status, 'Succeeded', outcome.message);
      assert.equal(host.logs.length, 1);
    }
  });
});

describe('prototype pollution', () => {
  it('does not carry pollution from one build into the next', async () => {
    await run(
      onPush(`Object.prototype.polluted = 'yes'; Array.prototype.map = () => []; JSON.stringify = () => '{}';`),
      new FakeHost(),
    );
    const found = await probe(`console.log(JSON.stringify([({}).polluted, [1].map((x) => x + 1)]));`);
    assert.deepEqual(found, [null, [2]]);
  });

  it('keeps brigadier working when the script pollutes built-ins before running jobs', async () => {
    const host = new FakeHost();
    const body = `
      Object.prototype.polluted = 'yes';
      Array.prototype.map = function () { return ['evil']; };
      JSON.stringify = () => '{"name":"evil"}';
      JSON.parse = () => ({ succeeded: true, log: 'forged' });
      Promise.prototype.then = function () { return this; };
      const r = await new Job('polluted').run();`;
    const outcome = await run(onPush(body), host);
    assert.equal(host.requests[0]?.name, 'polluted');
    assert.equal(typeof outcome.status, 'string');
  });
});

describe('timers', () => {
  it('are guest functions: no host realm through their constructors, ids or Timeout objects', async () => {
    const found = await probe(`
      const t = setTimeout(() => {}, 1);
      const roots = [setTimeout, clearTimeout, setInterval, setImmediate, t, Object.getPrototypeOf(t), t.ref, t[Symbol.toPrimitive]];
      const leaks = roots.map((r) => r.constructor.constructor('return typeof process')()).filter((v) => v !== 'undefined');
      clearTimeout(t);
      console.log(JSON.stringify(leaks));`);
    assert.deepEqual(found, []);
  });

  it('survive hostile delays and ids without reaching or stalling the host', async () => {
    const found = await probe(`
      const odd = [NaN, -1, Infinity, 2 ** 53, '10', { valueOf() { return 1; } }, null, undefined];
      const timers = odd.map((d) => setTimeout(() => {}, d));
      timers.forEach((t) => clearTimeout(t));
      const bad = [];
      for (const delay of [Symbol('d'), { valueOf() { throw new Error('trap'); } }]) {
        try { setTimeout(() => {}, delay); bad.push('accepted'); } catch (e) { /* refused inside the guest */ }
      }
      for (const id of [-1, 0, 1.5, 2 ** 60, 'x', {}, Symbol('t')]) { clearTimeout(id); clearInterval(id); }
      console.log(JSON.stringify(bad));`);
    assert.deepEqual(found, []);
  });
});

describe('built-in modules', () => {
  it('reach no host object: every exported value, its prototype chain and its constructors stay in the guest', async () => {
    const found = await probe(`
      const names = ['util', 'path', 'events', 'url', 'querystring', 'assert', 'assert/strict', 'timers', 'node:util'];
      const leaks = [];
      const seen = new Set();
      const visit = (value, where, depth) => {
        if (value === null || (typeof value !== 'object' && typeof value !== 'function') || seen.has(value) || depth > 4) return;
        seen.add(value);
        if (typeof value === 'function') {
          const v = value.constructor.constructor('return typeof process + typeof require("brigadier")')();
          if (v !== 'undefinedobject') leaks.push(where + ': ' + v);
        }
        for (const key of Reflect.ownKeys(value)) {
          if (key === 'caller' || key === 'arguments') continue;
          let child;
          try { child = value[key]; } catch (e) { continue; }
          if (/internal|unhandledIfRejected|loadBuiltin|hostLog|runJob/.test(String(key))) leaks.push(where + '.' + String(key));
          visit(child, where + '.' + String(key), depth + 1);
        }
        visit(Object.getPrototypeOf(value), where + '.__proto__', depth + 1);
      };
      for (const n of names) visit(require(n), n, 0);
      visit(new URL('https://x/'), 'URL instance', 0);
      visit(new (require('events'))(), 'EventEmitter instance', 0);
      console.log(JSON.stringify(leaks));`);
    assert.deepEqual(found, []);
  });

  it('are fresh in every build: a script that replaces their functions affects only its own build', async () => {
    await run(
      onPush(
        `require('util').format = () => 'evil'; require('path').join = () => '/etc'; require('events').prototype.emit = () => false;`,
      ),
      new FakeHost(),
    );
    const found = await probe(
      `console.log(JSON.stringify([require('util').format('%s!', 'ok'), require('path').join('a', 'b'), typeof require('events').prototype.emit]));`,
    );
    assert.deepEqual(found, ['ok!', 'a/b', 'function']);
  });

  it('refuse the modules that reach the host, saying why, and never load them under another spelling', async () => {
    const found = await probe(`
      const out = {};
      for (const n of ['fs', 'node:fs', 'fs/promises', 'child_process', 'net', 'http', 'https', 'vm', 'worker_threads', 'process', 'os', 'module', 'crypto', 'stream']) {
        try { require(n); out[n] = 'loaded'; } catch (e) { out[n] = e.code + (e.message.includes("'" + n + "'") ? '' : ' (unnamed)'); }
      }
      console.log(JSON.stringify(out));`);
    const refused = 'ERR_SANDBOX_MODULE_REFUSED';
    assert.deepEqual(found, {
      fs: refused,
      'node:fs': refused,
      'fs/promises': refused,
      child_process: refused,
      net: refused,
      http: refused,
      https: refused,
      vm: refused,
      worker_threads: refused,
      process: refused,
      os: refused,
      module: refused,
      crypto: refused,
      stream: refused,
    });
  });
});

describe('require', () => {
  it('refuses everything but brigadier, naming the module', async () => {
    const found = await probe(`
      const names = ['fs', 'node:fs', 'child_process', './brigadier', '../brigadier', '/etc/passwd', 'brigadier/../fs',
        'brigadier/index', 'Brigadier', 'brigadier ', 'process', 'module'];
      const bad = [];
      for (const n of names) {
        try { require(n); bad.push('loaded ' + n); } catch (err) { if (!err.message.includes("'" + n + "'")) bad.push(err.message); }
      }
      for (const v of [undefined, null, 42, ['brigadier'], { toString() { return 'brigadier'; } }, Symbol('brigadier')]) {
        try { require(v); bad.push('loaded non-string'); } catch (err) { if (!(err instanceof TypeError)) bad.push(err.message); }
      }
      let dynamicImport = 'refused';
      try { await import('fs'); dynamicImport = 'loaded'; } catch (err) { dynamicImport = 'refused'; }
      bad.push(dynamicImport === 'loaded' ? 'dynamic import loaded fs' : '');
      console.log(JSON.stringify(bad.filter(Boolean)));`);
    assert.deepEqual(found, []);
  });
});
