// The script from the repository, as in Brigade 1: a Project with repo.cloneURL and no script of its
// own runs the brigade.js (with brigade.json and the files it requires) of each event's revision.
// A fetch job clones the revision (git really runs, against a repository served on loopback) and
// the Build records what it read, once. On both grounds.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { startFakeRegistry, type FakeRegistry } from '../helpers/fake-npm-registry.ts';
import { serveGitRepo, type GitHttpRepo } from '../helpers/git-http-server.ts';
import { runOperator, startCluster, waitFor } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventYaml, jobsOf, projectReady } from './manifests.ts';

let cluster: Cluster;
let operator: OperatorHandle;
let registry: FakeRegistry;
let repo: GitHttpRepo;
const commits: Record<string, string> = {};

const script = (version: string): string => `
const { events, Job } = require('brigadier');
const { greeting } = require('./lib/greet');
const shout = require('shout-it');
events.on('push', async (e) => {
  console.log('script ${version} at ' + e.revision.commit);
  const job = new Job('hello', 'alpine:3.20', ['echo "$GREETING"']);
  job.env = { GREETING: shout(greeting) };
  job.useSource = false;
  const result = await job.run();
  console.log('job said ' + result.toString().trim());
});
`;

before(async () => {
  registry = await startFakeRegistry([
    {
      name: 'shout-it',
      version: '2.1.0',
      files: { 'index.js': 'module.exports = (s) => String(s).toUpperCase() + "!";' },
    },
  ]);
  repo = await serveGitRepo();
  commits.first = repo.commit(
    {
      'brigade.js': script('v1'),
      'brigade.json': '{ "dependencies": { "shout-it": "^2.0.0" } }',
      'lib/greet.js': "exports.greeting = 'hello from lib';",
      'README.md': 'not part of the script',
    },
    'first',
  );
  commits.second = repo.commit({ 'brigade.js': script('v2') }, 'second');
  cluster = await startCluster();
  operator = await runOperator(cluster, { packages: { registryURL: registry.url } });
  await cluster.apply(`
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: from-repo }
spec:
  repo: { name: example/app, cloneURL: "${repo.url}" }
`);
});

after(async () => {
  await operator.stop();
  await cluster.stop();
  await repo.close();
  await registry.close();
});

function pushEvent(name: string, revision: { commit?: string; ref?: string }, type = 'push'): string {
  const fields = Object.entries(revision)
    .map(([k, v]) => `${k}: "${v}"`)
    .join(', ');
  return `
apiVersion: brigade.sh/v1alpha1
kind: Event
metadata: { name: ${name} }
spec:
  project: from-repo
  type: ${type}
  provider: github
  revision: { ${fields} }
`;
}

async function run(name: string, revision: { commit?: string; ref?: string }, type = 'push') {
  await cluster.apply(pushEvent(name, revision, type));
  return buildEnded(cluster, name, 180_000);
}

test('a project with a repository and no script is Ready to run the repository brigade.js; handlers are not known yet', async () => {
  const project = await waitFor('project from-repo reconciled', async () => {
    const p = await cluster.objects.get('Project', cluster.namespace, 'from-repo');
    return p?.status?.conditions?.find((c) => c.type === 'Ready') ? p : undefined;
  });
  const ready = project.status?.conditions?.find((c) => c.type === 'Ready');
  assert.equal(ready?.status, 'True', JSON.stringify(ready));
  assert.equal(ready.reason, 'ScriptFromRepository');
  assert.deepEqual(project.status?.handlers, []);
});

