import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../types.ts';
import { FakeStore } from './fake-store.test-helper.ts';
import { GVR } from './kube-types.ts';
import { LogRequestError, LogStore } from './logs.ts';

async function readAll(iterable: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of iterable) out += chunk;
  return out;
}

function setup(containers: string[], initContainers: string[] = []): { logs: LogStore; store: FakeStore; uid: string } {
  const store = new FakeStore();
  const pod: KubeObject = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p', namespace: 'ns' },
    spec: {
      containers: containers.map((name) => ({ name })),
      initContainers: initContainers.map((name) => ({ name })),
    },
  };
  const created = store.create(GVR.pods, pod);
  return { logs: new LogStore({ store, maxBytesPerContainer: 64 }), store, uid: created.metadata.uid ?? '' };
}

const never = new AbortController().signal;

describe('LogStore', () => {
  it('picks the only container, and refuses to guess among several like the kubelet', () => {
    const one = setup(['main']);
    one.logs.open('ns', 'p', one.uid, 'main').append('x\n');
    assert.equal(one.logs.has('ns', 'p'), true);
    const two = setup(['a', 'b'], ['init']);
    assert.throws(
      () => two.logs.read('ns', 'p', {}, never),
      (err: unknown) =>
        err instanceof LogRequestError &&
        err.message ===
          'a container name must be specified for pod p, choose one of: [a b] or one of the init containers: [init]',
    );
    assert.throws(() => two.logs.read('ns', 'p', { container: 'c' }, never), /container c is not valid for pod p/);
    assert.throws(
      () => two.logs.read('ns', 'p', { container: 'a' }, never),
      /container "a" in pod "p" is waiting to start: PodInitializing/,
    );
  });

  it('applies tailLines and limitBytes', async () => {
    const { logs, uid } = setup(['main']);
    const log = logs.open('ns', 'p', uid, 'main');
    for (const line of ['1\n', '2\n', '3\n']) log.append(line);
    log.finish();
    assert.equal(await readAll(logs.read('ns', 'p', { tailLines: 2 }, never)), '2\n3\n');
    assert.equal(await readAll(logs.read('ns', 'p', { tailLines: 0 }, never)), '');
    assert.equal(await readAll(logs.read('ns', 'p', { limitBytes: 3 }, never)), '1\n2');
  });

  it('filters by sinceSeconds', async () => {
    const { logs, uid } = setup(['main']);
    const log = logs.open('ns', 'p', uid, 'main');
    log.append('old\n', Date.now() - 60_000);
    log.append('new\n');
    log.finish();
    assert.equal(await readAll(logs.read('ns', 'p', { sinceSeconds: 10 }, never)), 'new\n');
  });

  it('prefixes RFC 3339 timestamps with the fraction trimmed as Go does', async () => {
    const { logs, uid } = setup(['main']);
    logs.open('ns', 'p', uid, 'main').append('line\n', Date.parse('2026-11-23T09:00:00.120Z'));
    assert.equal(await readAll(logs.read('ns', 'p', { timestamps: true }, never)), '2026-11-23T09:00:00.12Z line\n');
  });

  it('drops the oldest lines beyond the bound', async () => {
    const { logs, uid } = setup(['main']);
    const log = logs.open('ns', 'p', uid, 'main');
    for (let i = 0; i < 20; i++) log.append(`line ${String(i).padStart(2, '0')}\n`);
    const text = await readAll(logs.read('ns', 'p', {}, never));
    assert.ok(Buffer.byteLength(text) <= 64);
    assert.ok(text.endsWith('line 19\n'));
    assert.ok(!text.includes('line 00'));
  });

  it('keeps the previous instance after a restart', async () => {
    const { logs, uid } = setup(['main']);
    logs.open('ns', 'p', uid, 'main').append('first run\n');
    logs.open('ns', 'p', uid, 'main').append('second run\n');
    assert.equal(await readAll(logs.read('ns', 'p', { previous: true }, never)), 'first run\n');
    assert.equal(await readAll(logs.read('ns', 'p', {}, never)), 'second run\n');
  });

  it('follows new lines until the container ends, or until the reader aborts', async () => {
    const { logs, uid } = setup(['main']);
    const log = logs.open('ns', 'p', uid, 'main');
    log.append('a\n');
    const iterator = logs.read('ns', 'p', { follow: true }, never)[Symbol.asyncIterator]();
    assert.deepEqual(await iterator.next(), { value: 'a\n', done: false });
    const pending = iterator.next();
    log.append('b\n');
    assert.deepEqual(await pending, { value: 'b\n', done: false });
    const end = iterator.next();
    log.finish();
    assert.equal((await end).done, true);

    const abort = new AbortController();
    const other = setup(['main']);
    other.logs.open('ns', 'p', other.uid, 'main');
    const follower = readAll(other.logs.read('ns', 'p', { follow: true }, abort.signal));
    abort.abort();
    assert.equal(await follower, '');
  });
});
