// The gateway against the simulator's API server (CRDs installed, real admission and validation),
// through the Kubernetes implementation of its cluster access.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pino from 'pino';
import { githubSignature, kubeIntakeCluster, startGateway, type Gateway } from '../../src/gateway/index.ts';
import { createProject, createSecret, startTestCluster, type TestCluster } from './cluster.ts';

const run = promisify(execFile);
const SECRETS = { cloudevents: 'ce-s3cret', webhook: 'hook-s3cret', github: 'gh-s3cret' };
const ref = (key: string) => ({ name: 'hello-intake', key });

/** The gateway's JSON answer: the Event's name when accepted, an error otherwise. */
interface GatewayAnswer {
  event: string;
  error: { code: string; message: string };
}

async function post(
  url: string,
  headers: Record<string, string>,
  body: string,
): Promise<{ status: number; body: GatewayAnswer }> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as GatewayAnswer };
}

function github(event: string, body: string, opts: { delivery: string; secret?: string }): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': opts.delivery,
    'x-hub-signature-256': githubSignature(Buffer.from(body), opts.secret ?? SECRETS.github),
  };
}

const PUSH = JSON.stringify({
  ref: 'refs/heads/main',
  before: 'a10867b14bb761a232cd80139fbd4c0d33264240',
  after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
  repository: {
    id: 1296269,
    full_name: 'octo/hello',
    clone_url: 'https://github.com/octo/hello.git',
    html_url: 'https://github.com/octo/hello',
  },
  pusher: { name: 'octocat', email: 'octocat@github.com' },
  head_commit: { id: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', message: 'Update README.md' },
});

const PULL_REQUEST = JSON.stringify({
  action: 'opened',
  number: 2,
  pull_request: {
    number: 2,
    state: 'open',
    head: { ref: 'feature', sha: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821' },
    base: { ref: 'main', sha: '6113728f27ae82c7b1a177c8d03f9e96e0adf246' },
  },
  repository: { full_name: 'octo/hello', clone_url: 'https://github.com/octo/hello.git' },
});

const PING = JSON.stringify({
  zen: 'Design for failure.',
  hook_id: 30,
  hook: { type: 'Repository', events: ['push', 'pull_request'] },
  repository: { full_name: 'octo/hello' },
});

describe('gateway against the simulator', () => {
  let cluster: TestCluster;
  let gw: Gateway;
  const eventCount = async (): Promise<number> => (await cluster.objects.list('Event', cluster.namespace)).length;

  before(async () => {
    cluster = await startTestCluster();
    await createSecret(cluster, 'hello-intake', SECRETS);
    await createProject(cluster, 'hello', {
      script: "const { events } = require('brigadier'); events.on('exec', () => {});",
      repo: { name: 'github.com/octo/hello', cloneURL: 'https://github.com/octo/hello.git' },
      gateways: {
        cloudevents: { enabled: true, secretKeyRef: ref('cloudevents'), allowSecretInPath: true },
        webhook: { enabled: true, secretKeyRef: ref('webhook'), type: 'image_push' },
        github: { enabled: true, secretKeyRef: ref('github') },
      },
    });
    await createProject(cluster, 'closed', {
      script: '//',
      repo: { name: 'octo/closed', cloneURL: 'https://github.com/octo/closed.git' },
    });
    gw = await startGateway({
      cluster: kubeIntakeCluster(cluster.kubeConfig),
      logger: pino({ level: 'silent' }),
      namespace: cluster.namespace,
      limits: { maxBodyBytes: 8192 },
    });
  });
  after(async () => {
    await gw.stop();
    await cluster.stop();
  });

  test('refused deliveries answer their status and create no Event', async () => {
    const ns = cluster.namespace;
    const ce = { 'ce-specversion': '1.0', 'ce-id': 'x', 'ce-type': 'exec', 'ce-source': 'test' };
    const answers = [
      await post(`${gw.url}/github`, github('push', PUSH, { delivery: 'bad-sig', secret: 'wrong' }), PUSH),
      await post(
        `${gw.url}/github`,
        github('push', PUSH.replaceAll('octo/hello', 'octo/closed'), { delivery: 'closed' }),
        PUSH.replaceAll('octo/hello', 'octo/closed'),
      ),
      await post(
        `${gw.url}/github`,
        github('push', PUSH.replaceAll('octo/hello', 'octo/none'), { delivery: 'none' }),
        PUSH.replaceAll('octo/hello', 'octo/none'),
      ),
      await post(`${gw.url}/cloudevents/v1/${ns}/nope`, { ...ce, 'x-brigade-token': SECRETS.cloudevents }, 'x'),
      await post(`${gw.url}/cloudevents/v1/${ns}/closed`, { ...ce, 'x-brigade-token': SECRETS.cloudevents }, 'x'),
      await post(`${gw.url}/cloudevents/v02/hello/wrong`, ce, 'x'),
      await post(
        `${gw.url}/webhook/${ns}/hello`,
        { 'content-type': 'application/json', 'x-brigade-token': SECRETS.webhook },
        '{"broken"',
      ),
      await post(
        `${gw.url}/webhook/${ns}/hello`,
        { 'content-type': 'application/json', 'x-brigade-token': SECRETS.webhook },
        JSON.stringify({ big: 'x'.repeat(9000) }),
      ),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [401, 403, 404, 404, 403, 401, 400, 413],
    );
    for (const a of answers) assert.equal(typeof a.body.error.code, 'string');
    assert.equal(await eventCount(), 0);
  });

  test('a signed push, a pull_request and a ping: two Events with their revisions, the ping creates none', async () => {
    const push = await post(`${gw.url}/github`, github('push', PUSH, { delivery: 'push-1' }), PUSH);
    const pr = await post(`${gw.url}/github`, github('pull_request', PULL_REQUEST, { delivery: 'pr-1' }), PULL_REQUEST);
    const ping = await post(`${gw.url}/github`, github('ping', PING, { delivery: 'ping-1' }), PING);
    assert.deepEqual([push.status, pr.status, ping.status], [202, 202, 200]);
    const pushEvent = await cluster.objects.get('Event', cluster.namespace, push.body.event);
    assert.deepEqual(pushEvent?.spec.revision, {
      commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      ref: 'refs/heads/main',
    });
    assert.equal(pushEvent.spec.payload, PUSH);
    const prEvent = await cluster.objects.get('Event', cluster.namespace, pr.body.event);
    assert.deepEqual(prEvent?.spec.revision, {
      commit: 'ec26c3e57ca3a959ca5aad62de7213c562f8c821',
      ref: 'refs/pull/2/head',
    });
    assert.equal(prEvent.spec.type, 'pull_request');
    // A redelivery of the same push is the same Event.
    const again = await post(`${gw.url}/github`, github('push', PUSH, { delivery: 'push-1' }), PUSH);
    assert.deepEqual([again.status, again.body.event], [200, push.body.event]);
    assert.equal(await eventCount(), 2);
  });

  test('CloudEvents in binary and structured mode on both paths; a repeated id is one Event', async () => {
    const before = await eventCount();
    const ns = cluster.namespace;
    const binary = (id: string) => ({
      'ce-specversion': '1.0',
      'ce-id': id,
      'ce-type': 'exec',
      'ce-source': '/tests',
      'content-type': 'application/json',
    });
    const structured = (id: string) =>
      JSON.stringify({ specversion: '1.0', id, type: 'exec', source: '/tests', data: { id } });
    const sct = { 'content-type': 'application/cloudevents+json' };
    const answers = [
      await post(
        `${gw.url}/cloudevents/v1/${ns}/hello`,
        { ...binary('b1'), authorization: `Bearer ${SECRETS.cloudevents}` },
        '{"id":"b1"}',
      ),
      await post(
        `${gw.url}/cloudevents/v1/${ns}/hello`,
        { ...sct, authorization: `Bearer ${SECRETS.cloudevents}` },
        structured('s1'),
      ),
      await post(`${gw.url}/cloudevents/v02/hello/${SECRETS.cloudevents}`, binary('b2'), '{"id":"b2"}'),
      await post(`${gw.url}/cloudevents/v02/hello/${SECRETS.cloudevents}`, sct, structured('s2')),
      await post(`${gw.url}/cloudevents/v02/hello/${SECRETS.cloudevents}`, sct, structured('s2')),
    ];
    assert.deepEqual(
      answers.map((a) => a.status),
      [202, 202, 202, 202, 200],
    );
    assert.equal(answers[4].body.event, answers[3].body.event);
    assert.equal(await eventCount(), before + 4);
    const s1 = await cluster.objects.get('Event', ns, answers[1].body.event);
    assert.deepEqual(
      { type: s1?.spec.type, provider: s1?.spec.provider, payload: s1?.spec.payload },
      { type: 'exec', provider: '/tests', payload: '{"id":"s1"}' },
    );
  });

  test('a webhook Event is visible to kubectl with the type of the project', async () => {
    const res = await post(
      `${gw.url}/webhook/${cluster.namespace}/hello?ref=refs/heads/main`,
      { 'content-type': 'application/json', 'x-brigade-token': SECRETS.webhook },
      '{"target":{"repository":"flask","tag":"v1"}}',
    );
    assert.equal(res.status, 202);
    const { stdout } = await run('node_modules/.bin/kubectl', [
      '--kubeconfig',
      cluster.kubeconfigPath,
      'get',
      'events.brigade.sh',
      res.body.event,
      '-o',
      'jsonpath={.spec.type} {.spec.revision.ref} {.metadata.labels.brigade\\.sh/project}',
    ]);
    assert.equal(stdout, 'image_push refs/heads/main hello');
  });
});
