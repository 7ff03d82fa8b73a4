import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventDecided, eventYaml, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster;
let operator: OperatorHandle;

before(async () => {
  cluster = await startCluster();
  operator = await runOperator(cluster);
  await cluster.apply(`
apiVersion: v1
kind: Secret
metadata: { name: pipeline-secrets }
stringData: { token: s3cr3t-value-xyz }
`);
  await cluster.apply(
    projectYaml(
      'pipeline',
      `const { events, Job } = require('brigadier');
events.on('fail', async () => {
  await new Job('boom', 'alpine:3.20', ['echo going down', 'exit 3']).run();
});
events.on('secret', async (e, project) => {
  console.log('the token is ' + project.secrets.token);
  const j = new Job('use-secret', 'alpine:3.20', ['echo "token=$TOKEN"', 'echo "upper=$(echo "$TOKEN" | tr a-z A-Z)"']);
  j.env = { TOKEN: project.secrets.token, PLAIN: 'visible' };
  await j.run();
});
events.on('privileged', async () => {
  const j = new Job('root', 'alpine:3.20', ['id']);
  j.privileged = true;
  await j.run();
});
events.on('slow', async () => {
  await new Job('sleeper', 'alpine:3.20', ['sleep 30']).run();
});
events.on('nowhere', async () => {
  const j = new Job('unplaceable', 'alpine:3.20', ['echo never']);
  j.host.nodeSelector = { disktype: 'nvme-that-no-node-has' };
  await j.run();
});
events.on('job-timeout', async () => {
  const j = new Job('too-slow', 'alpine:3.20', ['sleep 30']);
  j.timeout = 1000;
  await j.run();
});
events.on('error', async () => {
  await new Job('on-error', 'alpine:3.20', ['echo handled the failure']).run();
});`,
      'secretRef: { name: pipeline-secrets }',
    ),
  );
  await projectReady(cluster, 'pipeline');
});

after(async () => {
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await operator?.stop();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
});

test('a failing job fails the build and runs the error handler', async () => {
  await cluster.apply(eventYaml('fail-1', 'pipeline', 'fail'));
  const build = await buildEnded(cluster, 'fail-1');
  assert.equal(build.status?.phase, 'Failed');
  const jobs = await jobsOf(cluster, 'fail-1');
  assert.equal(jobs.get('boom')?.status?.phase, 'Failed');
  assert.equal(jobs.get('boom')?.status?.exitCode, 3);
  assert.match(jobs.get('boom')?.status?.logTail ?? '', /going down/);
  assert.equal(jobs.get('on-error')?.status?.phase, 'Succeeded');
  assert.match(jobs.get('on-error')?.status?.logTail ?? '', /handled the failure/);
});

