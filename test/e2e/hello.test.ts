import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Build, BrigadeEvent, JobCR } from '../../src/api/types.ts';
import { startCluster, runOperator, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';

let cluster: Cluster;
let operator: OperatorHandle;

before(async () => {
  cluster = await startCluster();
  operator = await runOperator(cluster);
});

after(async () => {
  await operator?.stop();
  await cluster?.stop();
});

const helloProject = (name: string, script: string, extra = ''): string => `
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: ${name}, namespace: default }
spec:
  jobDefaults: { image: alpine:3.20 }
${extra}
  script: |
${script.split('\n').map((l) => `    ${l}`).join('\n')}
`;

const event = (name: string, project: string, type: string): string => `
apiVersion: brigade.sh/v1alpha1
kind: Event
metadata: { name: ${name}, namespace: default }
spec: { project: ${project}, type: ${type} }
`;

async function projectReady(name: string): Promise<void> {
  await waitFor(`project ${name} Ready`, async () => {
    const p = await cluster.objects.get('Project', 'default', name);
    return p?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'True') ? true : undefined;
  });
}

async function buildEnded(name: string): Promise<Build> {
  return waitFor(`build ${name} to end`, async () => {
    const b = await cluster.objects.get('Build', 'default', name);
    return b?.status?.phase && !['Pending', 'Running'].includes(b.status.phase) ? b : undefined;
  }, 60_000);
}

test('a hello project and event give a Succeeded build whose job logged hello, on node-1 or the virtual node as placed', async () => {
  await cluster.apply(helloProject('hello', `const { events, Job } = require('brigadier');
events.on('exec', async () => {
  await new Job('hello', 'alpine:3.20', ['echo hello']).run();
  const v = new Job('virtual', 'alpine:3.20', ['echo hello from aci']);
  v.host.name = 'virtual-kubelet';
  await v.run();
});`));
  await projectReady('hello');
  await cluster.apply(event('hello-1', 'hello', 'exec'));
  const build = await buildEnded('hello-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.equal(build.status?.jobsSummary, '2/2');
  const jobs = await cluster.objects.list('Job', 'default', { labelSelector: 'brigade.sh/build=hello-1' });
  const byName = new Map(jobs.map((j: JobCR) => [j.spec.name, j]));
  assert.equal(byName.get('hello')?.status?.phase, 'Succeeded');
  assert.match(byName.get('hello')?.status?.logTail ?? '', /hello/);
  assert.equal(byName.get('hello')?.status?.nodeName, 'node-1');
  assert.equal(byName.get('virtual')?.status?.nodeName, 'virtual-kubelet');
  const ev = (await cluster.objects.get('Event', 'default', 'hello-1')) as BrigadeEvent;
  assert.equal(ev.status?.phase, 'Accepted');
  assert.equal(ev.status?.build, 'hello-1');
  const wait = await cluster.kubectl('wait', '--for=condition=Succeeded', 'builds.brigade.sh/hello-1', '--timeout=10s');
  assert.match(wait, /condition met/);
});
