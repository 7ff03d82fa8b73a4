// Brigade 1's gateway routes over HTTP: what each accepts, what it creates, and that each weaker
// scheme is refused, with the Project setting that enables it named in the JSON body, until the
// Project opts in.
import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import pino from 'pino';
import { fakeCluster, type FakeCluster } from '../../test/gateway/fake-cluster.ts';
import { brigade1ProjectId } from './brigade1.ts';
import type { ProjectLike } from './project-intake.ts';
import { githubSha1Signature, githubSignature } from './secrets.ts';
import { startGateway, type Gateway } from './server.ts';

const NS = 'ci';
const SECRETS = { cloudevents: 'ce-s3cret', webhook: 'hook-s3cret', github: 'gh-s3cret' };
const ref = (key: string) => ({ name: 'intake', key });

function project(name: string, repo: string, gateways: Record<string, unknown>): ProjectLike {
  return { metadata: { name, namespace: NS }, spec: { repo: { name: repo }, gateways } };
}

function cluster(): FakeCluster {
  return fakeCluster({
    projects: [
      // Everything at its secure default.
      project('strict', 'github.com/octo/strict', {
        cloudevents: { enabled: true, secretKeyRef: ref('cloudevents') },
        webhook: { enabled: true, secretKeyRef: ref('webhook') },
        github: { enabled: true, secretKeyRef: ref('github') },
      }),
      // The CI walkthrough's project after opting in to what its senders need.
      project('brigadedemo', 'github.com/nonokangwei/brigadedemo', {
        webhook: { enabled: true, allowUnauthenticated: true },
        github: { enabled: true, secretKeyRef: ref('github'), allowSha1Signature: true },
      }),
      // The virtual-kubelet walkthrough's project (Brigade 1 name testing/brigade-vk) on the generic gateway.
      project('brigade-vk', 'github.com/testing/brigade-vk', {
        cloudevents: { enabled: true, secretKeyRef: ref('cloudevents'), allowSecretInPath: true },
        webhook: { enabled: true, secretKeyRef: ref('webhook'), allowSecretInPath: true },
      }),
    ],
    secrets: { [`${NS}/intake`]: SECRETS },
  });
}

interface Reply {
  status: number;
  body: { error?: { code: string; message: string }; event?: string; duplicate?: boolean };
}

async function post(url: string, headers: Record<string, string>, body: string): Promise<Reply> {
  const res = await fetch(url, { method: 'POST', headers, body });
  return { status: res.status, body: (await res.json()) as Reply['body'] };
}

function pushBody(repo: string, after = '6113728f27ae82c7b1a177c8d03f9e96e0adf246'): string {
  return JSON.stringify({
    ref: 'refs/heads/master',
    before: '0000000000000000000000000000000000000000',
    after,
    repository: { full_name: repo },
    pusher: { name: 'nonokangwei' },
  });
}

function github(event: string, body: string, sign: 'sha256' | 'sha1' | 'both', delivery = `d-${Math.random()}`) {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': delivery,
  };
  if (sign !== 'sha1') headers['x-hub-signature-256'] = githubSignature(Buffer.from(body), SECRETS.github);
  if (sign !== 'sha256') headers['x-hub-signature'] = githubSha1Signature(Buffer.from(body), SECRETS.github);
  return headers;
}

// The body the virtual-kubelet walkthrough posts to /cloudevents/v02/project-id/secret.
const SEED_CLOUDEVENT = {
  specversion: '0.2',
  type: 'your.custom.event.type',
  source: 'event source',
  id: 'A234-1234-1234',
  time: '2018-04-05T17:31:00Z',
  contenttype: 'json',
  data: {},
};