test("a push runs the brigade.js of its commit, with the files it requires and its brigade.json's packages", async () => {
  const first = await run('push-first', { commit: commits.first, ref: 'refs/heads/main' });
  assert.equal(first.status?.phase, 'Succeeded', JSON.stringify(first.status));
  assert.match(first.status.logTail ?? '', new RegExp(`script v1 at ${commits.first}`));
  assert.match(first.status.logTail ?? '', /job said HELLO FROM LIB!/);
  assert.equal(first.spec.scriptOrigin, 'repository');
  assert.equal(first.spec.scriptCommit, commits.first);
  assert.match(first.spec.script ?? '', /script v1/);
  assert.deepEqual(Object.keys(first.spec.files ?? {}).sort(), ['brigade.json', 'lib/greet.js']);
  assert.deepEqual(first.spec.dependencies?.roots, { 'shout-it': 'shout-it@2.1.0' });
  assert.equal((await jobsOf(cluster, 'push-first')).get('hello')?.status?.phase, 'Succeeded');

  const second = await run('push-second', { commit: commits.second });
  assert.equal(second.status?.phase, 'Succeeded', JSON.stringify(second.status));
  assert.match(second.status.logTail ?? '', /script v2/);
  assert.equal(second.spec.scriptCommit, commits.second);
});

test('an event with a ref and no commit runs the script at the tip of that ref', async () => {
  repo.git('branch', 'old', commits.first);
  const build = await run('push-ref', { ref: 'refs/heads/old' });
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.equal(build.spec.scriptCommit, commits.first);
  assert.match(build.status.logTail ?? '', /script v1/);
});

test("a revision the repository does not have fails the build with git's error, in its status and its Events", async () => {
  const missing = 'deadbeef'.repeat(5);
  const build = await run('push-missing', { commit: missing });
  assert.equal(build.status?.phase, 'Failed', JSON.stringify(build.status));
  assert.equal(build.status.reason, 'ScriptFetchFailed');
  assert.match(
    build.status.message ?? '',
    new RegExp(
      `^fetching brigade\\.js from ${repo.url.replace(/\./g, '\\.')} at commit ${missing} failed \\(exit code \\d+\\): .*`,
      's',
    ),
  );
  assert.match(build.status.message ?? '', /fatal|error/i);
  const describe = await cluster.kubectl('describe', 'builds.brigade.sh', 'push-missing', '-n', cluster.namespace);
  assert.match(describe, /FetchingScript/);
  assert.match(describe, /BuildFailed.*ScriptFetchFailed: fetching brigade\.js/s);
});

test('an event type the fetched script does not handle ends its build Failed with NoHandler, naming the setting', async () => {
  const build = await run('deploy-unhandled', { commit: commits.second }, 'deploy');
  assert.equal(build.status?.phase, 'Failed', JSON.stringify(build.status));
  assert.equal(build.status.reason, 'NoHandler');
  assert.match(
    build.status.message ?? '',
    /no handler for event type "deploy".*spec\.policy\.unhandledEvents: Succeed/,
  );
});

const slowScript = (version: string): string => `
const { events, Job } = require('brigadier');
events.on('push', async () => {
  console.log('slow script ${version}');
  const job = new Job('slow', 'alpine:3.20', ['sleep 3', 'echo slept']);
  job.useSource = false; // the simulator would clone into the host's /src
  await job.run();
});
`;

test('an operator restart while the fetch runs, and another mid-build, neither fetch again nor pick up a newer script', async () => {
  repo.git('checkout', '--quiet', '-b', 'slow');
  commits.slow = repo.commit({ 'brigade.js': slowScript('v1') }, 'slow v1');
  repo.git('checkout', '--quiet', 'main');
  await cluster.apply(pushEvent('push-restart', { ref: 'refs/heads/slow' }));
  await waitFor('the fetch to be under way', async () => {
    const b = await cluster.objects.get('Build', cluster.namespace, 'push-restart');
    return b?.status?.reason === 'FetchingScript' || b?.spec.script !== undefined ? true : undefined;
  });
  await operator.stop();
  operator = await runOperator(cluster, { packages: { registryURL: registry.url } });
  await waitFor('the slow job running', async () =>
    (await jobsOf(cluster, 'push-restart')).get('slow')?.status?.phase === 'Running' ? true : undefined,
  );
  // The branch moves on while the build runs: its replay evaluates what it recorded.
  repo.git('checkout', '--quiet', 'slow');
  repo.commit({ 'brigade.js': slowScript('v2') }, 'slow v2');
  repo.git('checkout', '--quiet', 'main');
  await operator.stop();
  operator = await runOperator(cluster, { packages: { registryURL: registry.url } });
  const build = await buildEnded(cluster, 'push-restart', 180_000);
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  assert.equal(build.status.workerAttempts, 2, 'the script was evaluated again after the second restart');
  assert.equal(build.spec.scriptCommit, commits.slow);
  assert.doesNotMatch(build.status.logTail ?? '', /slow script v2/);
  assert.match(build.status.logTail ?? '', /slow script v1/);
  const pods = await cluster.clients.core.listNamespacedPod({
    namespace: cluster.namespace,
    labelSelector: 'brigade.sh/component=script-fetch,brigade.sh/build=push-restart',
  });
  assert.equal(pods.items.length, 1, 'one fetch pod for the build');
});

