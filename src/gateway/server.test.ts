import { test, describe, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import pino from 'pino';
import { fakeCluster, type FakeCluster } from '../../test/gateway/fake-cluster.ts';
import { githubSignature } from './secrets.ts';
import { startGateway, type Gateway } from './server.ts';
import type { ProjectLike } from './project-intake.ts';

const NS = 'ci';
const CE_SECRET = 'ce-secret-value';
const HOOK_SECRET = 'hook-secret-value';
const GH_SECRET = 'gh-secret-value';

function project(name: string, gateways: Record<string, unknown>, repo?: Record<string, string>): ProjectLike {
  return { metadata: { name, namespace: NS }, spec: { gateways, repo } };
}

const ref = (key: string) => ({ name: 'intake-secrets', key });

function cluster(): FakeCluster {
  return fakeCluster({
    projects: [
      project(
        'hello',
        {
          cloudevents: { enabled: true, secretKeyRef: ref('cloudevents'), allowSecretInPath: true },
          webhook: { enabled: true, secretKeyRef: ref('webhook'), type: 'image_push' },
          github: { enabled: true, secretKeyRef: ref('github') },
        },
        { name: 'octo/hello', cloneURL: 'https://github.com/octo/hello.git' },
      ),
      project('open-types', { webhook: { enabled: true, secretKeyRef: ref('webhook'), allowTypeOverride: true } }),
      project('closed', {}, { name: 'octo/closed' }),
      project('no-secret', { webhook: { enabled: true } }),
    ],
    secrets: { [`${NS}/intake-secrets`]: { cloudevents: CE_SECRET, webhook: HOOK_SECRET, github: GH_SECRET } },
  });
}

/** The gateway's JSON reply: an accepted event, or an error. */
interface ReplyBody {
  namespace?: string;
  event?: string;
  duplicate?: boolean;
  error?: { code?: string; message?: unknown };
}

interface Reply {
  status: number;
  body: ReplyBody | undefined;
  headers: Record<string, string | string[] | undefined>;
}

async function post(
  url: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; method?: string } = {},
): Promise<Reply> {
  const res = await fetch(url, { method: opts.method ?? 'POST', headers: opts.headers, body: opts.body });
  const text = await res.text();
  return {
    status: res.status,
    body: text ? (JSON.parse(text) as ReplyBody) : undefined,
    headers: Object.fromEntries(res.headers),
  };
}

const logger = pino({ level: 'silent' });

function pushPayload(repo = 'octo/hello'): string {
  return JSON.stringify({
    ref: 'refs/heads/main',
    before: '0000000000000000000000000000000000000000',
    after: '6113728f27ae82c7b1a177c8d03f9e96e0adf246',
    repository: { full_name: repo, clone_url: `https://github.com/${repo}.git`, ssh_url: `git@github.com:${repo}.git` },
    head_commit: { id: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', message: 'Update README' },
    pusher: { name: 'octocat' },
  });
}

function githubHeaders(
  event: string,
  body: string,
  opts: { delivery?: string; secret?: string } = {},
): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-github-event': event,
    'x-github-delivery': opts.delivery ?? `d-${Math.random()}`,
    'x-hub-signature-256': githubSignature(Buffer.from(body), opts.secret ?? GH_SECRET),
  };
}