describe('Brigade 1 gateway routes', () => {
  let gw: Gateway;
  let fake: FakeCluster;
  let now = Date.parse('2026-12-01T10:00:00Z');

  before(async () => {
    // The gateway keeps one cluster object; each test gets a fresh fake behind it.
    const proxy = new Proxy({} as FakeCluster, { get: (_t, key) => Reflect.get(fake, key) as unknown });
    gw = await startGateway({
      cluster: proxy,
      logger: pino({ level: 'silent' }),
      namespace: NS,
      limits: { secretCacheTtlMs: 0, replayWindowMs: 60_000 },
      clock: { now: () => now },
    });
  });
  after(() => gw.stop());
  beforeEach(() => {
    fake = cluster();
    fake.now = () => now;
  });

  test('/events/github takes a delivery signed with X-Hub-Signature-256, as /github does', async () => {
    const body = pushBody('octo/strict');
    const res = await post(`${gw.url}/events/github`, github('push', body, 'both'), body);
    assert.equal(res.status, 202);
    assert.equal(fake.events[0].spec.project, 'strict');
    assert.deepEqual(fake.events[0].spec.revision, {
      commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
      ref: 'refs/heads/master',
    });
  });

  test('a delivery signed only with X-Hub-Signature (SHA-1) is refused naming allowSha1Signature', async () => {
    const body = pushBody('octo/strict');
    const res = await post(`${gw.url}/events/github`, github('push', body, 'sha1'), body);
    assert.equal(res.status, 401);
    assert.match(res.body.error?.message ?? '', /spec\.gateways\.github\.allowSha1Signature: true/);
    assert.equal(fake.events.length, 0);
  });

  test('where the project allows SHA-1, a correct X-Hub-Signature is accepted and a wrong one is not', async () => {
    const body = pushBody('nonokangwei/brigadedemo');
    const ok = await post(`${gw.url}/events/github`, github('push', body, 'sha1'), body);
    assert.equal(ok.status, 202);
    assert.equal(fake.events[0].spec.project, 'brigadedemo');
    const forged = github('push', body, 'sha1');
    forged['x-hub-signature'] = githubSha1Signature(Buffer.from(body), 'not-the-secret');
    const bad = await post(`${gw.url}/events/github`, forged, body);
    assert.equal(bad.status, 401);
    assert.equal(bad.body.error?.message, 'invalid X-Hub-Signature');
  });

  test('a signed body re-posted with a new delivery id is a duplicate until the replay window ends', async () => {
    const body = pushBody('octo/strict');
    const first = await post(`${gw.url}/github`, github('push', body, 'sha256', 'one'), body);
    const replay = await post(`${gw.url}/github`, github('push', body, 'sha256', 'two'), body);
    assert.equal(first.status, 202);
    assert.equal(replay.status, 200);
    assert.equal(replay.body.duplicate, true);
    assert.equal(replay.body.event, first.body.event);
    assert.equal(fake.events.length, 1);
    now += 61_000;
    const later = await post(`${gw.url}/github`, github('push', body, 'sha256', 'three'), body);
    const laterAgain = await post(`${gw.url}/github`, github('push', body, 'sha256', 'three'), body);
    assert.equal(later.status, 202);
    assert.notEqual(later.body.event, first.body.event);
    assert.equal(laterAgain.status, 200, 'the same delivery id after the window is still one delivery');
    assert.equal(fake.events.length, 2);
  });

  test('X-GitHub-Event must agree with the body: a captured push re-posted as another type is refused', async () => {
    const body = pushBody('octo/strict');
    for (const event of ['pull_request', 'create', 'check_suite', 'issues']) {
      const res = await post(`${gw.url}/github`, github(event, body, 'sha256'), body);
      assert.equal(res.status, 400, event);
      assert.match(res.body.error?.message ?? '', new RegExp(`X-GitHub-Event is ${event}`));
    }
    const pr = JSON.stringify({
      action: 'synchronize',
      number: 7,
      before: 'a'.repeat(40),
      after: 'b'.repeat(40),
      pull_request: { number: 7, head: { sha: 'b'.repeat(40) } },
      repository: { full_name: 'octo/strict' },
    });
    assert.equal((await post(`${gw.url}/github`, github('push', pr, 'sha256'), pr)).status, 400);
    assert.equal((await post(`${gw.url}/github`, github('pull_request', pr, 'sha256'), pr)).status, 202);
    assert.equal(fake.events.length, 1);
  });

  test("the registry gateway's path with ?commit=master, from a registry that sends no token", async () => {
    const body = JSON.stringify({ action: 'push', target: { repository: 'flask', tag: 'v1' } });
    const res = await post(
      `${gw.url}/events/webhook/nonokangwei/brigadedemo?commit=master`,
      { 'content-type': 'application/json' },
      body,
    );
    assert.equal(res.status, 202);
    assert.deepEqual(fake.events[0].spec, {
      project: 'brigadedemo',
      type: 'image_push',
      provider: 'dockerhub',
      revision: { ref: 'master' },
      payload: body,
    });
  });

  test('the registry path in its other forms: project id, commit in the path, a commit id', async () => {
    const id = brigade1ProjectId('nonokangwei/brigadedemo');
    const sha = '6113728f27ae82c7b1a177c8d03f9e96e0adf246';
    const plain = { 'content-type': 'application/json' };
    assert.equal((await post(`${gw.url}/events/webhook/${id}?commit=master`, plain, '{}')).status, 202);
    assert.equal((await post(`${gw.url}/events/webhook/nonokangwei/brigadedemo/v2`, plain, '{}')).status, 202);
    assert.equal((await post(`${gw.url}/events/webhook/brigadedemo?commit=${sha}`, plain, '{}')).status, 202);
    assert.deepEqual(
      fake.events.map((e) => [e.spec.project, e.spec.revision]),
      [
        ['brigadedemo', { ref: 'master' }],
        ['brigadedemo', { ref: 'v2' }],
        ['brigadedemo', { commit: sha }],
      ],
    );
  });

  test('a registry webhook without a token is refused, naming allowUnauthenticated, unless the project allows it', async () => {
    const res = await post(
      `${gw.url}/events/webhook/octo/strict?commit=master`,
      { 'content-type': 'application/json' },
      '{}',
    );
    assert.equal(res.status, 401);
    assert.match(res.body.error?.message ?? '', /spec\.gateways\.webhook\.allowUnauthenticated: true/);
    const withToken = await post(
      `${gw.url}/events/webhook/octo/strict?commit=master`,
      { 'content-type': 'application/json', authorization: `Bearer ${SECRETS.webhook}` },
      '{}',
    );
    assert.equal(withToken.status, 202, 'a registry that sends a custom Authorization header needs no opt-in');
    const wrongToken = await post(
      `${gw.url}/events/webhook/nonokangwei/brigadedemo`,
      { 'content-type': 'application/json', 'x-brigade-token': 'guess' },
      '{}',
    );
    assert.equal(wrongToken.status, 401, 'allowUnauthenticated does not make a wrong token right');
    assert.equal(fake.events.length, 1);
  });

  test('a Brigade 1 route naming no project answers a JSON 404 that says how projects are named', async () => {
    const res = await post(`${gw.url}/events/webhook/nobody/nothing?commit=master`, {}, '');
    assert.equal(res.status, 404);
    assert.match(res.body.error?.message ?? '', /org\/repo of its spec\.repo\.name/);
  });

  test('/simpleevents/v1 with the secret in the path: refused naming allowSecretInPath, then a simpleevent', async () => {
    const body = JSON.stringify({
      ref: 'refs/heads/changes',
      commit: 'b60ad9543b2ddbbe73430dd6898b75883306cecc',
      k: 1,
    });
    const refused = await post(`${gw.url}/simpleevents/v1/strict/${SECRETS.webhook}`, {}, body);
    assert.equal(refused.status, 403);
    assert.match(refused.body.error?.message ?? '', /spec\.gateways\.webhook\.allowSecretInPath: true/);
    const id = brigade1ProjectId('testing/brigade-vk');
    const wrong = await post(`${gw.url}/simpleevents/v1/${id}/wrong`, {}, body);
    assert.equal(wrong.status, 401);
    const ok = await post(
      `${gw.url}/simpleevents/v1/${id}/${SECRETS.webhook}`,
      { 'content-type': 'application/json' },
      body,
    );
    assert.equal(ok.status, 202);
    assert.deepEqual(fake.events[0].spec, {
      project: 'brigade-vk',
      type: 'simpleevent',
      provider: 'GenericWebhook',
      revision: { commit: 'b60ad9543b2ddbbe73430dd6898b75883306cecc', ref: 'refs/heads/changes' },
      payload: body,
    });
  });

  test("the walkthrough's CloudEvents 0.2 body: refused for its source, as Brigade 1.5 did; accepted with a URI source", async () => {
    const id = brigade1ProjectId('testing/brigade-vk');
    const url = `${gw.url}/cloudevents/v02/${id}/${SECRETS.cloudevents}`;
    const seed = await post(url, { 'content-type': 'application/json' }, JSON.stringify(SEED_CLOUDEVENT));
    assert.equal(seed.status, 400);
    assert.match(seed.body.error?.message ?? '', /"source" must be a URI reference/);
    const fixed = JSON.stringify({ ...SEED_CLOUDEVENT, source: '/event/source', data: { ref: 'refs/heads/main' } });
    const ok = await post(url, { 'content-type': 'application/json' }, fixed);
    assert.equal(ok.status, 202);
    assert.deepEqual(fake.events[0].spec, {
      project: 'brigade-vk',
      type: 'cloudevent',
      provider: 'GenericWebhook',
      revision: { ref: 'refs/heads/main' },
      payload: fixed,
    });
    const again = await post(url, { 'content-type': 'application/json' }, fixed);
    assert.equal(again.status, 200, 'source and id identify the delivery');
  });

  test('/cloudevents/v02 is refused naming allowSecretInPath where the project has not opted in', async () => {
    const body = JSON.stringify({ ...SEED_CLOUDEVENT, source: '/x' });
    const res = await post(`${gw.url}/cloudevents/v02/strict/${SECRETS.cloudevents}`, {}, body);
    assert.equal(res.status, 403);
    assert.match(res.body.error?.message ?? '', /spec\.gateways\.cloudevents\.allowSecretInPath: true/);
    assert.match(res.body.error?.message ?? '', /\/cloudevents\/v1\/ci\/strict/);
  });
});