test('a build cancelled while its fetch hangs ends Cancelled, and its fetch job is deleted', async () => {
  // A repository that accepts connections and never answers: git waits until the job's deadline.
  const sockets: Socket[] = [];
  const silent = createServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const { port } = silent.address() as AddressInfo;
  try {
    await cluster.apply(`
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: silent-repo }
spec:
  repo: { cloneURL: "http://127.0.0.1:${port}/repo.git" }
`);
    await projectReady(cluster, 'silent-repo');
    await cluster.apply(eventYaml('silent-1', 'silent-repo', 'push'));
    const fetching = await waitFor('the build to fetch', async () => {
      const b = await cluster.objects.get('Build', cluster.namespace, 'silent-1');
      return b?.status?.reason === 'FetchingScript' ? b : undefined;
    });
    assert.equal(fetching.status?.phase, 'Pending');
    await cluster.objects.patch('Build', cluster.namespace, 'silent-1', { spec: { cancel: true } });
    const build = await buildEnded(cluster, 'silent-1');
    assert.equal(build.status?.phase, 'Cancelled', JSON.stringify(build.status));
    await waitFor('the fetch job deleted', async () => {
      const jobs = await cluster.clients.batch.listNamespacedJob({
        namespace: cluster.namespace,
        labelSelector: 'brigade.sh/build=silent-1',
      });
      return jobs.items.every((j) => j.metadata?.deletionTimestamp) ? true : undefined;
    });
  } finally {
    for (const socket of sockets) socket.destroy();
    silent.close();
  }
});

test('a rerun of a repository build evaluates the script the original fetched, without fetching', async () => {
  await cluster.apply(`
apiVersion: brigade.sh/v1alpha1
kind: Build
metadata: { name: push-first-again }
spec:
  project: from-repo
  rerunOf: { build: push-first, all: true }
`);
  const rerun = await buildEnded(cluster, 'push-first-again', 180_000);
  assert.equal(rerun.status?.phase, 'Succeeded', JSON.stringify(rerun.status));
  assert.equal(rerun.spec.scriptCommit, commits.first);
  assert.match(rerun.status.logTail ?? '', /script v1/);
  const fetches = await cluster.clients.batch.listNamespacedJob({
    namespace: cluster.namespace,
    labelSelector: 'brigade.sh/component=script-fetch,brigade.sh/build=push-first-again',
  });
  assert.equal(fetches.items.length, 0);
});

test('each build fetched its script once: one fetch job per build, owned by it', async () => {
  const jobs = await cluster.clients.batch.listNamespacedJob({
    namespace: cluster.namespace,
    labelSelector: 'brigade.sh/component=script-fetch',
  });
  const perBuild = new Map<string, number>();
  for (const job of jobs.items) {
    const owner = job.metadata?.ownerReferences?.find((r) => r.kind === 'Build')?.name ?? '(none)';
    if (owner === 'silent-1') continue; // deleted by its cancel (above), perhaps not gone yet
    perBuild.set(owner, (perBuild.get(owner) ?? 0) + 1);
  }
  assert.deepEqual(
    [...perBuild].sort(),
    ['deploy-unhandled', 'push-first', 'push-missing', 'push-ref', 'push-restart', 'push-second'].map((b) => [b, 1]),
  );
});
