// The dashboard server's guards and live views over HTTP, against the simulator (no browser): the
// Host check, the CLI session token, read-only refusals, cross-site POSTs, the proxy identity, and
// a view stream that sends again when the cluster changes.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import pino from 'pino';
import { ownData } from '../../src/dashboard/data.ts';
import { jobLogs } from '../../src/dashboard/logs.ts';
import { startDashboard, type RunningDashboard } from '../../src/dashboard/server.ts';
import type { DashboardActions } from '../../src/dashboard/actions.ts';
import { startCluster, waitFor, type Cluster } from '../e2e/harness.ts';

let cluster: Cluster;
const stop = new AbortController();
const servers: RunningDashboard[] = [];
let serve: (o: {
  token?: string;
  actions?: DashboardActions;
  identity?: { userHeader: string };
}) => Promise<RunningDashboard>;

before(async () => {
  cluster = await startCluster();
  const logger = pino({ level: 'silent' });
  const own = await ownData({ clients: cluster.clients, namespace: cluster.namespace, logger });
  void own.start(stop.signal);
  await own.synced();
  const logs = jobLogs({ kubeConfig: cluster.clients.kubeConfig, core: cluster.clients.core });
  serve = async (o) => {
    const s = await startDashboard({ data: own.data, logs, logger, ...o });
    servers.push(s);
    return s;
  };
});
after(async () => {
  stop.abort();
  for (const s of servers) await s.close();
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
  await cluster?.stop();
});

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function call(
  d: RunningDashboard,
  path: string,
  o: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: d.port, path, method: o.method ?? 'GET', headers: o.headers },
      (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(o.body);
  });
}

test('a request naming another host is refused (DNS rebinding); localhost names are served', async () => {
  const d = await serve({});
  assert.equal((await call(d, '/', { headers: { host: 'attacker.example:80' } })).status, 403);
  const ok = await call(d, '/', { headers: { host: `localhost:${d.port}` } });
  assert.equal(ok.status, 200);
  assert.match(ok.body, /<div id="app">/);
  assert.match(String(ok.headers['content-security-policy']), /default-src 'self'/);
});

test('the CLI mode needs its session token: the URL trades it for a same-site cookie, nothing is served without it', async () => {
  const d = await serve({ token: 'sesame-0123456789' });
  assert.match(d.url, /\?token=sesame-0123456789$/);
  assert.equal((await call(d, '/api/config')).status, 401);
  assert.equal((await call(d, '/?token=wrong-token-000000')).status, 401);
  const traded = await call(d, '/?token=sesame-0123456789');
  assert.equal(traded.status, 303);
  assert.equal(traded.headers.location, '/');
  const cookie = String(traded.headers['set-cookie']);
  assert.match(cookie, /HttpOnly/);
  assert.match(cookie, /SameSite=Strict/);
  const config = await call(d, '/api/config', { headers: { cookie: cookie.split(';')[0] } });
  assert.equal(config.status, 200);
  assert.deepEqual(JSON.parse(config.body), { actions: { cancel: false, rerun: false } });
});

test('a read-only dashboard refuses every action', async () => {
  const d = await serve({});
  const r = await call(d, `/api/builds/${cluster.namespace}/b1/cancel`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  assert.equal(r.status, 403);
  assert.match(r.body, /read-only/);
});

test('actions refuse cross-site requests: a form post, and a foreign Origin', async () => {
  const cancelled: string[] = [];
  const d = await serve({
    actions: {
      cancel: (_v, a) => {
        cancelled.push(a.build);
        return Promise.resolve();
      },
    },
  });
  const path = `/api/builds/${cluster.namespace}/b1/cancel`;
  const form = await call(d, path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assert.equal(form.status, 403);
  const foreign = await call(d, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: 'https://attacker.example' },
    body: '{}',
  });
  assert.equal(foreign.status, 403);
  assert.deepEqual(cancelled, []);
  const missing = await call(d, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${d.port}` },
    body: '{}',
  });
  assert.equal(missing.status, 404, 'a same-origin request gets as far as looking the build up');
  assert.match(missing.body, /build b1 not found/);
});

test('a live view is sent at once and again when the cluster changes (no polling: the watch pushes it)', async () => {
  const d = await serve({});
  const received: unknown[] = [];
  const controller = new AbortController();
  const res = await fetch(`http://127.0.0.1:${d.port}/api/live/projects`, { signal: controller.signal });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reading = (async () => {
    let buffer = '';
    const decoder = new TextDecoder();
    for await (const chunk of res.body as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk);
      for (let cut = buffer.indexOf('\n\n'); cut >= 0; cut = buffer.indexOf('\n\n')) {
        const frame = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const data = /^data: (.*)$/m.exec(frame);
        if (frame.includes('event: view') && data) received.push(JSON.parse(data[1]));
      }
    }
  })().catch(() => undefined);
  await waitFor('the first view', () => (received.length >= 1 ? true : undefined));
  assert.deepEqual(received[0], []);
  await cluster.apply(`apiVersion: brigade.sh/v1alpha1
kind: Project
metadata: {name: live-one, namespace: ${cluster.namespace}}
spec: {script: "console.log('hi')"}
`);
  const seen = await waitFor('a view with the new project', () =>
    received.find((v) => Array.isArray(v) && v.some((p: { name?: string }) => p.name === 'live-one')),
  );
  assert.ok(seen);
  controller.abort();
  await reading;
});