describe('Brigade 1 routes on a gateway that watches every namespace', () => {
  let gw: Gateway;
  let fake: FakeCluster;

  before(async () => {
    const open = { webhook: { enabled: true, allowUnauthenticated: true } };
    const inNamespace = (namespace: string, name: string, repo: string): ProjectLike => ({
      metadata: { name, namespace },
      spec: { repo: { name: repo }, gateways: open },
    });
    fake = fakeCluster({
      projects: [
        inNamespace('team-a', 'flask', 'github.com/nonokangwei/brigadedemo'),
        inNamespace('team-a', 'shared', 'github.com/octo/one'),
        inNamespace('team-b', 'shared', 'github.com/octo/two'),
      ],
    });
    // As `run` hosts it without --watch-namespace: its own namespace holds no projects.
    gw = await startGateway({
      cluster: fake,
      logger: pino({ level: 'silent' }),
      namespace: 'brigade-system',
      allNamespaces: true,
    });
  });
  after(() => gw.stop());

  test('a project is found in whichever namespace it is, and a name two namespaces share is refused, naming both', async () => {
    const json = { 'content-type': 'application/json' };
    const found = await post(`${gw.url}/events/webhook/nonokangwei/brigadedemo?commit=master`, json, '{}');
    assert.equal(found.status, 202);
    assert.equal(fake.events[0].metadata.namespace, 'team-a');
    const shared = await post(`${gw.url}/events/webhook/shared?commit=master`, json, '{}');
    assert.equal(shared.status, 400);
    assert.match(shared.body.error?.message ?? '', /team-a\/shared, team-b\/shared/);
    assert.equal(fake.events.length, 1);
  });
});
