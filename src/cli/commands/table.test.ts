import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, formatTable, span } from './table.ts';
import { projectRow, jobSummaryRow, newestFirst } from './resources.ts';

test('tables align columns to the widest cell and trim trailing spaces', () => {
  assert.equal(
    formatTable(
      ['A', 'LONGER'],
      [
        ['xyz', '1'],
        ['q', ''],
      ],
    ),
    'A     LONGER\nxyz   1\nq',
  );
});

test('durations use kubectl short forms', () => {
  assert.deepEqual([0, 45_000, 192_000, 3_600_000, 7_500_000, 90_000_000].map(formatDuration), [
    '0s',
    '45s',
    '3m12s',
    '1h',
    '2h5m',
    '1d1h',
  ]);
  assert.equal(formatDuration(-1), '-');
  assert.equal(span('2026-01-01T00:00:00Z', '2026-01-01T00:00:42Z', 0), '42s');
  assert.equal(span(undefined, undefined, 0), '-');
});

test('a project row shows readiness, handlers and only the enabled intakes', () => {
  const row = projectRow({
    apiVersion: 'brigade.sh/v1alpha1',
    kind: 'Project',
    metadata: { name: 'hello' },
    spec: { gateways: { github: { enabled: true }, webhook: { enabled: false } } },
    status: {
      conditions: [
        { type: 'Ready', status: 'True', reason: 'Parsed', message: '', lastTransitionTime: '2026-01-01T00:00:00Z' },
      ],
      handlers: ['exec', 'push'],
    },
  } as never);
  assert.deepEqual(row, ['hello', 'True', 'exec,push', 'github']);
});

test('a job summary row names the job as the script did, with phase, node and duration', () => {
  const row = jobSummaryRow(
    {
      apiVersion: 'brigade.sh/v1alpha1',
      kind: 'Job',
      metadata: { name: 'b-1-linux-job' },
      spec: { name: 'linux-job' },
      status: {
        phase: 'Succeeded',
        nodeName: 'virtual-kubelet',
        startTime: '2026-01-01T00:00:00Z',
        completionTime: '2026-01-01T00:00:03Z',
      },
    } as never,
    0,
  );
  assert.deepEqual(row, ['linux-job', 'Succeeded', 'virtual-kubelet', '3s', '']);
});

test('newest first sorts by creation time descending', () => {
  const items = [
    { metadata: { name: 'a', creationTimestamp: '2026-01-01T00:00:01Z' } },
    { metadata: { name: 'b', creationTimestamp: '2026-01-01T00:00:02Z' } },
  ];
  assert.deepEqual(
    newestFirst(items).map((i) => i.metadata.name),
    ['b', 'a'],
  );
});
