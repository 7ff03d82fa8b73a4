import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import type { V1ConfigMap, V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import type { JobCR } from '../../api/types.ts';
import { isTransient } from '../../kube/errors.ts';
import { utf8Bytes } from '../../util/text.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { readKeptJobLog } from '../shared/kept-log.ts';
import { capMarker } from '../shared/log-bounds.ts';
import { keepJobLog, planKeptLog, readJobLog } from './logs.ts';

const job = { metadata: { name: 'b-j', namespace: 'ns', uid: 'u1' }, spec: { build: 'b', name: 'j' } } as JobCR;
const pod: V1Pod = { metadata: { name: 'b-j-pod' } };

/** Deps whose pod log is `read`, honouring limitBytes the way the API server does. */
function depsReading(read: () => Promise<string>): ControllerDeps {
  return {
    clients: {
      core: {
        readNamespacedPodLog: async ({ limitBytes }: { limitBytes?: number }) => {
          const raw = await read();
          return limitBytes === undefined ? raw : Buffer.from(raw).subarray(0, limitBytes).toString('utf8');
        },
      },
    },
    settings: { logTailChars: 100 },
    logger: pino({ level: 'silent' }),
  } as unknown as ControllerDeps;
}

const apiError = (code: number, message: string): ApiException<string> =>
  new ApiException(code, 'HTTP error', JSON.stringify({ kind: 'Status', code, message }), {});

test('a log is read, redacted and kept as the job output', async () => {
  const log = await readJobLog(
    depsReading(() => Promise.resolve('token s3cr3t-value\n')),
    job,
    pod,
    ['s3cr3t-value'],
    1024,
  );
  assert.deepEqual(log, { kind: 'read', text: 'token ***\n', truncated: false });
});

test('a log over the cap is cut there and ends with a line that states the cap', async () => {
  const lines = Array.from({ length: 500 }, (_, i) => `line ${i}\n`).join('');
  const log = await readJobLog(
    depsReading(() => Promise.resolve(lines)),
    job,
    pod,
    [],
    1024,
  );
  assert.equal(log.kind, 'read');
  assert.equal(log.truncated, true);
  assert.ok(log.text.endsWith(`\n${capMarker(1024)}`), log.text.slice(-200));
  assert.match(capMarker(1024), /first 1024 bytes are kept.*spec\.logs\.maxJobLogBytes/);
  const kept = log.text.slice(0, -capMarker(1024).length);
  assert.ok(utf8Bytes(kept) <= 1025, 'the cap plus the newline before the marker');
  assert.ok(lines.startsWith(kept.replace(/\n$/, '')), 'the kept part is the head of the log');
});

test('a log that fits the cap exactly is not marked as cut', async () => {
  const text = 'x'.repeat(1023) + '\n';
  const log = await readJobLog(
    depsReading(() => Promise.resolve(text)),
    job,
    pod,
    [],
    1024,
  );
  assert.deepEqual(log, { kind: 'read', text, truncated: false });
});

test('a read cut inside a secret value leaks no part of it', async () => {
  const secret = 'correct-horse-battery-staple';
  // Secrets that redaction shrinks: the redacted text stays under the cap, so the read's cut matters.
  const line = `${secret}${secret}${secret}\n`;
  const raw = line.repeat(60); // 5040 bytes; a read of 2 x 1024 bytes ends inside a secret
  const log = await readJobLog(
    depsReading(() => Promise.resolve(raw)),
    job,
    pod,
    [secret],
    1024,
  );
  assert.equal(log.kind, 'read');
  assert.equal(log.truncated, true, 'the log was not read whole, so the marker is there');
  for (let n = 6; n <= secret.length; n++)
    assert.ok(!log.text.includes(secret.slice(0, n)), `no prefix of the secret (${n} characters)`);
  assert.ok(log.text.endsWith(capMarker(1024)));
});

test('a transient failure to read the log is thrown (read again later), never returned as the log', async () => {
  for (const err of [apiError(503, 'the server is busy'), apiError(429, 'slow down')])
    await assert.rejects(
      readJobLog(
        depsReading(() => Promise.reject(err)),
        job,
        pod,
        [],
        1024,
      ),
      (e: unknown) => isTransient(e),
    );
});

test('a log that is gone is reported as unavailable, with the reason, not as output', async () => {
  const log = await readJobLog(
    depsReading(() => Promise.reject(apiError(404, 'pods "b-j-pod" not found'))),
    job,
    pod,
    [],
    1024,
  );
  assert.deepEqual(log, {
    kind: 'unavailable',
    why: 'the log of pod b-j-pod could not be read: pods "b-j-pod" not found',
  });
});

test('a log that fits the status tail needs no ConfigMap; a longer one is cut into parts', () => {
  assert.deepEqual(planKeptLog('short\n', 100), []);
  assert.deepEqual(planKeptLog('x'.repeat(100), 100), []);
  const long = 'ab€\n'.repeat(1000); // 6000 bytes
  const parts = planKeptLog(long, 100, 2048);
  assert.equal(parts.length, 3);
  assert.equal(parts.join(''), long);
});

/** A ConfigMap store behind create/read, counting the calls. */
function configMapStore(): {
  deps: ControllerDeps;
  writes: () => number;
  reads: () => number;
  drop: (name: string) => void;
} {
  const maps = new Map<string, V1ConfigMap>();
  let writes = 0;
  let reads = 0;
  const core = {
    createNamespacedConfigMap: ({ body }: { body: V1ConfigMap }) => {
      writes++;
      const name = body.metadata?.name ?? '';
      if (maps.has(name)) return Promise.reject(new ApiException(409, 'exists', '{"reason":"AlreadyExists"}', {}));
      maps.set(name, body);
      return Promise.resolve(body);
    },
    readNamespacedConfigMap: ({ name }: { name: string }) => {
      reads++;
      const cm = maps.get(name);
      return cm ? Promise.resolve(cm) : Promise.reject(apiError(404, `configmaps "${name}" not found`));
    },
  };
  const deps = { clients: { core }, settings: { logTailChars: 100 } } as unknown as ControllerDeps;
  return { deps, writes: () => writes, reads: () => reads, drop: (name) => maps.delete(name) };
}

const finished = (status: NonNullable<JobCR['status']>): JobCR => ({
  ...job,
  status: { phase: 'Succeeded', ...status },
});

test('a small kept log is read back from the status alone: no ConfigMap written or read', async () => {
  const store = configMapStore();
  const place = await keepJobLog(store.deps, job, { text: 'hello\n', truncated: false });
  assert.deepEqual(place, { bytes: 6, chunks: 0 });
  const kept = await readKeptJobLog({ core: store.deps.clients.core }, finished({ logTail: 'hello\n', log: place }));
  assert.deepEqual(kept, { text: 'hello\n', from: 'status', truncated: false });
  assert.equal(store.writes(), 0);
  assert.equal(store.reads(), 0);
});

test('a long kept log is written in parts and read back whole; a second pass writes nothing new', async () => {
  const store = configMapStore();
  const text = 'ab€ line\n'.repeat(150_000); // 1.65 MB: two ConfigMaps' worth
  const place = await keepJobLog(store.deps, job, { text, truncated: false });
  assert.deepEqual(place, { bytes: utf8Bytes(text), chunks: 2 });
  await keepJobLog(store.deps, job, { text, truncated: false }); // an earlier pass stopped before its status write
  const kept = await readKeptJobLog({ core: store.deps.clients.core }, finished({ logTail: 'tail', log: place }));
  assert.equal(kept.from, 'configmaps');
  assert.equal(kept.text, text);
});

test('when a part is gone, the archive has the log; without one, only the tail is left, and says so', async () => {
  const store = configMapStore();
  const text = 'y'.repeat(2_000_000);
  const place = await keepJobLog(store.deps, job, { text, truncated: true });
  store.drop('b-j-log-1');
  const gone = finished({ logTail: 'the tail', log: { ...place, archive: 'http://127.0.0.1/c/ns/b/j.log' } });
  const asked: unknown[] = [];
  const archive = {
    get: (key: unknown) => {
      asked.push(key);
      return Promise.resolve('archived text');
    },
  };
  assert.deepEqual(await readKeptJobLog({ core: store.deps.clients.core, archive }, gone), {
    text: 'archived text',
    from: 'archive',
    truncated: true,
  });
  assert.deepEqual(asked, [{ namespace: 'ns', build: 'b', job: 'j' }]);
  assert.deepEqual(await readKeptJobLog({ core: store.deps.clients.core }, gone), {
    text: 'the tail',
    from: 'tail',
    truncated: true,
  });
});

test('a job an older operator finished is read from its one ConfigMap; a job with no log kept reads nothing', async () => {
  const store = configMapStore();
  await keepJobLog(store.deps, job, { text: 'z'.repeat(500), truncated: false });
  const legacy = finished({
    logTail: 'tail',
    conditions: [{ type: 'LogKept', status: 'True', reason: 'Kept', message: '', lastTransitionTime: '' }],
  });
  assert.deepEqual(await readKeptJobLog({ core: store.deps.clients.core }, legacy), {
    text: 'z'.repeat(500),
    from: 'configmaps',
    truncated: false,
  });
  const before = store.reads();
  const refused = finished({ phase: 'Failed', reason: 'PolicyViolation' });
  assert.deepEqual(await readKeptJobLog({ core: store.deps.clients.core }, refused), {
    text: '',
    from: 'status',
    truncated: false,
  });
  assert.equal(store.reads(), before);
});
