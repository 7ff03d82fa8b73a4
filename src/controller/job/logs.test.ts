import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import type { V1Pod } from '@kubernetes/client-node';
import pino from 'pino';
import type { JobCR } from '../../api/types.ts';
import { isTransient } from '../../kube/errors.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { readJobLog } from './logs.ts';

const job = { metadata: { name: 'b-j', namespace: 'ns' }, spec: {} } as unknown as JobCR;
const pod: V1Pod = { metadata: { name: 'b-j-pod' } };

function depsReading(read: () => Promise<string>): ControllerDeps {
  return {
    clients: { core: { readNamespacedPodLog: read } },
    settings: { maxJobLogBytes: 1024 },
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
  );
  assert.deepEqual(log, { kind: 'read', text: 'token ***\n' });
});

test('a transient failure to read the log is thrown (read again later), never returned as the log', async () => {
  await assert.rejects(
    readJobLog(
      depsReading(() => Promise.reject(apiError(503, 'the server is busy'))),
      job,
      pod,
      [],
    ),
    (err: unknown) => isTransient(err),
  );
  await assert.rejects(
    readJobLog(
      depsReading(() => Promise.reject(apiError(429, 'slow down'))),
      job,
      pod,
      [],
    ),
    (err: unknown) => isTransient(err),
  );
});

test('a log that is gone is reported as unavailable, with the reason, not as output', async () => {
  const log = await readJobLog(
    depsReading(() => Promise.reject(apiError(404, 'pods "b-j-pod" not found'))),
    job,
    pod,
    [],
  );
  assert.deepEqual(log, {
    kind: 'unavailable',
    why: 'the log of pod b-j-pod could not be read: pods "b-j-pod" not found',
  });
});
