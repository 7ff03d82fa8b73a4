// The OpenAPI documents as the real kubectl reads them: a minimal HTTP server serves discovery and
// this module's documents, and kubectl explain / create run against it.

import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { openApiV3ForGroupVersion, openApiV3Paths } from './index.ts';
import { widgetCrd } from './test-fixtures.ts';

const KUBECTL = fileURLToPath(new URL('../../../node_modules/.bin/kubectl', import.meta.url));
const run = promisify(execFile);

const crd = widgetCrd({
  spec: {
    type: 'object',
    description: 'What the widget should be.',
    properties: {
      size: { type: 'integer', description: 'How big the widget is, in centimetres.' },
      color: { type: 'string', enum: ['red', 'blue'] },
    },
    required: ['size'],
  },
});

function discovery(url: string): unknown {
  const names = (crd.spec as { names: { plural: string; kind: string } }).names;
  const gv = { groupVersion: 'example.com/v1', version: 'v1' };
  const routes: Record<string, unknown> = {
    '/api': { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] },
    '/api/v1': { kind: 'APIResourceList', groupVersion: 'v1', resources: [] },
    '/apis': {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [{ name: 'example.com', versions: [gv], preferredVersion: gv }],
    },
    '/apis/example.com/v1': {
      kind: 'APIResourceList',
      apiVersion: 'v1',
      groupVersion: 'example.com/v1',
      resources: [
        {
          name: names.plural,
          singularName: 'widget',
          namespaced: true,
          kind: names.kind,
          verbs: ['create', 'get', 'list', 'patch'],
        },
      ],
    },
    '/openapi/v3': { paths: openApiV3Paths([crd]) },
    '/openapi/v3/apis/example.com/v1': openApiV3ForGroupVersion([crd], 'example.com', 'v1'),
  };
  return routes[url];
}

describe('OpenAPI documents read by kubectl', () => {
  let server: Server;
  let dir: string;
  const requests: string[] = [];

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    requests.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://sim');
    const reply = (code: number, body: unknown): void => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (chunk: Buffer) => {
        body += chunk.toString();
      });
      req.on('end', () => {
        reply(201, JSON.parse(body));
      });
      return;
    }
    const doc = discovery(url.pathname);
    if (doc) reply(200, doc);
    else reply(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 404, reason: 'NotFound' });
  };

  const kubectl = async (args: string[]): Promise<string> => {
    const env = { ...process.env, KUBECONFIG: path.join(dir, 'kubeconfig'), HOME: dir };
    const { stdout } = await run(KUBECTL, [...args, '--cache-dir', path.join(dir, 'cache')], { env });
    return stdout;
  };

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'crd-openapi-'));
    server = createServer(handle);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await writeFile(
      path.join(dir, 'kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        `clusters: [{name: t, cluster: {server: "http://127.0.0.1:${port}"}}]`,
        'contexts: [{name: t, context: {cluster: t, user: u, namespace: default}}]',
        'current-context: t',
        'users: [{name: u, user: {}}]',
        '',
      ].join('\n'),
    );
    await writeFile(
      path.join(dir, 'w.yaml'),
      'apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w1}\nspec: {size: 3}\n',
    );
  });

  after(async () => {
    await new Promise<void>((resolve, reject) =>
      server.close((err) => {
        if (err) reject(err);
        else resolve();
      }),
    );
    await rm(dir, { recursive: true, force: true });
  });

  it('explains the kind and its fields with the schema descriptions', async () => {
    const out = await kubectl(['explain', 'widgets']);
    assert.match(out, /KIND:\s+Widget/);
    assert.match(out, /A Widget is a test resource\./);
    assert.match(out, /metadata\s+<ObjectMeta>/);
    const spec = await kubectl(['explain', 'widgets.spec']);
    assert.match(spec, /size\s+<integer> -required-/);
    assert.match(spec, /How big the widget is, in centimetres\./);
    assert.match(spec, /color\s+<string>\s+enum: red, blue/);
  });

  it('follows the ObjectMeta reference', async () => {
    assert.match(await kubectl(['explain', 'widgets.metadata.labels']), /FIELD: labels <map\[string\]string>/);
  });

  it('leaves field validation to the server: create sends fieldValidation=Strict', async () => {
    await kubectl(['create', '-f', path.join(dir, 'w.yaml')]);
    assert.ok(
      requests.some(
        (r) =>
          r.startsWith('POST /apis/example.com/v1/namespaces/default/widgets?') && r.includes('fieldValidation=Strict'),
      ),
      requests.join('\n'),
    );
  });
});
