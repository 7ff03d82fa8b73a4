// The gateway against misbehaving connections: a client that goes away mid-body is a debug line,
// not an error with a stack; headers that never finish hit the header deadline; connections beyond
// the cap are closed; and the gateway binds 127.0.0.1 unless told otherwise.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { connect, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { fakeCluster } from '../../test/gateway/fake-cluster.ts';
import { waitFor } from '../../test/helpers/wait.ts';
import { startGateway, type Gateway, type GatewayLimits } from './server.ts';

interface LogLine {
  level: number;
  msg: string;
  err?: unknown;
}

function capturingLogger(): { logger: pino.Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

async function gateway(limits: Partial<GatewayLimits> = {}) {
  const { logger, lines } = capturingLogger();
  const cluster = fakeCluster({
    projects: [
      {
        metadata: { name: 'hello', namespace: 'ci' },
        spec: { gateways: { webhook: { enabled: true, secretKeyRef: { name: 's', key: 'k' } } } },
      },
    ],
    secrets: { 'ci/s': { k: 'tok' } },
  });
  const gw = await startGateway({ cluster, logger, namespace: 'ci', limits });
  return { gw, lines, cluster };
}

function openSocket(gw: Gateway): Promise<Socket> {
  const url = new URL(gw.url);
  const socket = connect(Number(url.port), url.hostname);
  return once(socket, 'connect').then(() => {
    return socket;
  });
}

function readAll(socket: Socket): Promise<string> {
  const chunks: Buffer[] = [];
  socket.on('data', (c: Buffer) => {
    chunks.push(c);
  });
  return new Promise((resolve) => {
    socket.on('close', () => {
      resolve(Buffer.concat(chunks).toString());
    });
  });
}

test('a client that closes the connection mid-body is logged at debug, without an error or a stack', async (t) => {
  const { gw, lines, cluster } = await gateway();
  t.after(() => gw.stop());
  const socket = await openSocket(gw);
  socket.write(
    'POST /webhook/ci/hello HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Brigade-Token: tok\r\n' +
      'Content-Length: 1000\r\n\r\n{"partial":',
  );
  // The secret is read just before the body: the request is then in the middle of being served.
  await waitFor('the gateway to authenticate the request', () => (cluster.secretReads > 0 ? true : undefined));
  socket.destroy();
  const line = await waitFor('the abort to be logged', () =>
    lines.find((l) => l.msg.includes('closed the connection')),
  );
  assert.equal(line.level, 20, 'debug');
  assert.equal(lines.filter((l) => l.level >= 50).length, 0, JSON.stringify(lines.filter((l) => l.level >= 50)));
  assert.equal(cluster.events.length, 0);
  assert.match(await gw.metrics.metrics(), /outcome="aborted",code="ClientClosed"\} 1/);
});

test('headers that never finish are cut off at the header deadline with 408', async (t) => {
  const { gw } = await gateway({ headersTimeoutMs: 200, requestTimeoutMs: 5000 });
  t.after(() => gw.stop());
  const socket = await openSocket(gw);
  const answer = readAll(socket);
  socket.write('POST /webhook/ci/hello HTTP/1.1\r\nHost: x\r\n');
  assert.match(await answer, /^HTTP\/1\.1 408 /);
});

test('connections beyond the cap are closed at once; those within it are served', async (t) => {
  const { gw } = await gateway({ maxConnections: 1 });
  t.after(() => gw.stop());
  const held = await openSocket(gw);
  t.after(() => held.destroy());
  const extra = await openSocket(gw);
  const extraAnswer = readAll(extra);
  extra.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.equal(await extraAnswer, '', 'the second connection is closed without an answer');
  const heldAnswer = new Promise<string>((resolve) => {
    held.once('data', (c: Buffer) => {
      resolve(c.toString());
    });
  });
  held.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(await heldAnswer, /^HTTP\/1\.1 200 /);
});

test('the gateway binds 127.0.0.1 unless a host is given', async (t) => {
  const { gw } = await gateway();
  t.after(() => gw.stop());
  assert.match(gw.url, /^http:\/\/127\.0\.0\.1:\d+$/);
});
