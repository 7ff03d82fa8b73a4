import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { listAndWatch, type Change } from './watch.ts';

type Obj = { metadata: { name: string; resourceVersion: string } };

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<{ kubeConfig: KubeConfig; close(): void }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return {
    kubeConfig,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const obj = (rv: string): Obj => ({ metadata: { name: 'b', resourceVersion: rv } });
const line = (type: string, o: Obj): string => `${JSON.stringify({ type, object: o })}\n`;

test('a watch whose connection drops is watched again from the last version seen: nothing repeated, nothing lost', async () => {
  const versionsAsked: string[] = [];
  const srv = await serve((req, res) => {
    const rv = new URL(req.url ?? '', 'http://x').searchParams.get('resourceVersion') ?? '';
    versionsAsked.push(rv);
    res.writeHead(200, { 'content-type': 'application/json' });
    if (versionsAsked.length === 1) {
      res.write(line('MODIFIED', obj('2')));
      // The connection drops without the response ending.
      setTimeout(() => req.socket.destroy(), 50);
    } else {
      res.write(line('MODIFIED', obj('3')));
    }
  });
  const stop = new AbortController();
  const seen: Array<Change<Obj>> = [];
  try {
    for await (const change of listAndWatch<Obj>({
      kubeConfig: srv.kubeConfig,
      path: '/apis/brigade.sh/v1alpha1/namespaces/ci/builds',
      list: () => Promise.resolve({ items: [obj('1')], resourceVersion: '1' }),
      signal: stop.signal,
      reconnectDelayMs: 1,
    })) {
      seen.push(change);
      if (change.object.metadata.resourceVersion === '3') stop.abort();
    }
  } finally {
    srv.close();
  }
  assert.deepEqual(
    seen.map((c) => `${c.type} ${c.object.metadata.resourceVersion}`),
    ['ADDED 1', 'MODIFIED 2', 'MODIFIED 3'],
  );
  assert.deepEqual(versionsAsked, ['1', '2']);
});

// The client's own connect timeout is 30 s: before the fix, the stop was missed until then. The
// bound is far above what ending takes and far below that timeout.
test(
  'a stop while the watch is still connecting ends it (the connect never answers)',
  { timeout: 10_000 },
  async () => {
    let asked!: () => void;
    const connecting = new Promise<void>((resolve) => (asked = resolve));
    const srv = await serve(() => {
      asked(); // and never answer
    });
    const stop = new AbortController();
    const seen: string[] = [];
    try {
      const done = (async () => {
        for await (const change of listAndWatch<Obj>({
          kubeConfig: srv.kubeConfig,
          path: '/apis/brigade.sh/v1alpha1/namespaces/ci/builds',
          list: () => Promise.resolve({ items: [obj('1')], resourceVersion: '1' }),
          signal: stop.signal,
        }))
          seen.push(change.object.metadata.resourceVersion);
      })();
      await connecting;
      stop.abort();
      await done;
    } finally {
      srv.close();
    }
    assert.deepEqual(seen, ['1']);
  },
);

test('a refusal (403) is not retried: it ends the watch with the error', async () => {
  const srv = await serve((_req, res) => {
    res.writeHead(403).end();
  });
  try {
    const watch = listAndWatch<Obj>({
      kubeConfig: srv.kubeConfig,
      path: '/apis/brigade.sh/v1alpha1/namespaces/ci/builds',
      list: () => Promise.resolve({ items: [], resourceVersion: '1' }),
      signal: new AbortController().signal,
    });
    await assert.rejects(watch.next(), /Forbidden/);
  } finally {
    srv.close();
  }
});
