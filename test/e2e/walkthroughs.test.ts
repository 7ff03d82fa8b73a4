// The walkthroughs' brigade.js files run unchanged (test/e2e/walkthroughs/) on the real ground: the
// hello job on the virtual-kubelet node with its log through `kubectl logs`, and the CI flow: a push
// clones the repository and runs the privileged docker-in-docker build with the project's secrets,
// refused on the virtual node and allowed on a regular one when the Project's policy says so; the
// registry's image_push then runs the Slack notify job. The images whose programs cannot work offline
// (dockerd, Slack) are the local store's declared stand-ins, which print what they would have done.
// The simulator runs tasks on the host, where neither docker nor /slack-notify exists.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { groundKind } from '../ground/ground.ts';
import { runOperator, startCluster, type Cluster, type OperatorHandle } from './harness.ts';
import { buildEnded, jobsOf, projectReady } from './manifests.ts';

const onCluster = groundKind() === 'cluster';
const skip = onCluster
  ? false
  : 'needs the real ground (BRIGADE_TEST_GROUND=cluster): the stand-in images only exist there';
const script = (name: string): Promise<string> => readFile(join(import.meta.dirname, 'walkthroughs', name), 'utf8');

let cluster: Cluster;
let operator: OperatorHandle;
let gitDir: string;
let gitServer: Server;
let cloneURL: string;
let commit: string;

/** A repository served over git's "dumb" HTTP protocol (static files): pods share the host network. */
async function serveRepository(): Promise<void> {
  gitDir = await mkdtemp(join(tmpdir(), 'brigade-git-'));
  const work = join(gitDir, 'work');
  const bare = join(gitDir, 'flask.git');
  const git = (cwd: string, ...args: string[]): string =>
    execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
      },
    }).trim();
  execFileSync('git', ['init', '--quiet', '--initial-branch=master', work]);
  await writeFile(
    join(work, 'app.py'),
    'from flask import Flask\napp = Flask(__name__)\n\n@app.route("/")\ndef hello():\n    return "Hello"\n',
  );
  await writeFile(
    join(work, 'Dockerfile'),
    'FROM python:3-slim\nCOPY app.py /app/\nRUN pip install flask\nCMD ["flask", "--app", "/app/app.py", "run"]\n',
  );
  git(work, 'add', '.');
  git(work, 'commit', '--quiet', '-m', 'Hello');
  commit = git(work, 'rev-parse', 'HEAD');
  execFileSync('git', ['clone', '--quiet', '--bare', work, bare]);
  git(bare, 'update-server-info');
  gitServer = createServer((req, res) => {
    const path = normalize(join(gitDir, decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)));
    if (!path.startsWith(bare)) {
      res.writeHead(404).end();
      return;
    }
    stat(path)
      .then((s) => {
        if (!s.isFile()) throw new Error('not a file');
        res.writeHead(200, { 'Content-Length': s.size });
        createReadStream(path).pipe(res);
      })
      .catch(() => res.writeHead(404).end());
  });
  await new Promise<void>((resolve) => gitServer.listen(0, '127.0.0.1', resolve));
  const address = gitServer.address();
  cloneURL = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/flask.git`;
}

before(async () => {
  if (!onCluster) return;
  cluster = await startCluster();
  operator = await runOperator(cluster);
  await serveRepository();
});
after(async () => {
  await operator?.stop();
  await cluster?.stop();
  gitServer?.close();
  if (gitDir) await rm(gitDir, { recursive: true, force: true });
});

const indent = (text: string, n: number): string =>
  text
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');

test(
  'the virtual-kubelet walkthrough: hello runs on the virtual node and kubectl logs shows its output',
  { skip },
  async () => {
    await cluster.apply(`apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: brigade-vk }
spec:
  script: |
${indent(await script('hello.brigade.js'), 4)}
`);
    await projectReady(cluster, 'brigade-vk');
    await cluster.apply(
      'apiVersion: brigade.sh/v1alpha1\nkind: Event\nmetadata: { name: vk-1 }\nspec: { project: brigade-vk, type: exec }\n',
    );
    const build = await buildEnded(cluster, 'vk-1', 90_000);
    assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
    const job = (await jobsOf(cluster, 'vk-1')).get('linux-job');
    assert.equal(job?.status?.nodeName, 'virtual-kubelet');
    assert.ok(job?.status?.podName, 'the job names its pod');
    assert.match(await cluster.kubectl('logs', job.status.podName), /Hello Brigade from Azure/);
    const events = await cluster.kubectl(
      'get',
      'events',
      '--field-selector',
      `involvedObject.name=${job.status.podName}`,
      '-o',
      'jsonpath={.items[*].reason}',
    );
    assert.match(events, /ImageAliased/, 'alpine:3.4 ran as a declared alias, and the pod says so');
  },
);

async function ciProject(name: string, extraSpec: string): Promise<void> {
  await cluster.apply(`apiVersion: v1