describe('gateway HTTP server', () => {
  let gw: Gateway;
  let fake: FakeCluster;
  let current: FakeCluster;

  before(async () => {
    // The gateway keeps one cluster object; tests swap the state behind it.
    const proxy = new Proxy({} as FakeCluster, { get: (_t, key): unknown => Reflect.get(current, key) });
    gw = await startGateway({
      cluster: proxy,
      logger,
      namespace: NS,
      limits: { maxBodyBytes: 4096, secretCacheTtlMs: 0 },
    });
  });
  after(async () => {
    await gw.stop();
  });
  beforeEach(() => {
    fake = cluster();
    current = fake;
  });

  test('a binary-mode CloudEvent on the v1 path becomes an Event with type, provider and raw payload', async () => {
    const res = await post(`${gw.url}/cloudevents/v1/${NS}/hello`, {
      headers: {
        'ce-specversion': '1.0',
        'ce-id': 'a-1',
        'ce-type': 'exec',
        'ce-source': '/ci/tests',
        'content-type': 'application/json',
        authorization: `Bearer ${CE_SECRET}`,
      },
      body: '{"hello": "world"}',
    });
    assert.equal(res.status, 202);
    assert.equal(res.body?.namespace, NS);
    assert.equal(fake.events.length, 1);
    const [ev] = fake.events;
    assert.equal(ev.metadata.name, res.body.event);
    assert.deepEqual(ev.spec, { project: 'hello', type: 'exec', provider: '/ci/tests', payload: '{"hello": "world"}' });
  });

  test('a structured-mode CloudEvent on the v02 path is accepted with the secret in the path', async () => {
    const res = await post(`${gw.url}/cloudevents/v02/hello/${CE_SECRET}`, {
      headers: { 'content-type': 'application/cloudevents+json' },
      body: JSON.stringify({ specversion: '1.0', id: 's-1', type: 'exec', source: 'curl', data: { n: 1 } }),
    });
    assert.equal(res.status, 202);
    assert.equal(fake.events[0].spec.payload, '{"n":1}');
    assert.equal(fake.events[0].spec.type, 'exec');
  });

  test('a CloudEvents 0.2 structured event (Brigade 1 clients) on the v02 path is the cloudevent Brigade 1 made', async () => {
    const body = JSON.stringify({
      specversion: '0.2',
      id: 'old-1',
      type: 'exec',
      source: '/brig',
      contenttype: 'text/plain',
      data: 'hi',
    });
    const res = await post(`${gw.url}/cloudevents/v02/hello/${CE_SECRET}`, {
      headers: { 'content-type': 'application/cloudevents+json' },
      body,
    });
    assert.equal(res.status, 202);
    assert.deepEqual(fake.events[0].spec, {
      project: 'hello',
      type: 'cloudevent',
      provider: 'GenericWebhook',
      payload: body,
    });
  });

  test('binary and structured CloudEvents are accepted on both paths', async () => {
    const binary = { 'ce-specversion': '1.0', 'ce-type': 'exec', 'ce-source': 'both', 'content-type': 'text/plain' };
    const structured = (id: string) =>
      JSON.stringify({ specversion: '1.0', id, type: 'exec', source: 'both', data: 'x' });
    const auth = { 'x-brigade-token': CE_SECRET };
    const answers = await Promise.all([
      post(`${gw.url}/cloudevents/v02/hello/${CE_SECRET}`, { headers: { ...binary, 'ce-id': 'b-02' }, body: 'x' }),
      post(`${gw.url}/cloudevents/v1/${NS}/hello`, {
        headers: { 'content-type': 'application/cloudevents+json', ...auth },
        body: structured('s-v1'),
      }),
    ]);
    assert.deepEqual(
      answers.map((a) => a.status),
      [202, 202],
    );
    assert.equal(fake.events.length, 2);
  });

  test('the same CloudEvent id twice makes one Event and the second answer names it', async () => {
    const send = () =>
      post(`${gw.url}/cloudevents/v1/${NS}/hello`, {
        headers: {
          'ce-specversion': '1.0',
          'ce-id': 'dup',
          'ce-type': 'exec',
          'ce-source': 'src',
          authorization: `Bearer ${CE_SECRET}`,
        },
        body: 'payload',
      });
    const first = await send();
    const second = await send();
    assert.equal(first.status, 202);
    assert.equal(second.status, 200);
    assert.equal(second.body?.event, first.body?.event);
    assert.equal(second.body?.duplicate, true);
    assert.equal(fake.events.length, 1);
  });

  test('refusals answer a JSON error and create nothing', async (t) => {
    const ce = { 'ce-specversion': '1.0', 'ce-id': 'r', 'ce-type': 'exec', 'ce-source': 's' };
    const cases: Array<{
      name: string;
      path: string;
      status: number;
      code: string;
      headers?: Record<string, string>;
      body?: string;
      method?: string;
    }> = [
      {
        name: 'unknown project',
        path: `/cloudevents/v1/${NS}/nope`,
        status: 404,
        code: 'NotFound',
        headers: { ...ce, 'x-brigade-token': CE_SECRET },
      },
      { name: 'unknown route', path: '/nothing/here', status: 404, code: 'NotFound' },
      {
        name: 'project refuses the intake',
        path: `/cloudevents/v1/${NS}/closed`,
        status: 403,
        code: 'Forbidden',
        headers: { ...ce, 'x-brigade-token': CE_SECRET },
      },
      {
        name: 'project without a secret',
        path: `/webhook/${NS}/no-secret`,
        status: 403,
        code: 'Forbidden',
        headers: { 'x-brigade-token': 'anything' },
        body: '{}',
      },
      {
        name: 'wrong secret in the path',
        path: '/cloudevents/v02/hello/wrong',
        status: 401,
        code: 'Unauthorized',
        headers: ce,
        body: 'x',
      },
      {
        name: 'wrong token',
        path: `/cloudevents/v1/${NS}/hello`,
        status: 401,
        code: 'Unauthorized',
        headers: { ...ce, authorization: 'Bearer wrong' },
        body: 'x',
      },
      {
        name: 'missing token',
        path: `/webhook/${NS}/hello`,
        status: 401,
        code: 'Unauthorized',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      },
      { name: 'GET on an intake', path: `/webhook/${NS}/hello`, status: 405, code: 'MethodNotAllowed', method: 'GET' },
      {
        name: 'malformed JSON webhook',
        path: `/webhook/${NS}/hello`,
        status: 400,
        code: 'BadRequest',
        headers: { 'content-type': 'application/json', 'x-brigade-token': HOOK_SECRET },
        body: '{"a":',
      },
      {
        name: 'not a CloudEvent',
        path: `/cloudevents/v1/${NS}/hello`,
        status: 400,
        code: 'BadRequest',
        headers: { 'content-type': 'application/json', 'x-brigade-token': CE_SECRET },
        body: '{}',
      },
      {
        name: 'CloudEvent missing source',
        path: `/cloudevents/v1/${NS}/hello`,
        status: 400,
        code: 'BadRequest',
        headers: { 'content-type': 'application/cloudevents+json', 'x-brigade-token': CE_SECRET },
        body: '{"specversion":"1.0","id":"1","type":"exec"}',
      },
      {
        name: 'malformed binary JSON data',
        path: `/cloudevents/v1/${NS}/hello`,
        status: 400,
        code: 'BadRequest',
        headers: { ...ce, 'content-type': 'application/json', 'x-brigade-token': CE_SECRET },
        body: '{"a":',
      },
      {
        name: 'batched CloudEvents',
        path: `/cloudevents/v1/${NS}/hello`,
        status: 415,
        code: 'UnsupportedMediaType',
        headers: { 'content-type': 'application/cloudevents-batch+json', 'x-brigade-token': CE_SECRET },
        body: '[]',
      },
      {
        name: 'webhook with form body',
        path: `/webhook/${NS}/hello`,
        status: 415,
        code: 'UnsupportedMediaType',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-brigade-token': HOOK_SECRET },
        body: 'a=1',
      },
      {
        name: 'type override not allowed',
        path: `/webhook/${NS}/hello?type=deploy`,
        status: 403,
        code: 'Forbidden',
        headers: { 'content-type': 'application/json', 'x-brigade-token': HOOK_SECRET },
        body: '{}',
      },
      {
        name: 'bad commit',
        path: `/webhook/${NS}/hello?commit=not-hex`,
        status: 400,
        code: 'BadRequest',
        headers: { 'content-type': 'application/json', 'x-brigade-token': HOOK_SECRET },
        body: '{}',
      },
      {
        name: 'oversize body (declared)',
        path: `/webhook/${NS}/hello`,
        status: 413,
        code: 'PayloadTooLarge',
        headers: { 'content-type': 'application/json', 'x-brigade-token': HOOK_SECRET },
        body: JSON.stringify({ big: 'x'.repeat(5000) }),
      },
    ];
    for (const c of cases) {
      await t.test(c.name, async () => {
        const res = await post(`${gw.url}${c.path}`, { headers: c.headers, body: c.body, method: c.method });
        assert.equal(res.status, c.status);
        assert.equal(res.body?.error?.code, c.code);
        assert.equal(typeof res.body.error.message, 'string');
        assert.equal(fake.events.length, 0);
      });
    }
  });

  test('a 405 names the allowed method', async () => {
    const res = await post(`${gw.url}/github`, { method: 'PUT', body: '{}' });
    assert.equal(res.status, 405);
    assert.equal(res.headers.allow, 'POST');
  });

  test('an oversize streamed body (no Content-Length) is refused with 413 and nothing is created', async () => {
    const url = new URL(`${gw.url}/webhook/${NS}/hello`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-brigade-token': HOOK_SECRET,
            'transfer-encoding': 'chunked',
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      // The server may close the connection while the client is still writing; that is expected.
      req.on('error', (err) => {
        if (!err.message.includes('EPIPE') && !err.message.includes('ECONNRESET')) reject(err);
      });
      req.write('{"data":"');
      for (let i = 0; i < 10; i += 1) req.write('x'.repeat(1000));
      req.end('"}');
    });
    assert.equal(status, 413);
    assert.equal(fake.events.length, 0);
  });

  test('the webhook takes its type from the project, the revision from the query, the body as payload', async () => {
    const res = await post(`${gw.url}/webhook/${NS}/hello?commit=abc1234&ref=refs/heads/main`, {
      headers: { 'content-type': 'application/json', 'x-brigade-token': HOOK_SECRET },
      body: '{"target":{"repository":"flask","tag":"v1"}}',
    });
    assert.equal(res.status, 202);
    assert.deepEqual(fake.events[0].spec, {
      project: 'hello',
      type: 'image_push',
      provider: 'webhook',
      revision: { commit: 'abc1234', ref: 'refs/heads/main' },
      payload: '{"target":{"repository":"flask","tag":"v1"}}',
    });
  });

  test('?type= overrides the webhook type where the project allows it', async () => {
    const res = await post(`${gw.url}/webhook/${NS}/open-types?type=deploy`, {
      headers: { 'content-type': 'application/json', authorization: `Bearer ${HOOK_SECRET}` },
      body: '{}',
    });
    assert.equal(res.status, 202);
    assert.equal(fake.events[0].spec.type, 'deploy');
  });

  test('an Idempotency-Key makes a retried webhook one Event', async () => {
    const send = () =>
      post(`${gw.url}/webhook/${NS}/hello`, {
        headers: { 'content-type': 'application/json', 'x-brigade-token': HOOK_SECRET, 'idempotency-key': 'k1' },
        body: '{}',
      });
    assert.equal((await send()).status, 202);
    assert.equal((await send()).status, 200);
    assert.equal(fake.events.length, 1);
  });

  test('a signed GitHub push creates an Event with the commit and ref of the push', async () => {
    const body = pushPayload();
    const res = await post(`${gw.url}/github`, { headers: githubHeaders('push', body, { delivery: 'gh-1' }), body });
    assert.equal(res.status, 202);
    assert.deepEqual(fake.events[0].spec, {
      project: 'hello',
      type: 'push',
      provider: 'github',
      revision: { commit: '6113728f27ae82c7b1a177c8d03f9e96e0adf246', ref: 'refs/heads/main' },
      payload: body,
    });
  });

  test('a signed pull_request delivery maps to the head sha and refs/pull/N/head', async () => {
    const body = JSON.stringify({
      action: 'opened',
      number: 42,
      pull_request: {
        number: 42,
        head: { sha: 'f00dbabe0000000000000000000000000000beef', ref: 'feature' },
        base: { ref: 'main' },
      },
      repository: { full_name: 'other/fork', clone_url: 'https://github.com/octo/hello.git' },
    });
    const res = await post(`${gw.url}/github`, { headers: githubHeaders('pull_request', body), body });
    assert.equal(res.status, 202);
    assert.deepEqual(fake.events[0].spec.revision, {
      commit: 'f00dbabe0000000000000000000000000000beef',
      ref: 'refs/pull/42/head',
    });
  });

  test('the same GitHub delivery id twice makes one Event', async () => {
    const body = pushPayload();
    const headers = githubHeaders('push', body, { delivery: 'same' });
    assert.equal((await post(`${gw.url}/github`, { headers, body })).status, 202);
    assert.equal((await post(`${gw.url}/github`, { headers, body })).status, 200);
    assert.equal(fake.events.length, 1);
  });

  test('a signed ping is answered 200 without an Event', async () => {
    const body = JSON.stringify({
      zen: 'Keep it logically awesome.',
      hook_id: 1,
      repository: { full_name: 'octo/hello' },
    });
    const res = await post(`${gw.url}/github`, { headers: githubHeaders('ping', body), body });
    assert.equal(res.status, 200);
    assert.equal(fake.events.length, 0);
  });

  test('GitHub deliveries that are badly signed, unsigned, for unknown or closed repositories are refused', async () => {
    const body = pushPayload();
    const badlySigned = await post(`${gw.url}/github`, {
      headers: githubHeaders('push', body, { secret: 'not-the-secret' }),
      body,
    });
    const tampered = await post(`${gw.url}/github`, {
      headers: githubHeaders('push', body),
      body: body.replace('main', 'evil'),
    });
    const { ['x-hub-signature-256']: _drop, ...unsignedHeaders } = githubHeaders('push', body);
    const unsigned = await post(`${gw.url}/github`, { headers: unsignedHeaders, body });
    const unknownBody = pushPayload('octo/unknown');
    const unknown = await post(`${gw.url}/github`, { headers: githubHeaders('push', unknownBody), body: unknownBody });
    const closedBody = pushPayload('octo/closed');
    const closed = await post(`${gw.url}/github`, { headers: githubHeaders('push', closedBody), body: closedBody });
    assert.deepEqual(
      [badlySigned.status, tampered.status, unsigned.status, unknown.status, closed.status],
      [401, 401, 401, 404, 403],
    );
    assert.equal(fake.events.length, 0);
  });

  test('when the cluster is unreachable deliveries get 503 and readiness fails; liveness does not', async () => {
    fake.down = true;
    const res = await post(`${gw.url}/webhook/${NS}/hello`, {
      headers: { 'content-type': 'application/json', 'x-brigade-token': HOOK_SECRET },
      body: '{}',
    });
    assert.equal(res.status, 503);
    assert.equal((await post(`${gw.url}/readyz`, { method: 'GET' })).status, 503);
    assert.equal((await post(`${gw.url}/healthz`, { method: 'GET' })).status, 200);
    fake.down = false;
    assert.equal((await post(`${gw.url}/readyz`, { method: 'GET' })).status, 200);
  });

  test('the counters record accepted and refused deliveries by intake and code', async () => {
    await post(`${gw.url}/webhook/${NS}/hello`, {
      headers: { 'content-type': 'application/json', 'x-brigade-token': 'wrong' },
      body: '{}',
    });
    const text = await gw.metrics.metrics();
    assert.match(text, /brigade_gateway_requests_total\{intake="webhook",outcome="refused",code="Unauthorized"\} \d+/);
    assert.match(text, /brigade_gateway_requests_total\{intake="webhook",outcome="accepted",code="OK"\} \d+/);
  });
});
