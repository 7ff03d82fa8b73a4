// What an installer runs: `kubectl apply -k config` and `helm install charts/brigade-operator` must
// render, agree with each other, and carry the CRDs generated from src/api.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { dump, load, loadAll } from 'js-yaml';
import { crdManifests } from '../src/api/crds.ts';
import { ROOT, runTool } from './helpers/tools.ts';

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  rules?: unknown[];
  spec?: Record<string, unknown>;
}

const byKind = (docs: Manifest[], kind: string): Manifest[] => docs.filter((d) => d.kind === kind);

async function render(tool: 'kubectl' | 'helm', args: string[]): Promise<Manifest[]> {
  const result = await runTool(tool, args);
  assert.equal(result.code, 0, result.stderr);
  return (loadAll(result.stdout) as Manifest[]).filter(Boolean);
}

test('the Helm chart copies of the CRDs and RBAC rules are current (npm run sync:chart)', async () => {
  await promisify(execFile)(process.execPath, ['scripts/sync-chart.mjs', '--check'], { cwd: ROOT });
});

test('kustomize config renders the CRDs, namespace, RBAC and a Deployment running `run --leader-elect`', async () => {
  const docs = await render('kubectl', ['kustomize', 'config']);
  const crdNames = byKind(docs, 'CustomResourceDefinition')
    .map((d) => d.metadata.name)
    .sort();
  assert.deepEqual(
    crdNames,
    crdManifests()
      .map((c) => c.metadata.name)
      .sort(),
  );
  assert.equal(byKind(docs, 'Namespace')[0]?.metadata.name, 'brigade-system');
  const deployment = byKind(docs, 'Deployment')[0];
  assert.equal(deployment.metadata.namespace, 'brigade-system');
  const container = (deployment.spec as { template: { spec: { containers: Array<{ args: string[] }> } } }).template.spec
    .containers[0];
  assert.deepEqual(container.args.slice(0, 2), ['run', '--leader-elect']);
  assert.equal(byKind(docs, 'ClusterRole').length, 1);
});

type PodSpec = {
  securityContext?: { runAsUser?: number; runAsNonRoot?: boolean };
  containers: Array<{
    args: string[];
    image: string;
    env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  }>;
};
const podSpec = (docs: Manifest[]): PodSpec =>
  (byKind(docs, 'Deployment')[0]?.spec as { template: { spec: PodSpec } }).template.spec;

