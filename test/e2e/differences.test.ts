// docs/scripting.md "Deliberate defaults, and the Project setting that restores Brigade 1's
// behaviour", row by row: the same Brigade 1 script under a default Project is refused with a
// message naming the field, and under a Project with that field set gets what Brigade 1 gave it.
// (The rows on secrets, service accounts and claims of other projects: project-access.test.ts;
// event scripts: pipeline.test.ts; npm packages: dependencies.test.ts; unhandled events:
// brigade1-compat.test.ts.) On both grounds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1PodSpec } from '@kubernetes/client-node';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventYaml, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster;
let operator: OperatorHandle;

const SCRIPT = `const { events, Job } = require('brigadier');
events.on('privileged', () => { const j = new Job('priv', 'alpine:3.20', ['echo privileged']); j.privileged = true; return j.run(); });
events.on('host-mount', () => {
  const j = new Job('hostmount', 'alpine:3.20', ['echo mounted']);
  j.volumes = [{ name: 'host-tmp', hostPath: { path: '/tmp' } }];
  j.volumeMounts = [{ name: 'host-tmp', mountPath: '/host-tmp' }];
  return j.run();
});
events.on('docker', () => {
  const j = new Job('dind', 'alpine:3.20', ['sleep 120']);
  j.docker.enabled = true;
  // The node may have no docker socket: the test looks at what the pod asks for, then cancels (where
  // the pod does start, as on the simulator, it must still be running then).
  return j.run();
});
events.on('storage', () => { const j = new Job('store', 'alpine:3.20', ['echo stored']); j.storage.enabled = true; return j.run(); });
events.on('token', () => new Job('token', 'alpine:3.20', ['echo token']).run());`;

/** Every setting of the table that restores Brigade 1's behaviour. */
const BRIGADE1_SETTINGS = `policy:
  allowPrivileged: true
  allowHostMounts: true
  allowDockerSocket: true
  allowServiceAccountToken: true
storage: { enabled: true }`;

before(async () => {
  cluster = await startCluster();
  operator = await runOperator(cluster);
  await cluster.apply(projectYaml('strict', SCRIPT));
  await cluster.apply(projectYaml('like-brigade1', SCRIPT, BRIGADE1_SETTINGS));
  await projectReady(cluster, 'strict');
  await projectReady(cluster, 'like-brigade1');
});

after(async () => {
  await operator.stop();
  await cluster.stop();
});

async function podOf(build: string, job: string): Promise<V1PodSpec> {
  const cr = (await jobsOf(cluster, build)).get(job);
  assert.ok(cr, `job ${job} of build ${build}`);
  const child = await cluster.clients.batch.readNamespacedJob({
    namespace: cluster.namespace,
    name: cr.metadata.name ?? '',
  });
  const spec = child.spec?.template.spec;
  assert.ok(spec, `the pod spec of ${cr.metadata.name ?? ''}`);
  return spec;
}

async function refused(type: string, job: string, field: RegExp): Promise<void> {
  const name = `strict-${type}`;
  await cluster.apply(eventYaml(name, 'strict', type));
  const build = await buildEnded(cluster, name, 120_000);
  assert.equal(build.status?.phase, 'Failed', JSON.stringify(build.status));
  const cr = (await jobsOf(cluster, name)).get(job);
  assert.equal(cr?.status?.reason, 'PolicyViolation', JSON.stringify(cr?.status));
  assert.match(cr.status.message ?? '', field);
}

async function allowed(type: string): Promise<{ name: string; phase: string | undefined }> {
  const name = `brigade1-${type}`;
  await cluster.apply(eventYaml(name, 'like-brigade1', type));
  const build = await buildEnded(cluster, name, 120_000);
  return { name, phase: build.status?.phase };
}

test('privileged jobs: refused by default, naming allowPrivileged; with it the container is privileged', async () => {
  await refused('privileged', 'priv', /spec\.policy\.allowPrivileged/);
  const { name, phase } = await allowed('privileged');
  assert.equal(phase, 'Succeeded');
  assert.equal((await podOf(name, 'priv')).containers[0].securityContext?.privileged, true);
});

test('hostPath volumes: refused by default, naming allowHostMounts; with it the volume is mounted', async () => {
  await refused('host-mount', 'hostmount', /spec\.policy\.allowHostMounts/);
  const { name, phase } = await allowed('host-mount');
  assert.equal(phase, 'Succeeded');
  const pod = await podOf(name, 'hostmount');
  assert.equal(pod.volumes?.find((v) => v.name === 'host-tmp')?.hostPath?.path, '/tmp');
});

test("docker.enabled: refused by default, naming allowDockerSocket; with it the node's docker socket is mounted", async () => {
  await refused('docker', 'dind', /spec\.policy\.allowDockerSocket/);
  // A node without a docker socket never starts that pod: look at what it asks for, then cancel.
  await cluster.apply(eventYaml('brigade1-docker', 'like-brigade1', 'docker'));
  const pod = await waitFor('the docker job child', async () => {
    const cr = (await jobsOf(cluster, 'brigade1-docker')).get('dind');
    return cr?.status?.phase && cr.status.reason !== 'PolicyViolation' ? podOf('brigade1-docker', 'dind') : undefined;
  });
  assert.ok(
    pod.volumes?.some((v) => v.hostPath?.path === '/var/run/docker.sock'),
    JSON.stringify(pod.volumes),
  );
  await cluster.objects.patch('Build', cluster.namespace, 'brigade1-docker', { spec: { cancel: true } });
  assert.equal((await buildEnded(cluster, 'brigade1-docker')).status?.phase, 'Cancelled');
});

test('build storage: refused by default, naming spec.storage.enabled; with it the job mounts the build PVC', async () => {
  await refused('storage', 'store', /spec\.storage\.enabled/);
  const { name, phase } = await allowed('storage');
  assert.equal(phase, 'Succeeded');
  const pod = await podOf(name, 'store');
  const claim = pod.volumes?.find((v) => v.persistentVolumeClaim)?.persistentVolumeClaim?.claimName;
  assert.ok(claim, JSON.stringify(pod.volumes));
  const mount = pod.containers[0].volumeMounts?.find((m) => m.mountPath === '/mnt/brigade/share');
  assert.ok(mount, JSON.stringify(pod.containers[0].volumeMounts));
});

test('service account tokens: none by default; allowServiceAccountToken gives the pod its token, as Brigade 1 jobs had', async () => {
  await cluster.apply(eventYaml('strict-token', 'strict', 'token'));
  const strict = await buildEnded(cluster, 'strict-token', 120_000);
  assert.equal(strict.status?.phase, 'Succeeded');
  assert.equal((await podOf('strict-token', 'token')).automountServiceAccountToken, false);
  const { name, phase } = await allowed('token');
  assert.equal(phase, 'Succeeded');
  assert.equal((await podOf(name, 'token')).automountServiceAccountToken, true);
});

test('a require the sandbox refuses makes the Project not Ready, saying why; there is no setting (the sandbox is the boundary)', async () => {
  await cluster.apply(
    projectYaml('wants-fs', "const fs = require('fs');\nrequire('brigadier').events.on('exec', () => {});"),
  );
  const project = await waitFor('project wants-fs inspected', async () => {
    const p = await cluster.objects.get('Project', cluster.namespace, 'wants-fs');
    return p?.status?.conditions?.find((c) => c.type === 'Ready' && c.status === 'False') ? p : undefined;
  });
  const ready = project.status?.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.reason, 'ScriptModuleRefused');
  assert.match(ready.message ?? '', /fs/);
});
