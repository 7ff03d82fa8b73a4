// The walkthroughs' brigade.js files run unchanged (test/e2e/walkthroughs/) on the real ground: the
// hello job on the virtual-kubelet node with its log through `kubectl logs`, and the CI flow: a push
// clones the repository and runs the privileged docker-in-docker build with the project's secrets,
// refused on the virtual node and allowed on a regular one when the Project's policy says so; the
// registry's image_push then runs the Slack notify job. The images whose programs cannot work offline
// (dockerd, Slack) are the local store's declared stand-ins, which print what they would have done.
// The simulator runs tasks on the host, where neither docker nor /slack-notify exists.
// Events arrive as the walkthroughs send them: `brigade-operator exec -f` for `brig exec -f`, the
// GitHub webhook on /events/github, the registry webhook on /events/webhook/{org}/{repo}?commit=master
// and the generic gateway's CloudEvent on /cloudevents/v02/{project-id}/{secret}, through the gateway
// on the operator's credentials (as `run` hosts it). docs/walkthroughs.md maps every step.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join, normalize } from 'node:path';
import { PassThrough } from 'node:stream';
import { commands } from '../../src/cli/commands/index.ts';
import { githubSignature, startGateway, type Gateway } from '../../src/gateway/index.ts';
import { githubSha1Signature } from '../../src/gateway/secrets.ts';
import { groundKind } from '../ground/ground.ts';
import { runOperator, startCluster, testLogger, type Cluster, type OperatorHandle } from './harness.ts';
import { buildEnded, eventDecided, jobsOf, projectReady } from './manifests.ts';

const onCluster = groundKind() === 'cluster';
const skip = onCluster
  ? false
  : 'needs the real ground (BRIGADE_TEST_GROUND=cluster): the stand-in images only exist there';
const script = (name: string): Promise<string> => readFile(join(import.meta.dirname, 'walkthroughs', name), 'utf8');

let cluster: Cluster;
let operator: OperatorHandle;
let gateway: Gateway | undefined;
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
  gateway = await startGateway({
    kubeConfig: await cluster.operatorKubeConfig(),
    namespace: cluster.namespace,
    logger: testLogger(),
  });
  await serveRepository();
});
after(async () => {
  await gateway?.stop();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await operator?.stop();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  gitServer?.close();
  if (gitDir) await rm(gitDir, { recursive: true, force: true });
});

const indent = (text: string, n: number): string =>
  text
    .split('\n')
    .map((l) => `${' '.repeat(n)}${l}`)
    .join('\n');

