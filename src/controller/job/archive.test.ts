import { test } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { ArchiveUnavailableError } from '../../archive/index.ts';
import type { LogArchive } from '../../archive/index.ts';
import type { JobCR } from '../../api/types.ts';
import type { ControllerDeps } from '../shared/deps.ts';
import { KeptLogHandoff } from '../shared/kept-log-handoff.ts';
import { archiveJobLog, needsArchive } from './archive.ts';

const finished = (): JobCR =>
  ({
    metadata: { name: 'b-j', namespace: 'ns', uid: 'u1' },
    spec: { build: 'b', name: 'j', project: 'p' },
    status: { phase: 'Succeeded', logTail: 'small log\n', log: { bytes: 10, chunks: 0 } },
  }) as JobCR;

/** Deps with one Job resource whose status updates land in `job`, and the Warning events seen. */
function depsWith(archive: Partial<LogArchive>, job: JobCR): { deps: ControllerDeps; warnings: string[] } {
  const warnings: string[] = [];
  const deps = {
    logArchive: archive as LogArchive,
    keptLogs: new KeptLogHandoff(),
    clients: { core: {} },
    clock: { now: () => 0 },
    logger: pino({ level: 'silent' }),
    recorder: { warning: (_o: unknown, reason: string) => warnings.push(reason) },
    objects: {
      updateStatus: (_k: string, _ns: string, _n: string, mutate: (c: JobCR) => JobCR['status'] | undefined) => {
        const status = mutate(job);
        if (status) job.status = status;
        return Promise.resolve(status ? job : undefined);
      },
    },
  } as unknown as ControllerDeps;
  return { deps, warnings };
}

test('a finished job is archived once: its location and LogArchived=True are recorded', async () => {
  const job = finished();
  const puts: unknown[] = [];
  const { deps } = depsWith(
    {
      put: (key, text, info) => {
        puts.push({ key, text, info });
        return Promise.resolve('http://storage/c/ns/b/j.log');
      },
    },
    job,
  );
  assert.equal(needsArchive(deps, job), true);
  await archiveJobLog(deps, job);
  assert.deepEqual(puts, [
    {
      key: { namespace: 'ns', build: 'b', job: 'j' },
      text: 'small log\n',
      info: { project: 'p', jobResource: 'b-j', truncated: false },
    },
  ]);
  assert.equal(job.status?.log?.archive, 'http://storage/c/ns/b/j.log');
  assert.equal(job.status.conditions?.find((c) => c.type === 'LogArchived')?.status, 'True');
  assert.equal(needsArchive(deps, job), false);
});

test('an unavailable archive is tried again later; a refusing one is recorded and not tried again', async () => {
  const down = finished();
  const unavailable = depsWith({ put: () => Promise.reject(new ArchiveUnavailableError('503')) }, down);
  await assert.rejects(archiveJobLog(unavailable.deps, down), ArchiveUnavailableError);
  assert.equal(needsArchive(unavailable.deps, down), true);

  const refused = finished();
  const refusing = depsWith(
    { put: () => Promise.reject(new Error('could not archive the log of job j: 403')) },
    refused,
  );
  await archiveJobLog(refusing.deps, refused);
  const condition = refused.status?.conditions?.find((c) => c.type === 'LogArchived');
  assert.equal(condition?.status, 'False');
  assert.equal(condition.reason, 'ArchiveFailed');
  assert.match(condition.message ?? '', /403/);
  assert.deepEqual(refusing.warnings, ['LogArchiveFailed']);
  assert.equal(needsArchive(refusing.deps, refused), false);
});

test('without an archive, or before the job ends, or with nothing kept, nothing is archived', () => {
  const job = finished();
  assert.equal(needsArchive({} as ControllerDeps, job), false);
  const { deps } = depsWith({}, job);
  assert.equal(needsArchive(deps, { ...job, status: { ...job.status, phase: 'Running' } }), false);
  assert.equal(needsArchive(deps, { ...job, status: { phase: 'Failed', reason: 'PolicyViolation' } }), false);
});
