import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { Manager } from './manager.ts';
import type { Runnable, SyncedRunnable } from './manager.ts';

const logger = pino({ level: 'silent' });

function cache(name: string): SyncedRunnable & { sync(): void; stopped: boolean } {
  let resolveSync!: () => void;
  const synced = new Promise<void>((r) => (resolveSync = r));
  const c = {
    name,
    synced: false,
    stopped: false,
    sync() {
      c.synced = true;
      resolveSync();
    },
    waitForSync: () => synced,
    start: (signal: AbortSignal) =>
      new Promise<void>((r) => {
        signal.addEventListener('abort', () => {
          c.stopped = true;
          r();
        });
      }),
  };
  return c;
}

test('controllers start only after every cache synced, and readiness follows', async () => {
  const m = new Manager({ logger });
  const a = cache('a');
  const b = cache('b');
  m.addCache(a);
  m.addCache(b);
  let started = false;
  m.addController({
    name: 'c',
    start: async (signal) => {
      started = true;
      await new Promise((r) => {
        signal.addEventListener('abort', r);
      });
    },
  });
  const ac = new AbortController();
  let onStarted = false;
  const run = m.start(ac.signal, () => (onStarted = true));
  a.sync();
  await new Promise((r) => setImmediate(r));
  assert.equal(started, false);
  assert.equal(m.ready(), false);
  b.sync();
  await new Promise((r) => setImmediate(r));
  assert.equal(started, true);
  assert.equal(onStarted, true);
  assert.equal(m.ready(), true);
  ac.abort();
  await run;
  assert.ok(a.stopped && b.stopped);
});

test('a failing runnable stops the whole manager', async () => {
  const m = new Manager({ logger });
  const a = cache('a');
  m.addCache(a);
  const failing: Runnable = {
    name: 'bad',
    start: () => Promise.reject(new Error('boom')),
  };
  m.addController(failing);
  const run = m.start(new AbortController().signal);
  a.sync();
  await run;
  assert.equal(a.stopped, true);
});
