// Conformance with Brigade 1.5's scripting guide (docs/content/topics/scripting.md): each pattern
// the guide teaches, written here as a script of its own, and what the operator creates for it and
// what the script sees. The guide's storage, docker and privileged examples meet the secure defaults
// (docs/scripting.md, "Differences from Brigade 1"); the tests show the refusal and the field that
// allows it. Runs on both grounds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Build, JobCR } from '../../src/api/types.ts';
import { runOperator, startCluster } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventYaml, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster;
let operator: OperatorHandle;

const SCRIPT = `const { events, Job, Group } = require('brigadier');
events.on('log-only', () => { console.log('log-only handler ran'); });
events.on('with-after', () => { console.log('main handler ran'); });
events.on('after', (e) => { if (e.cause && e.cause.event && e.cause.event.type === 'with-after') console.log('after handler ran'); });
events.on('fire-and-forget', () => {
  // The guide's first jobs: run() called and its promise dropped; the build still waits for both.
  const first = new Job('first', 'alpine:3.20'); first.tasks = ['echo one', 'echo two'];
  const second = new Job('second', 'alpine:3.20'); second.tasks = ['echo three'];
  first.run(); second.run();
});
events.on('chained', () => {
  const a = new Job('a', 'alpine:3.20', ['echo a']);
  const b = new Job('b', 'alpine:3.20', ['echo b']);
  a.run().then(() => { b.run(); });
});
events.on('groups', () => {
  const one = new Job('one', 'alpine:3.20', ['echo 1']);
  const two = new Job('two', 'alpine:3.20', ['echo 2']);
  const three = new Job('three', 'alpine:3.20', ['echo 3']);
  const four = new Job('four', 'alpine:3.20', ['echo 4']);
  const first = new Group(); first.add(one); first.add(two);
  return first.runAll().then(() => Group.runEach([three, four]));
});
events.on('context', (e, p) => {
  console.log('event ' + e.type + ' from ' + e.provider + ' for ' + p.name + ' at ' + p.repo.cloneURL);
  const j = new Job('ctx', 'alpine:3.20', ['echo "type=$KIND"']);
  j.env = { KIND: e.type };
  j.useSource = false;
  j.mountPath = '/mnt/code';
  return j.run().then((r) => console.log('job said ' + r.toString().trim()));
});
events.on('shared-storage', () => { const j = new Job('st', 'alpine:3.20', ['true']); j.storage.enabled = true; return j.run(); });
events.on('docker', () => { const j = new Job('dk', 'docker:24', ['docker images']); j.docker.enabled = true; return j.run(); });
events.on('privileged', () => { const j = new Job('pv', 'alpine:3.20', ['true']); j.privileged = true; return j.run(); });
`;

before(async () => {
  cluster = await startCluster();
  operator = await runOperator(cluster);
  await cluster.apply(projectYaml('conform', SCRIPT));
  // The same script with a repository: its jobs would clone it, so only the job that opts out runs there.
  await cluster.apply(
    projectYaml('conform-repo', SCRIPT, 'repo: { name: org/conform, cloneURL: "https://example.com/org/conform.git" }'),
  );
  await projectReady(cluster, 'conform');
  await projectReady(cluster, 'conform-repo');
});

after(async () => {
  await operator.stop();
  await cluster.stop();
});

async function runEvent(name: string, type: string, project = 'conform'): Promise<Build> {
  await cluster.apply(eventYaml(name, project, type));
  return buildEnded(cluster, name, 120_000);
}

/** A job's start or completion time, to the second: a Job's startTime has no finer resolution. */
function time(job: JobCR | undefined, which: 'startTime' | 'completionTime'): string {
  const value = job?.status?.[which];
  assert.ok(value, `job ${job?.spec.name ?? '?'} has a ${which}`);
  return new Date(value).toISOString().slice(0, 19);
}

test('a handler that only logs: the build succeeds with its console line', async () => {
  const build = await runEvent('c-log', 'log-only');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.match(build.status.logTail ?? '', /log-only handler ran/);
});

test('the after event runs once the handler is done', async () => {
  const build = await runEvent('c-after', 'with-after');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.match(build.status.logTail ?? '', /main handler ran[\s\S]*after handler ran/);
});

test('jobs started without awaiting, and a job started in a then(), all run before the build ends', async () => {
  const dropped = await runEvent('c-drop', 'fire-and-forget');
  assert.equal(dropped.status?.phase, 'Succeeded', JSON.stringify(dropped.status));
  const jobs = await jobsOf(cluster, 'c-drop');
  assert.deepEqual([...jobs.keys()].sort(), ['first', 'second']);
  assert.ok([...jobs.values()].every((j) => j.status?.phase === 'Succeeded'));
  assert.deepEqual(jobs.get('first')?.spec.tasks, ['echo one', 'echo two']);

  const chained = await runEvent('c-chain', 'chained');
  assert.equal(chained.status?.phase, 'Succeeded', JSON.stringify(chained.status));
  const ab = await jobsOf(cluster, 'c-chain');
  assert.equal(ab.get('b')?.status?.phase, 'Succeeded');
  assert.ok(time(ab.get('b'), 'startTime') >= time(ab.get('a'), 'completionTime'), 'b starts after a ended');
});

test('Group.runAll then Group.runEach: the second group starts after the first, its jobs one after another', async () => {
  const build = await runEvent('c-groups', 'groups');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  const jobs = await jobsOf(cluster, 'c-groups');
  assert.deepEqual([...jobs.keys()].sort(), ['four', 'one', 'three', 'two']);
  const firstDone = [time(jobs.get('one'), 'completionTime'), time(jobs.get('two'), 'completionTime')].sort()[1] ?? '';
  assert.ok(time(jobs.get('three'), 'startTime') >= firstDone);
  assert.ok(time(jobs.get('four'), 'startTime') >= time(jobs.get('three'), 'completionTime'));
});

test('the handler sees the event and project; env, useSource and mountPath reach the job', async () => {
  const build = await runEvent('c-ctx', 'context', 'conform-repo');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.match(
    build.status.logTail ?? '',
    /event context from manual for org\/conform at https:\/\/example\.com\/org\/conform\.git/,
  );
  const job = (await jobsOf(cluster, 'c-ctx')).get('ctx');
  assert.deepEqual(job?.spec.env, [{ name: 'KIND', value: 'context' }]);
  assert.equal(job.spec.useSource, false);
  assert.equal(job.spec.mountPath, '/mnt/code');
  if (cluster.ground === 'cluster') assert.match(build.status.logTail ?? '', /job said type=context/);
});

test('the guide storage, docker and privileged examples are refused by default, naming the Project field that allows them', async () => {
  const cases: Array<[string, string, RegExp]> = [
    ['c-storage', 'shared-storage', /spec\.storage\.enabled/],
    ['c-docker', 'docker', /spec\.policy\.allowDockerSocket/],
    ['c-priv', 'privileged', /spec\.policy\.allowPrivileged/],
  ];
  for (const [name, type, field] of cases) {
    const build = await runEvent(name, type);
    assert.equal(build.status?.phase, 'Failed', name);
    const [job] = [...(await jobsOf(cluster, name)).values()];
    assert.ok(job, name);
    assert.equal(job.status?.reason, 'PolicyViolation', `${name}: ${JSON.stringify(job.status)}`);
    assert.match(job.status.message ?? '', field, name);
  }
});
