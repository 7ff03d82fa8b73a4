// npm dependencies of brigade.js end to end: declared in brigade.json beside the script (as in
// Brigade 1) and in spec.dependencies, resolved by the operator from a registry (here a local one
// serving real tarballs), recorded as a lock in the Project's status, copied into each Build, and
// required by the script; a package that cannot run in the sandbox makes the Project not Ready.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startFakeRegistry, type FakeRegistry } from '../helpers/fake-npm-registry.ts';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventYaml, jobsOf, projectReady } from './manifests.ts';

let cluster: Cluster;
let operator: OperatorHandle;
let registry: FakeRegistry;

before(async () => {
  registry = await startFakeRegistry([
    {
      name: '@acme/ci-jobs',
      version: '1.4.2',
      main: 'lib/index.js',
      dependencies: { '@brigadecore/brigadier': '^0.9.0', 'shout-it': '^2.0.0' },
      files: {
        'lib/index.js': `
const { Job } = require('@brigadecore/brigadier');
const shout = require('shout-it');
class EchoJob extends Job {
  constructor(name, text) { super(name, 'alpine:3.20', ['echo "$TEXT"']); this.env = { TEXT: shout(text) }; }
}
exports.EchoJob = EchoJob;`,
      },
    },
    {
      name: 'shout-it',
      version: '2.1.0',
      files: { 'index.js': 'module.exports = (s) => String(s).toUpperCase() + "!";' },
    },
    { name: 'shout-it', version: '3.0.0', files: { 'index.js': 'module.exports = () => "wrong major";' } },
    { name: 'native-thing', version: '1.0.0', files: { 'index.js': '', 'binding.gyp': '{}' } },
  ]);
  cluster = await startCluster();
  operator = await runOperator(cluster, { packages: { registryURL: registry.url } });
  await cluster.apply(`
apiVersion: v1
kind: ConfigMap
metadata: { name: deps-scripts }
data:
  brigade.js: |
    const { events } = require('brigadier');
    const { EchoJob } = require('@acme/ci-jobs');
    const shout = require('shout-it');
    events.on('exec', async () => {
      console.log(shout('direct'));
      await new EchoJob('echo', 'from a package').run();
    });
  brigade.json: |
    { "dependencies": { "@acme/ci-jobs": "^1.0.0" } }
---
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: deps }
spec:
  dependencies: { shout-it: "3.0.0" }
  scriptFrom:
    configMap: { name: deps-scripts }
`);
});

after(async () => {
  await operator.stop();
  await cluster.stop();
  await registry.close();
});

test('brigade.json and spec.dependencies are resolved to a lock, copied into the Build, and required by the script', async () => {
  await projectReady(cluster, 'deps');
  const project = await cluster.objects.get('Project', cluster.namespace, 'deps');
  const lock = project?.status?.dependencies;
  assert.deepEqual(lock?.roots, { '@acme/ci-jobs': '@acme/ci-jobs@1.4.2', 'shout-it': 'shout-it@3.0.0' });
  assert.deepEqual(
    lock.packages.map((p) => [`${p.name}@${p.version}`, p.dependencies ?? {}]),
    [
      ['@acme/ci-jobs@1.4.2', { 'shout-it': 'shout-it@2.1.0' }],
      ['shout-it@2.1.0', {}],
      ['shout-it@3.0.0', {}],
    ],
  );
  const fetchedBefore = registry.requests.length;
  await cluster.apply(eventYaml('deps-1', 'deps', 'exec'));
  const build = await buildEnded(cluster, 'deps-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.deepEqual(build.spec.dependencies, lock);
  assert.match(build.status.logTail ?? '', /wrong major/, 'brigade.js sees the version spec.dependencies asked for');
  const echo = (await jobsOf(cluster, 'deps-1')).get('echo');
  assert.deepEqual(echo?.spec.env, [{ name: 'TEXT', value: 'FROM A PACKAGE!' }], 'the package sees its own version');
  assert.equal(registry.requests.length, fetchedBefore, 'a build loads the packages from the store, not the registry');
  assert.ok(!registry.requests.some((r) => r.includes('brigadier')), 'brigadier is never fetched');
});

test('a package that needs native code makes the Project not Ready, with the reason in the condition and an Event', async () => {
  await cluster.apply(`
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: deps-native }
spec:
  dependencies: { native-thing: "^1.0.0" }
  script: |
    const { events } = require('brigadier');
    events.on('exec', () => require('native-thing'));
`);
  const ready = await waitFor('deps-native to be refused', async () => {
    const p = await cluster.objects.get('Project', cluster.namespace, 'deps-native');
    const c = p?.status?.conditions?.find((x) => x.type === 'Ready');
    return c?.status === 'False' && c.reason === 'DependenciesRefused' ? c : undefined;
  });
  assert.match(ready.message ?? '', /native-thing@1\.0\.0 needs native code \(binding\.gyp\)/);
  const described = await cluster.kubectl('describe', 'project', 'deps-native', '-n', cluster.namespace);
  assert.match(described, /DependenciesRefused/);
});
