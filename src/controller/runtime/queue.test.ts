import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ManualClock } from './clock.ts';
import { Controller, TerminalError } from './controller.ts';
import type { Request } from './controller.ts';
import { WorkQueue } from './queue.ts';

const silent = pino({ level: 'silent' });

test('a key added twice before it is taken is handed out once', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('ns/a');
  q.add('ns/a');
  q.add('ns/b');
  assert.equal(q.length, 2);
  assert.equal(await q.get(), 'ns/a');
  assert.equal(await q.get(), 'ns/b');
});

test('a key added while it is processed is handed out again only after done()', async () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  q.add('ns/a');
  const key = await q.get();
  q.add('ns/a');
  assert.equal(q.length, 0, 'not queued while processing');
  assert.ok(key !== undefined, 'get() handed out the key');
  q.done(key);
  assert.equal(q.length, 1);
  assert.equal(await q.get(), 'ns/a');
});

test('back-off doubles per failure from 5 ms, caps at 1000 s, and forget() resets it', () => {
  const q = new WorkQueue({ clock: new ManualClock() });
  const delays = Array.from({ length: 4 }, () => q.addRateLimited('ns/a'));
  assert.deepEqual(delays, [5, 10, 20, 40]);
  for (let i = 0; i < 40; i++) q.addRateLimited('ns/a');
  assert.equal(q.addRateLimited('ns/a'), 1_000_000);
  q.forget('ns/a');
  assert.equal(q.addRateLimited('ns/a'), 5);
});

test('addAfter delivers the key when the clock reaches the delay, and the earliest delay wins', () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  q.addAfter('ns/a', 1000);
  q.addAfter('ns/a', 300);
  q.addAfter('ns/a', 5000);
  clock.advance(299);
  assert.equal(q.length, 0);
  clock.advance(1);
  assert.equal(q.length, 1);
  clock.advance(10_000);
  assert.equal(q.length, 1, 'the later timers were replaced, not added');
});

test('shutDown releases waiting workers and drops delayed keys', async () => {
  const clock = new ManualClock();
  const q = new WorkQueue({ clock });
  const waiting = q.get();
  q.addAfter('ns/a', 10);
  q.shutDown();
  assert.equal(await waiting, undefined);
  assert.equal(clock.pendingTimers(), 0);
  q.add('ns/b');
  assert.equal(await q.get(), undefined);
});

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

test('the controller never reconciles one key on two workers at once', async () => {
  const gate = deferred();
  let running = 0;
  let maxRunning = 0;
  let calls = 0;
  const c = new Controller({
    name: 't',
    logger: silent,
    workers: 4,
    queue: { clock: new ManualClock() },
    reconcile: async (): Promise<undefined> => {
      calls++;
      running++;
      maxRunning = Math.max(maxRunning, running);
      await gate.promise;
      running--;
    },
  });
  const ac = new AbortController();
  const done = c.start(ac.signal);
  c.enqueue('ns', 'a');
  await until(() => calls === 1);
  c.enqueue('ns', 'a');
  c.enqueue('ns', 'a');
  gate.resolve();
  await until(() => calls === 2);
  assert.equal(maxRunning, 1);
  ac.abort();
  await done;
  assert.equal(calls, 2, 'the two adds during processing collapsed into one more reconcile');
});

test('the controller retries an error with back-off and stops on a terminal error', async () => {
  const clock = new ManualClock();
  const seen: Request[] = [];
  let fail: Error | undefined = new Error('transient');
  const c = new Controller({
    name: 't',
    logger: silent,
    queue: { clock },
    reconcile: (req) => {
      seen.push(req);
      return fail ? Promise.reject(fail) : Promise.resolve(undefined);
    },
  });
  const ac = new AbortController();
  const done = c.start(ac.signal);
  c.enqueue('ns', 'a');
  await until(() => seen.length === 1);
  await until(() => clock.pendingTimers() === 1);
  clock.advance(4);
  assert.equal(seen.length, 1);
  clock.advance(1);
  await until(() => seen.length === 2);
  assert.deepEqual(seen[1], { namespace: 'ns', name: 'a' });
  fail = new TerminalError('bad spec');
  await until(() => clock.pendingTimers() === 1);
  clock.advance(10);
  await until(() => seen.length === 3);
  await until(() => c.queue.numRequeues('ns/a') === 0);
  assert.equal(clock.pendingTimers(), 0, 'no retry after a terminal error');
  ac.abort();
  await done;
});

test('the controller honours requeueAfterMs', async () => {
  const clock = new ManualClock();
  let calls = 0;
  const c = new Controller({
    name: 't',
    logger: silent,
    queue: { clock },
    reconcile: () => Promise.resolve(++calls === 1 ? { requeueAfterMs: 60_000 } : {}),
  });
  const ac = new AbortController();
  const done = c.start(ac.signal);
  c.enqueue('ns', 'a');
  await until(() => clock.pendingTimers() === 1);
  clock.advance(59_999);
  assert.equal(calls, 1);
  clock.advance(1);
  await until(() => calls === 2);
  ac.abort();
  await done;
});

test('periodic resync enqueues every listed key once per period', async () => {
  const clock = new ManualClock();
  const seen: string[] = [];
  const c = new Controller({
    name: 't',
    logger: silent,
    queue: { clock },
    resync: { everyMs: 1000, keys: () => ['ns/a', 'ns/b'] },
    reconcile: (req) => {
      seen.push(`${req.namespace}/${req.name}`);
      return Promise.resolve(undefined);
    },
  });
  const ac = new AbortController();
  const done = c.start(ac.signal);
  clock.advance(999);
  await until(() => true);
  assert.deepEqual(seen, []);
  clock.advance(1);
  await until(() => seen.length === 2);
  clock.advance(1000);
  await until(() => seen.length === 4);
  ac.abort();
  await done;
  assert.equal(clock.pendingTimers(), 0, 'the resync timer is cancelled on stop');
});