/** A CLI command as a user runs it, against the test ground's kubeconfig. */
async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [name, ...rest] = argv;
  const out: string[] = [];
  const err: string[] = [];
  const stdout = new PassThrough().on('data', (c: Buffer) => out.push(c.toString()));
  const stderr = new PassThrough().on('data', (c: Buffer) => err.push(c.toString()));
  const code = await commands[name].run([...rest, '-n', cluster.namespace], {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: { KUBECONFIG: cluster.kubeconfig },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

async function post(path: string, headers: Record<string, string>, body: string) {
  assert.ok(gateway, 'the gateway runs');
  const res = await fetch(`${gateway.url}${path}`, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as { event?: string; error?: { message: string } } };
}

const VK_CE_SECRET = 'vk-generic-gateway-secret';

test(
  'the virtual-kubelet walkthrough: brig exec -f runs hello on the virtual node and kubectl logs shows its output',
  { skip },
  async () => {
    // `brig project create` named it testing/brigade-vk: the repository name keeps its Brigade 1 id.
    await cluster.apply(`apiVersion: v1
kind: Secret
metadata: { name: brigade-vk-intake }
stringData: { generic: ${VK_CE_SECRET} }
---
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: brigade-vk }
spec:
  repo: { name: github.com/testing/brigade-vk }
  policy: { allowEventScripts: true }
  gateways:
    cloudevents: { enabled: true, secretKeyRef: { name: brigade-vk-intake, key: generic }, allowSecretInPath: true }
  script: |
${indent(await script('hello.brigade.js'), 4)}
`);
    await projectReady(cluster, 'brigade-vk');
    const run = await cli(['exec', 'brigade-vk', '-f', join(import.meta.dirname, 'walkthroughs', 'hello.brigade.js')]);
    assert.equal(run.code, 0, run.stderr);
    // exec prefixes each line with the time it saw it (HH:MM:SS), as docs/cli.md says.
    assert.match(run.stdout, /^\d\d:\d\d:\d\d \[linux-job\] Hello Brigade from Azure$/m);
    const build = (await cluster.objects.list('Build', cluster.namespace)).find((b) => b.spec.project === 'brigade-vk');
    assert.ok(build, 'exec made a build');
    assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
    const job = (await jobsOf(cluster, build.metadata.name ?? '')).get('linux-job');
    assert.equal(job?.status?.nodeName, 'virtual-kubelet');
    assert.ok(job.status.podName, 'the job names its pod');
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

test(
  "the virtual-kubelet walkthrough's CloudEvent on /cloudevents/v02/{project-id}/{secret}: its source refused as Brigade 1.5 did, then a cloudevent",
  { skip },
  async () => {
    const path = `/cloudevents/v02/brigade-f21cf24721ff5303ba21dd5360af71d447d0549b844329206d780c/${VK_CE_SECRET}`;
    const seed = {
      specversion: '0.2',
      type: 'your.custom.event.type',
      source: 'event source',
      id: 'A234-1234-1234',
      time: '2018-04-05T17:31:00Z',
      contenttype: 'json',
      data: {},
    };
    const json = { 'content-type': 'application/json' };
    const refused = await post(path, json, JSON.stringify(seed));
    assert.equal(refused.status, 400);
    assert.match(refused.body.error?.message ?? '', /"source" must be a URI reference/);
    const accepted = await post(path, json, JSON.stringify({ ...seed, source: '/event/source' }));
    assert.equal(accepted.status, 202, JSON.stringify(accepted.body));
    // Brigade 1 raised "cloudevent"; the walkthrough's script handles only exec, and the Event says so.
    const event = await eventDecided(cluster, accepted.body.event ?? '');
    assert.equal(event.spec.type, 'cloudevent');
    assert.equal(event.status?.phase, 'Rejected');
    assert.match(event.status.message ?? '', /no handler for "cloudevent" \(handles: exec\)/);
  },
);

const GITHUB_SECRET = 'walkthrough-shared-secret';

async function ciProject(name: string, extraSpec: string, repo = 'github.com/example/flask'): Promise<void> {
  await cluster.apply(`apiVersion: v1
kind: Secret
metadata: { name: ${name}-secrets }
stringData:
  DOCKER_USER: walkthrough-user
  DOCKER_PASS: walkthrough-docker-password
  DOCKER_REGISTRY: walkthrough.azurecr.io
  SLACK_WEBHOOK: https://hooks.slack.com/services/T000/B000/walkthrough-webhook-token
  # Brigade 1's sharedSecret: what the GitHub webhook signs with.
  sharedSecret: ${GITHUB_SECRET}
---
apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: { name: ${name} }
spec:
  repo: { name: ${repo}, cloneURL: "${cloneURL}" }
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

/** What GitHub sends for a push to master: signed with both headers, on Brigade 1's path. */
async function githubPush(repo: string): Promise<string> {
  const body = JSON.stringify({
    ref: 'refs/heads/master',
    before: '0000000000000000000000000000000000000000',
    after: commit,
    repository: { full_name: repo, clone_url: cloneURL },
    head_commit: { id: commit, message: 'Hello' },
    pusher: { name: 'nonokangwei' },
  });
  const res = await post(
    '/events/github',
    {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': `push-${Date.now()}`,
      'x-hub-signature': githubSha1Signature(Buffer.from(body), GITHUB_SECRET),
      'x-hub-signature-256': githubSignature(Buffer.from(body), GITHUB_SECRET),
    },
    body,
  );
  assert.equal(res.status, 202, JSON.stringify(res.body));
  return res.body.event ?? '';
}

/** The ACR webhook of the walkthrough: its Service URI, no token. Refused until the project opts in. */
async function acrWebhook(repo: string): Promise<string> {
  const payload = JSON.stringify({ action: 'push', target: { repository: 'flask', tag: 'v1' } });
  const acr = '/events/webhook/nonokangwei/brigadedemo?commit=master';
  const json = { 'content-type': 'application/json' };
  const refused = await post(acr, json, payload);
  assert.equal(refused.status, 401);
  assert.match(refused.body.error?.message ?? '', /spec\.gateways\.webhook\.allowUnauthenticated: true/);
  await ciProject(
    'flask',
    `policy: { allowPrivileged: true }\n${ciGateways('{ enabled: true, allowUnauthenticated: true }')}`,
    repo,
  );
  const delivered = await post(acr, json, payload);
  assert.equal(delivered.status, 202, JSON.stringify(delivered.body));
  return delivered.body.event ?? '';
}

const ciGateways = (webhook: string): string =>
  `gateways:\n  github: { enabled: true, secretKeyRef: { name: flask-secrets, key: sharedSecret } }\n  webhook: ${webhook}`;

/** The push's build: the privileged dind job ran in the cloned source with the secrets, redacted in its log. */
async function assertDindBuilt(pushName: string): Promise<void> {
  const push = await buildEnded(cluster, pushName, 120_000);
  assert.equal(push.status?.phase, 'Succeeded', JSON.stringify(push.status));
  const dind = (await jobsOf(cluster, pushName)).get('dind');
  assert.ok(dind?.status, 'the dind job ran');
  assert.equal(dind.status.nodeName, 'node-1');
  const log = dind.status.logTail ?? '';
  // The registry and user are project secrets too, so the kept log shows them redacted.
  assert.match(
    log,
    /would build \*\*\*\/flask from context \/src \(\/src\/Dockerfile/,
    'the build ran in the cloned source',
  );
  assert.match(log, /would push \*\*\*\/flask/, 'DOCKER_USER was set, so the script pushed');
  assert.doesNotMatch(log, /walkthrough-docker-password|walkthrough\.azurecr\.io|walkthrough-user/);
}

/** The image_push build: slack-notify (the stand-in image) printed the message built from the registry's payload. */
async function assertSlackNotified(imagePush: string): Promise<void> {
  const imageEvent = await cluster.objects.get('Event', cluster.namespace, imagePush);
  assert.ok(imageEvent, 'the gateway created the Event');
  assert.deepEqual(imageEvent.spec.revision, { ref: 'master' }, '?commit=master is the ref git fetches');
  assert.equal(imageEvent.spec.type, 'image_push');
  const notify = await buildEnded(cluster, imagePush, 90_000);
  assert.equal(notify.status?.phase, 'Succeeded', JSON.stringify(notify.status));
  const slack = (await jobsOf(cluster, imagePush)).get('slack-notify');
  assert.ok(slack?.status, 'the slack-notify job ran');
  assert.match(slack.status.logTail ?? '', /New Build flask:v1 available!/);
  assert.doesNotMatch(slack.status.logTail ?? '', /walkthrough-webhook-token/);
  const events = await cluster.kubectl(
    'get',
    'events',
    '--field-selector',
    `involvedObject.name=${slack.status.podName ?? ''}`,
    '-o',
    'jsonpath={.items[*].reason}',
  );
  assert.match(events, /ImageStandIn/, 'the Slack image ran as its declared stand-in, and the pod says so');
}

test(
  'the CI walkthrough: the GitHub push builds with the privileged dind job and the secrets, the ACR webhook notifies Slack',
  { skip },
  async () => {
    const repo = 'github.com/nonokangwei/brigadedemo';
    await ciProject('flask', `policy: { allowPrivileged: true }\n${ciGateways('{ enabled: true }')}`, repo);
    await assertDindBuilt(await githubPush('nonokangwei/brigadedemo'));
    await assertSlackNotified(await acrWebhook(repo));
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
    assert.match(dind.status.message ?? '', /privileged/i, JSON.stringify(dind.status));
  },
);