test('in a pod both servers bind 0.0.0.0 by explicit flags (the process defaults to 127.0.0.1), as a numeric non-root user', async () => {
  const kustomized = podSpec(await render('kubectl', ['kustomize', 'config']));
  const chart = podSpec(await render('helm', ['template', 'brigade', 'charts/brigade-operator']));
  for (const spec of [kustomized, chart]) {
    const { args } = spec.containers[0];
    assert.ok(args.includes('--gateway-host=0.0.0.0'), args.join(' '));
    assert.ok(args.includes('--metrics-host=0.0.0.0'), args.join(' '));
    assert.equal(spec.securityContext?.runAsNonRoot, true);
    assert.equal(spec.securityContext.runAsUser, 1000);
  }
  const dockerfile = await readFile(join(ROOT, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^USER 1000:1000$/m, 'the image names its user by number, as runAsNonRoot needs');
});

test('the chart passes gateway limits that are set, and only those', async () => {
  const spec = podSpec(
    await render('helm', [
      'template',
      'brigade',
      'charts/brigade-operator',
      '--set',
      'gateway.limits.header-timeout=5s',
      '--set',
      'gateway.limits.max-connections=64',
    ]),
  );
  const limits = spec.containers[0].args.filter((a) => /^--gateway-(header|request|max|replay)/.test(a));
  assert.deepEqual(limits.sort(), ['--gateway-header-timeout=5s', '--gateway-max-connections=64']);
});

interface CachePod {
  containers: Array<{ args: string[]; volumeMounts?: Array<{ name: string; mountPath: string }> }>;
  volumes?: Array<{ name: string; emptyDir?: unknown; persistentVolumeClaim?: { claimName: string } }>;
}

/** The volume mounted where --package-cache points (the root filesystem is read-only). */
function packageCacheVolume(spec: CachePod): NonNullable<CachePod['volumes']>[number] {
  const [container] = spec.containers;
  const dir = container.args.find((a) => a.startsWith('--package-cache='))?.slice('--package-cache='.length);
  assert.ok(dir, `no --package-cache in ${container.args.join(' ')}`);
  const mount = container.volumeMounts?.find((m) => m.mountPath === dir);
  assert.ok(mount, `nothing is mounted at ${dir}`);
  const volume = spec.volumes?.find((v) => v.name === mount.name);
  assert.ok(volume, `no volume ${mount.name}`);
  return volume;
}

test('kustomize and the chart keep npm packages in a mounted package cache; the chart takes a PVC and a registry', async () => {
  const kustomized = podSpec(await render('kubectl', ['kustomize', 'config'])) as unknown as CachePod;
  const chart = podSpec(
    await render('helm', ['template', 'brigade', 'charts/brigade-operator']),
  ) as unknown as CachePod;
  for (const spec of [kustomized, chart]) assert.ok(packageCacheVolume(spec).emptyDir, 'an emptyDir by default');
  assert.equal(chart.containers[0].args.filter((a) => a.startsWith('--npm-registry')).length, 0);
  const custom = podSpec(
    await render('helm', [
      'template',
      'brigade',
      'charts/brigade-operator',
      '--set',
      'packages.cache.persistentVolumeClaim=npm-cache',
      '--set',
      'packages.registry=https://npm.example.internal/',
    ]),
  ) as unknown as CachePod;
  assert.deepEqual(packageCacheVolume(custom).persistentVolumeClaim, { claimName: 'npm-cache' });
  assert.ok(custom.containers[0].args.includes('--npm-registry=https://npm.example.internal/'));
});

test('the log archive is off by default; when on, its connection string comes from a Secret, never a flag', async () => {
  const plain = podSpec(await render('helm', ['template', 'brigade', 'charts/brigade-operator'])).containers[0];
  assert.ok(!plain.args.some((a) => a.startsWith('--log-archive') || a.startsWith('--max-job-log-bytes')));
  const archiveEnv = {
    name: 'AZURE_STORAGE_CONNECTION_STRING',
    valueFrom: { secretKeyRef: { name: 'job-log-storage', key: 'connectionString' } },
  };
  const chart = podSpec(
    await render('helm', [
      'template',
      'brigade',
      'charts/brigade-operator',
      '--set',
      'jobLogs.maxBytes=1048576',
      '--set',
      'jobLogs.archive.enabled=true',
      '--set',
      'jobLogs.archive.container=team-logs',
      '--set',
      'jobLogs.archive.connectionStringSecret.name=job-log-storage',
    ]),
  ).containers[0];
  assert.deepEqual(
    chart.args.filter((a) => /^--(log-archive|max-job-log-bytes)/.test(a)),
    ['--max-job-log-bytes=1048576', '--log-archive=azure-blob', '--log-archive-container=team-logs'],
  );
  assert.deepEqual(
    chart.env?.find((e) => e.name === archiveEnv.name),
    archiveEnv,
  );
  const noSecret = await runTool('helm', [
    'template',
    'brigade',
    'charts/brigade-operator',
    '--set',
    'jobLogs.archive.enabled=true',
  ]);
  assert.notEqual(noSecret.code, 0);
  assert.match(noSecret.stderr, /jobLogs\.archive\.connectionStringSecret\.name/);

  // kustomize: the log-archive component, added to an installation's kustomization.
  const dir = await mkdtemp(join(tmpdir(), 'kustomize-'));
  const root = relative(dir, ROOT);
  await writeFile(
    join(dir, 'kustomization.yaml'),
    `resources: [${root}/config]\ncomponents: [${root}/config/components/log-archive]\n`,
  );
  const kustomized = podSpec(await render('kubectl', ['kustomize', dir])).containers[0];
  assert.ok(kustomized.args.includes('--log-archive=azure-blob'), kustomized.args.join(' '));
  assert.deepEqual(
    kustomized.env?.find((e) => e.name === archiveEnv.name),
    { ...archiveEnv, valueFrom: { secretKeyRef: { name: 'brigade-log-archive', key: 'connectionString' } } },
  );
});

test('helm lint passes and helm template renders the same ClusterRole rules and CRDs as kustomize', async () => {
  const lint = await runTool('helm', ['lint', 'charts/brigade-operator']);
  assert.equal(lint.code, 0, lint.stdout + lint.stderr);
  const chart = await render('helm', [
    'template',
    'brigade',
    'charts/brigade-operator',
    '--namespace',
    'brigade-system',
    '--include-crds',
  ]);
  const kustomized = await render('kubectl', ['kustomize', 'config']);
  assert.deepEqual(byKind(chart, 'ClusterRole')[0]?.rules, byKind(kustomized, 'ClusterRole')[0]?.rules);
  const spec = (docs: Manifest[]): unknown =>
    byKind(docs, 'CustomResourceDefinition')
      .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
      .map((d) => d.spec);
  assert.deepEqual(spec(chart), spec(kustomized));
});

test('helm template without the gateway renders no gateway Service and no gateway port', async () => {
  const chart = await render('helm', [
    'template',
    'brigade',
    'charts/brigade-operator',
    '--set',
    'gateway.enabled=false',
  ]);
  assert.ok(!byKind(chart, 'Service').some((s) => s.metadata.name.endsWith('-gateway')));
  assert.doesNotMatch(JSON.stringify(byKind(chart, 'Deployment')), /gateway-port/);
});

interface Workflow {
  on: { push: { tags: string[] } };
  env: { IMAGE: string };
  jobs: Record<string, { steps: Array<{ uses?: string; run?: string; with?: Record<string, unknown> }> }>;
}

async function chartDefaults(): Promise<{ repository: string; appVersion: string }> {
  const values = load(await readFile(join(ROOT, 'charts/brigade-operator/values.yaml'), 'utf8')) as {
    image: { repository: string };
  };
  const chart = load(await readFile(join(ROOT, 'charts/brigade-operator/Chart.yaml'), 'utf8')) as {
    appVersion: string;
  };
  return { repository: values.image.repository, appVersion: chart.appVersion };
}

test('the release workflow builds amd64 and arm64 on a version tag and pushes to the image the chart names', async () => {
  const workflow = load(await readFile(join(ROOT, '.github/workflows/release.yml'), 'utf8')) as Workflow;
  const { repository } = await chartDefaults();
  assert.deepEqual(workflow.on.push.tags, ['v*']);
  assert.equal(workflow.env.IMAGE, repository);
  const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
  const uses = steps.map((s) => s.uses?.split('@')[0]);
  for (const action of ['docker/setup-qemu-action', 'docker/setup-buildx-action', 'docker/login-action'])
    assert.ok(uses.includes(action), action);
  const build = steps.find((s) => s.uses?.startsWith('docker/build-push-action@'));
  assert.equal(build?.with?.push, true);
  assert.deepEqual(String(build.with.platforms).split(','), ['linux/amd64', 'linux/arm64']);
  assert.match(String(build.with.tags), /^\$\{\{ env\.IMAGE \}\}:\$\{\{ steps\.version\.outputs\.version \}\}$/);
  const versionStep = steps.find((s) => s.run?.includes('GITHUB_OUTPUT'));
  assert.match(versionStep?.run ?? '', /Chart\.yaml/, 'the tag is checked against the chart appVersion');
});

test('make image builds the chart default image at the package version; without a builder it says what is needed', async () => {
  const { repository, appVersion } = await chartDefaults();
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  assert.equal(pkg.version, appVersion, 'the chart appVersion follows package.json');
  const kustomized = podSpec(await render('kubectl', ['kustomize', 'config']));
  assert.equal(kustomized.containers[0].image, `${repository}:${appVersion}`, 'kustomize installs the same image');
  const run = promisify(execFile);
  const dry = await run('make', ['-n', 'image', 'BUILDER=/usr/bin/podman'], { cwd: ROOT });
  assert.match(dry.stdout, new RegExp(`^/usr/bin/podman build -t ${repository}:${appVersion} \\.$`, 'm'));
  const buildah = await run('make', ['-n', 'image', 'BUILDER=/usr/bin/buildah'], { cwd: ROOT });
  assert.match(buildah.stdout, /buildah bud -t /);
  await assert.rejects(run('make', ['image', 'BUILDER='], { cwd: ROOT }), (err: { stderr: string }) => {
    assert.match(err.stderr, /no image builder found: install docker, podman or buildah/);
    assert.match(err.stderr, /make image-store/);
    return true;
  });
});

test("Brigade 1's chart values (the walkthroughs' --set genericGateway..., cr...) are refused saying what to set instead", async () => {
  for (const values of [
    'genericGateway.enabled=true,genericGateway.service.type=LoadBalancer',
    'cr.enabled=true,cr.service.type=LoadBalancer',
  ]) {
    const r = await runTool('helm', ['template', 'brigade', 'charts/brigade-operator', '--set', values]);
    assert.notEqual(r.code, 0, values);
    assert.match(
      r.stderr,
      /unknown value "(genericGateway|cr)": .*set its Service with gateway\.service\.type/,
      values,
    );
  }
});

test('the dashboard is off by default; the chart value and the kustomize component turn it on alike, bound to 127.0.0.1', async () => {
  const dashboardArgs = (docs: Manifest[]): string[] =>
    podSpec(docs).containers[0].args.filter((a) => a.startsWith('--dashboard-'));
  const dashboardRole = (docs: Manifest[]): unknown[] | undefined =>
    byKind(docs, 'ClusterRole').find((r) => r.metadata.name.endsWith('-dashboard'))?.rules;
  assert.deepEqual(dashboardArgs(await render('kubectl', ['kustomize', 'config'])), []);
  assert.deepEqual(dashboardArgs(await render('helm', ['template', 'brigade', 'charts/brigade-operator'])), []);

  // The component is meant for an overlay of the user's own; kustomize wants relative paths to it.
  const overlay = await mkdtemp(join(tmpdir(), 'brigade-overlay-'));
  try {
    await writeFile(
      join(overlay, 'kustomization.yaml'),
      dump({
        apiVersion: 'kustomize.config.k8s.io/v1beta1',
        kind: 'Kustomization',
        resources: [relative(overlay, join(ROOT, 'config'))],
        components: [relative(overlay, join(ROOT, 'config', 'dashboard'))],
      }),
    );
    const kustomized = await render('kubectl', ['kustomize', overlay]);
    const chart = await render('helm', [
      'template',
      'brigade',
      'charts/brigade-operator',
      '--set',
      'dashboard.enabled=true',
    ]);
    assert.deepEqual(dashboardArgs(kustomized), ['--dashboard-port=8081', '--dashboard-host=127.0.0.1']);
    assert.deepEqual(dashboardArgs(chart), dashboardArgs(kustomized));
    assert.deepEqual(dashboardRole(chart), [{ apiGroups: [''], resources: ['nodes'], verbs: ['list', 'watch'] }]);
    assert.deepEqual(dashboardRole(chart), dashboardRole(kustomized));
  } finally {
    await rm(overlay, { recursive: true, force: true });
  }

  const withActions = await render('helm', [
    'template',
    'brigade',
    'charts/brigade-operator',
    '--set',
    'dashboard.enabled=true',
    '--set',
    'dashboard.actions.enabled=true',
  ]);
  assert.deepEqual(dashboardArgs(withActions).slice(2), [
    '--dashboard-actions',
    '--dashboard-user-header=X-Forwarded-User',
    '--dashboard-groups-header=X-Forwarded-Groups',
  ]);
  assert.deepEqual(dashboardRole(withActions)?.[1], {
    apiGroups: ['authorization.k8s.io'],
    resources: ['subjectaccessreviews'],
    verbs: ['create'],
  });
});
