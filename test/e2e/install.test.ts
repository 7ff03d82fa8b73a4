// What an installer does on a real cluster: the kustomize config is accepted by the API server as
// written (server-side dry run: a second operator would fight the tests' own), the Helm chart installs,
// its Deployment runs the operator image in the cluster (in-cluster config, service-account token,
// probes answering), a Project and an Event applied afterwards end in a Succeeded Build whose job ran
// on the virtual-kubelet node, and helm upgrade and uninstall work. The simulator runs no Deployments,
// so this file needs the real ground.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startFakeRegistry, type FakeRegistry } from '../helpers/fake-npm-registry.ts';
import { ROOT, runTool } from '../helpers/tools.ts';
import { groundKind } from '../ground/ground.ts';
import { startCluster, waitFor, type Cluster } from './harness.ts';
import { buildEnded, eventYaml, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster;
let registry: FakeRegistry | undefined;
const onCluster = groundKind() === 'cluster';
const skip = onCluster
  ? false
  : 'needs the real ground (BRIGADE_TEST_GROUND=cluster): the simulator runs no Deployments';

before(async () => {
  if (!onCluster) return;
  cluster = await startCluster();
  // The installed operator resolves npm packages from here (host network: loopback is shared).
  registry = await startFakeRegistry([
    { name: 'shout-it', version: '2.1.0', files: { 'index.js': 'module.exports = (s) => String(s).toUpperCase();' } },
  ]);
});
after(async () => {
  await registry?.close();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
});

async function helm(...args: string[]): Promise<string> {
  const r = await runTool('helm', ['--kubeconfig', cluster.kubeconfig, ...args], { timeoutMs: 300_000 });
  assert.equal(r.code, 0, `helm ${args.join(' ')}: ${r.stderr}${r.stdout}`);
  return r.stdout;
}

test('kubectl apply -k config is accepted by the real API server as written', { skip }, async () => {
  const out = await cluster.kubectl('apply', '-k', join(ROOT, 'config'), '--dry-run=server');
  assert.match(out, /deployment.apps\/brigade-operator .*\(server dry run\)/);
  assert.match(out, /clusterrole.rbac.authorization.k8s.io\/brigade-operator .*\(server dry run\)/);
});

test(
  'the Helm chart installs, runs the operator image in the cluster, builds on virtual-kubelet, upgrades and uninstalls',
  { skip },
  async () => {
    const release = `op-${cluster.namespace}`;
    const ns = cluster.namespace;
    // One replica: pods share the host's network here, so a second one could not bind the same ports
    // (docs/real-cluster.md); leader election between replicas is covered in operations.test.ts.
    await helm(
      'install',
      release,
      join(ROOT, 'charts', 'brigade-operator'),
      '-n',
      ns,
      '--set',
      'replicaCount=1',
      '--set',
      `packages.registry=${registry?.url ?? ''}`,
      '--wait',
      '--timeout',
      '240s',
    );
    try {
      const pod = await waitFor(
        'the operator pod Running',
        async () => {
          const out = await cluster.kubectl('get', 'pods', '-l', `app.kubernetes.io/instance=${release}`, '-o', 'json');
          const pods = (
            JSON.parse(out) as {
              items: Array<{ metadata: { name: string }; status: { phase?: string; hostIP?: string } }>;
            }
          ).items;
          return pods.find((p) => p.status.phase === 'Running');
        },
        120_000,
      );
      // The probes' endpoints answer from inside the container (host network: the pod's port is the host's).
      const ready = await waitFor(
        '/readyz of the operator pod',
        async () => {
          const res = await fetch('http://127.0.0.1:9090/readyz').catch(() => undefined);
          return res?.status === 200 ? res : undefined;
        },
        60_000,
      );
      assert.equal(ready.status, 200);

      await cluster.apply(
        projectYaml(
          'installed',
          `const { events, Job } = require('brigadier');
// An npm package: resolved by the installed operator and kept in its package-cache volume (the
// root filesystem is read-only).
const shout = require('shout-it');
events.on('exec', async () => {
  const j = new Job('on-aci', 'alpine:3.4', ['echo ' + shout('hello') + ' from the installed operator']);
  j.host.name = 'virtual-kubelet';
  await j.run();
});`,
          'dependencies: { shout-it: "^2.0.0" }',
        ),
      );
      await projectReady(cluster, 'installed');
      await cluster.apply(eventYaml('installed-1', 'installed', 'exec'));
      const build = await buildEnded(cluster, 'installed-1', 120_000);
      assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
      const job = (await jobsOf(cluster, 'installed-1')).get('on-aci');
      assert.equal(job?.status?.nodeName, 'virtual-kubelet');
      assert.match(job.status.logTail ?? '', /HELLO from the installed operator/);
      const logs = await cluster.kubectl('logs', pod.metadata.name);
      assert.match(logs, /installed-1/, 'the operator logged the build');

      await helm(
        'upgrade',
        release,
        join(ROOT, 'charts', 'brigade-operator'),
        '-n',
        ns,
        '--set',
        'replicaCount=1',
        '--set',
        'logLevel=debug',
        '--wait',
        '--timeout',
        '240s',
      );
      const args = await cluster.kubectl(
        'get',
        'deployment',
        release,
        '-o',
        'jsonpath={.spec.template.spec.containers[0].args}',
      );
      assert.match(args, /--log-level=debug/);
    } finally {
      await helm('uninstall', release, '-n', ns, '--wait', '--timeout', '120s');
    }
    await waitFor(
      'the operator pods gone',
      async () => {
        const out = await cluster.kubectl('get', 'pods', '-l', `app.kubernetes.io/instance=${release}`, '-o', 'name');
        return out.trim() === '' ? true : undefined;
      },
      120_000,
    );
  },
);