kind: Secret
metadata: { name: ${name}-secrets }
stringData:
  DOCKER_USER: walkthrough-user
  DOCKER_PASS: walkthrough-docker-password
  DOCKER_REGISTRY: walkthrough.azurecr.io
  SLACK_WEBHOOK: https://hooks.slack.com/services/T000/B000/walkthrough-webhook-token
---
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: ${name} }
spec:
  repo: { name: github.com/example/flask, cloneURL: "${cloneURL}" }
  secretRef: { name: ${name}-secrets }
${indent(extraSpec, 2)}
  script: |
${indent(await script('ci.brigade.js'), 4)}
`);
  await projectReady(cluster, name);
}

const pushEvent = (name: string, project: string): string => `apiVersion: brigade.sh/v1alpha1
kind: Event
metadata: { name: ${name} }
spec: { project: ${project}, type: push, provider: github, revision: { commit: "${commit}", ref: refs/heads/master } }
`;

test(
  'the CI walkthrough: push builds with the privileged dind job and the secrets, image_push notifies Slack',
  { skip },
  async () => {
    await ciProject('flask', 'policy: { allowPrivileged: true }');
    await cluster.apply(pushEvent('flask-push-1', 'flask'));
    const push = await buildEnded(cluster, 'flask-push-1', 120_000);
    assert.equal(push.status?.phase, 'Succeeded', JSON.stringify(push.status));
    const dind = (await jobsOf(cluster, 'flask-push-1')).get('dind');
    assert.equal(dind?.status?.nodeName, 'node-1');
    const log = dind?.status?.logTail ?? '';
    // The registry and user are project secrets too, so the kept log shows them redacted.
    assert.match(
      log,
      /would build \*\*\*\/flask from context \/src \(\/src\/Dockerfile/,
      'the build ran in the cloned source',
    );
    assert.match(log, /would push \*\*\*\/flask/, 'DOCKER_USER was set, so the script pushed');
    assert.doesNotMatch(log, /walkthrough-docker-password|walkthrough\.azurecr\.io|walkthrough-user/);

    const payload = JSON.stringify({ action: 'push', target: { repository: 'flask', tag: 'v1' } });
    await cluster.apply(`apiVersion: brigade.sh/v1alpha1
kind: Event
metadata: { name: flask-image-push-1 }
spec: { project: flask, type: image_push, provider: acr, payload: ${JSON.stringify(payload)} }
`);
    const notify = await buildEnded(cluster, 'flask-image-push-1', 90_000);
    assert.equal(notify.status?.phase, 'Succeeded', JSON.stringify(notify.status));
    const slack = (await jobsOf(cluster, 'flask-image-push-1')).get('slack-notify');
    assert.match(slack?.status?.logTail ?? '', /New Build flask:v1 available!/);
    assert.doesNotMatch(slack?.status?.logTail ?? '', /walkthrough-webhook-token/);
    const events = await cluster.kubectl(
      'get',
      'events',
      '--field-selector',
      `involvedObject.name=${slack?.status?.podName ?? ''}`,
      '-o',
      'jsonpath={.items[*].reason}',
    );
    assert.match(events, /ImageStandIn/, 'the Slack image ran as its declared stand-in, and the pod says so');
  },
);

test(
  'the CI walkthrough placed on the virtual node: the privileged dind job is refused, naming the feature',
  { skip },
  async () => {
    await ciProject('flask-aci', 'policy: { allowPrivileged: true }\njobDefaults: { host: { placement: virtual } }');
    await cluster.apply(pushEvent('flask-aci-push-1', 'flask-aci'));
    const push = await buildEnded(cluster, 'flask-aci-push-1', 90_000);
    assert.equal(push.status?.phase, 'Failed');
    const dind = (await jobsOf(cluster, 'flask-aci-push-1')).get('dind');
    assert.equal(dind?.status?.phase, 'Failed');
    assert.match(dind?.status?.message ?? '', /privileged/i, JSON.stringify(dind?.status));
  },
);