test('project secrets reach the job env but appear in no CR, pod spec or log', async () => {
  await cluster.apply(eventYaml('secret-1', 'pipeline', 'secret'));
  const build = await buildEnded(cluster, 'secret-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  const job = (await jobsOf(cluster, 'secret-1')).get('use-secret');
  assert.match(job?.status?.logTail ?? '', /upper=S3CR3T-VALUE-XYZ/, 'the job saw the secret value');
  assert.match(job?.status?.logTail ?? '', /token=\*\*\*/);
  assert.match(build.status.logTail ?? '', /the token is (\*\*\*|\[redacted\])/);
  const dumps = await Promise.all([
    cluster.kubectl('get', 'brigade', '-o', 'yaml'),
    cluster.kubectl('get', 'pods,jobs.batch,configmaps', '-o', 'yaml'),
    cluster.kubectl('describe', 'builds.brigade.sh,jobs.brigade.sh'),
    cluster.kubectl('get', 'events', '-o', 'yaml'),
  ]);
  dumps.forEach((dump, i) => {
    const at = dump.indexOf('s3cr3t-value-xyz');
    assert.equal(at, -1, `the secret value leaked in dump ${i}: ...${dump.slice(Math.max(0, at - 300), at + 50)}`);
  });
  assert.ok(dumps[1].includes('secretKeyRef'), 'the pod env references the job Secret');
  assert.ok(dumps[0].includes('visible'), 'plain env values stay inline');
});

test('a privileged job is refused when the project does not allow it, and the build fails', async () => {
  await cluster.apply(eventYaml('priv-1', 'pipeline', 'privileged'));
  const build = await buildEnded(cluster, 'priv-1');
  assert.equal(build.status?.phase, 'Failed');
  const job = (await jobsOf(cluster, 'priv-1')).get('root');
  assert.equal(job?.status?.phase, 'Failed');
  assert.equal(job.status.reason, 'PolicyViolation');
  assert.match(job.status.message ?? '', /allowPrivileged/);
  assert.equal(job.status.jobName, undefined, 'nothing was created');
});

test('events are rejected with a reason: no project, project not ready, no handler, script not allowed', async () => {
  await cluster.apply(
    projectYaml('broken', `const { events } = require('brigadier');\nevents.on('exec', () => {\n  let x = ;\n});`),
  );
  await waitFor('broken project not Ready', async () => {
    const p = await cluster.objects.get('Project', cluster.namespace, 'broken');
    const ready = p?.status?.conditions?.find((c) => c.type === 'Ready');
    return ready?.status === 'False' ? ready : undefined;
  }).then((ready) => {
    assert.equal(ready.reason, 'ScriptSyntaxError');
    assert.match(ready.message ?? '', /brigade\.js:3:\d+/);
  });
  await cluster.apply(
    [
      eventYaml('rej-noproject', 'nope', 'exec'),
      eventYaml('rej-notready', 'broken', 'exec'),
      eventYaml('rej-nohandler', 'pipeline', 'push'),
      eventYaml(
        'rej-script',
        'pipeline',
        'fail',
        `const { events } = require('brigadier');\nevents.on('fail', () => {});`,
      ),
    ].join('\n---\n'),
  );
  const expect: Record<string, string> = {
    'rej-noproject': 'ProjectNotFound',
    'rej-notready': 'ProjectNotReady',
    'rej-nohandler': 'NoHandler',
    'rej-script': 'EventScriptNotAllowed',
  };
  for (const [name, reason] of Object.entries(expect)) {
    const ev = await eventDecided(cluster, name);
    assert.equal(ev.status?.phase, 'Rejected', name);
    assert.equal(ev.status.reason, reason, name);
    assert.equal(await cluster.objects.get('Build', cluster.namespace, name), undefined, `${name} has no build`);
  }
});

test('spec.cancel stops the running job and ends the build Cancelled', async () => {
  await cluster.apply(eventYaml('cancel-1', 'pipeline', 'slow'));
  await waitFor('sleeper running', async () =>
    (await jobsOf(cluster, 'cancel-1')).get('sleeper')?.status?.phase === 'Running' ? true : undefined,
  );
  await cluster.kubectl('patch', 'builds.brigade.sh', 'cancel-1', '--type=merge', '-p', '{"spec":{"cancel":true}}');
  const build = await buildEnded(cluster, 'cancel-1', 20_000);
  assert.equal(build.status?.phase, 'Cancelled');
  const job = (await jobsOf(cluster, 'cancel-1')).get('sleeper');
  assert.equal(job?.status?.phase, 'Cancelled');
  await waitFor('child batch Job deleted', async () =>
    (await cluster.kubectl('get', 'jobs.batch', '-o', 'name')).includes(job.status?.jobName ?? '?') ? undefined : true,
  );
});

test('a build that runs past the project buildTimeoutSeconds ends TimedOut and its job is stopped', async () => {
  await cluster.apply(
    projectYaml(
      'short',
      `const { events, Job } = require('brigadier');
events.on('slow', async () => {
  await new Job('sleeper', 'alpine:3.20', ['sleep 30']).run();
});`,
      'policy: { buildTimeoutSeconds: 2 }',
    ),
  );
  await projectReady(cluster, 'short');
  await cluster.apply(eventYaml('timeout-1', 'short', 'slow'));
  const build = await buildEnded(cluster, 'timeout-1', 20_000);
  assert.equal(build.status?.phase, 'TimedOut');
  assert.equal(build.status.conditions?.find((c) => c.type === 'Succeeded')?.status, 'False');
  const job = (await jobsOf(cluster, 'timeout-1')).get('sleeper');
  assert.equal(job?.status?.phase, 'Cancelled');
  assert.equal(job.status.reason, 'BuildTimedOut');
});

test('a job that runs past its own timeout is TimedOut and fails the build', async () => {
  await cluster.apply(eventYaml('jobtimeout-1', 'pipeline', 'job-timeout'));
  const build = await buildEnded(cluster, 'jobtimeout-1', 30_000);
  assert.equal(build.status?.phase, 'Failed');
  const job = (await jobsOf(cluster, 'jobtimeout-1')).get('too-slow');
  assert.equal(job?.status?.phase, 'TimedOut');
  assert.equal(job.status.reason, 'DeadlineExceeded');
  assert.equal(job.spec.timeoutSeconds, 1);
});

test('a job no node can take stays Pending with reason Unschedulable, visible in kubectl describe', async () => {
  await cluster.apply(eventYaml('nowhere-1', 'pipeline', 'nowhere'));
  const job = await waitFor('unschedulable job', async () => {
    const j = (await jobsOf(cluster, 'nowhere-1')).get('unplaceable');
    return j?.status?.reason === 'Unschedulable' ? j : undefined;
  });
  assert.equal(job.status?.phase, 'Pending');
  assert.match(await cluster.kubectl('describe', 'jobs.brigade.sh', job.metadata.name ?? ''), /Unschedulable/);
  await cluster.kubectl('patch', 'builds.brigade.sh', 'nowhere-1', '--type=merge', '-p', '{"spec":{"cancel":true}}');
  assert.equal((await buildEnded(cluster, 'nowhere-1')).status?.phase, 'Cancelled');
});
