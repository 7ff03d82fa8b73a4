import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import type { CoordinationV1Api, V1Lease } from '@kubernetes/client-node';
import pino from 'pino';
import { ManualClock } from './clock.ts';
import { LeaderElector } from './leader.ts';

/** A Lease store with resourceVersion checks, and a switch that makes every call fail. */
function fakeLeases() {
  let lease: V1Lease | undefined;
  let rv = 0;
  const state = { failing: false };
  const fail = (): never => {
    throw new ApiException(503, 'unavailable', '{"code":503}', {});
  };
  // Like the real client: an API error is a rejected promise, never a synchronous throw.
  const answer = <T>(fn: () => T): Promise<T> =>
    new Promise((resolve) => {
      resolve(fn());
    });
  const api = {
    readNamespacedLease: () =>
      answer(() => {
        if (state.failing) fail();
        if (!lease) throw new ApiException(404, 'not found', '{"code":404,"reason":"NotFound"}', {});
        return structuredClone(lease);
      }),
    createNamespacedLease: ({ body }: { body: V1Lease }) =>
      answer(() => {
        if (state.failing) fail();
        if (lease) throw new ApiException(409, 'exists', '{"code":409,"reason":"AlreadyExists"}', {});
        // eslint-disable-next-line @typescript-eslint/no-misused-spread -- client-node's V1 models are plain objects on the wire (see eslint.config.js)
        lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++rv) } };
        return lease;
      }),
    replaceNamespacedLease: ({ body }: { body: V1Lease }) =>
      answer(() => {
        if (state.failing) fail();
        if (body.metadata?.resourceVersion !== lease?.metadata?.resourceVersion)
          throw new ApiException(409, 'conflict', '{"code":409,"reason":"Conflict"}', {});
        // eslint-disable-next-line @typescript-eslint/no-misused-spread -- client-node's V1 models are plain objects on the wire (see eslint.config.js)
        lease = { ...body, metadata: { ...body.metadata, resourceVersion: String(++rv) } };
        return lease;
      }),
  };
  return { api: api as unknown as CoordinationV1Api, state, holder: () => lease?.spec?.holderIdentity };
}

async function until(predicate: () => boolean): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setImmediate(r));
  }
}

const logger = pino({ level: 'silent' });

test('the leader gives up when it cannot renew for a lease duration', async () => {
  const clock = new ManualClock(1_000_000);
  const leases = fakeLeases();
  const elector = new LeaderElector({
    api: leases.api,
    namespace: 'ns',
    name: 'l',
    identity: 'me',
    logger,
    clock,
    leaseDurationMs: 15_000,
    renewIntervalMs: 5_000,
  });
  let leading: AbortSignal | undefined;
  const run = elector.run(new AbortController().signal, async (signal) => {
    leading = signal;
    await new Promise<void>((resolve) => {
      signal.addEventListener('abort', () => {
        resolve();
      });
    });
  });
  await until(() => leading !== undefined);
  assert.equal(leases.holder(), 'me');
  clock.advance(5_000);
  await until(() => clock.pendingTimers() === 1);
  assert.equal(leading?.aborted, false, 'renewed while the API answers');
  leases.state.failing = true;
  // Read through a function: the elector aborts `leading` behind the narrowing of the line above.
  const lost = () => leading?.aborted === true;
  for (let i = 0; i < 3 && !lost(); i++) {
    clock.advance(5_000);
    await until(() => clock.pendingTimers() === 1 || lost());
  }
  assert.equal(lost(), true, 'leadership is lost after 15 s without renewal');
  await run;
});

test('a candidate waits while another holder renews, and takes an expired lease', async () => {
  const clock = new ManualClock(1_000_000);
  const leases = fakeLeases();
  await leases.api.createNamespacedLease({
    namespace: 'ns',
    body: {
      metadata: { name: 'l' },
      spec: { holderIdentity: 'other', leaseDurationSeconds: 15, renewTime: new Date(clock.now()) },
    },
  });
  const elector = new LeaderElector({
    api: leases.api,
    namespace: 'ns',
    name: 'l',
    identity: 'me',
    logger,
    clock,
    retryIntervalMs: 2_000,
  });
  const ac = new AbortController();
  let led = false;
  const run = elector.run(ac.signal, () => {
    led = true;
    return Promise.resolve();
  });
  await until(() => clock.pendingTimers() === 1);
  clock.advance(14_000);
  await until(() => clock.pendingTimers() === 1);
  assert.equal(led, false, 'the lease is still valid');
  clock.advance(2_000);
  await until(() => led);
  await run;
  assert.equal(leases.holder(), '', 'the lease was released when the leader finished');
});
