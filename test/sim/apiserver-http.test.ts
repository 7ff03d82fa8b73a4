// The simulator's API server over HTTP, as clients see it: Status bodies, pagination, Table output,
// dry run, field validation, patches, discovery of CRDs, and watch streams.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { load } from 'js-yaml';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';

let sim: Simulator;

before(async () => {
  sim = await startSimulator({ workloads: false, watchHistory: 50, bookmarkIntervalMs: 200 });
  const crd = load(await readFile(new URL('./apiserver-fixtures/widgets-crd.yaml', import.meta.url), 'utf8'));
  await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
});

after(async () => {
  await sim.stop();
});

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function call(
  method: string,
  path: string,
  body?: unknown,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, headers: res.headers };
}

const WIDGETS = '/apis/example.test/v1/namespaces/default/widgets';

function widget(name: string, spec: Record<string, unknown> = { size: 1 }): object {
  return { apiVersion: 'example.test/v1', kind: 'Widget', metadata: { name }, spec };
}

describe('Status bodies', () => {
  it('answers a missing custom resource with a NotFound Status naming the group', async () => {
    const r = await call('GET', `${WIDGETS}/nope`);
    assert.equal(r.status, 404);
    assert.deepEqual(r.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'widgets.example.test "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', group: 'example.test', kind: 'widgets' },
      code: 404,
    });
  });

  it('answers an unknown path with a generic 404 Status', async () => {
    const r = await call('GET', '/apis/nothing.test/v1/things');
    assert.equal(r.status, 404);
    assert.equal(r.body['reason'], 'NotFound');
  });
});

describe('writes', () => {
  it('stores nothing and bumps no version with dryRun=All', async () => {
    const before = await call('GET', WIDGETS);
    const r = await call('POST', `${WIDGETS}?dryRun=All`, widget('dry'));
    assert.equal(r.status, 201);
    assert.equal((r.body['metadata'] as { name: string }).name, 'dry');
    assert.equal((await call('GET', `${WIDGETS}/dry`)).status, 404);
    const afterList = await call('GET', WIDGETS);
    assert.equal(
      (afterList.body['metadata'] as { resourceVersion: string }).resourceVersion,
      (before.body['metadata'] as { resourceVersion: string }).resourceVersion,
    );
  });

  it('refuses unknown fields with fieldValidation=Strict and warns with Warn', async () => {
    const strict = await call('POST', `${WIDGETS}?fieldValidation=Strict`, widget('strict', { size: 1, foo: 1 }));
    assert.equal(strict.status, 400);
    assert.equal(strict.body['reason'], 'BadRequest');
    assert.equal(
      strict.body['message'],
      'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.foo"',
    );
    const warn = await call('POST', `${WIDGETS}?fieldValidation=Warn`, widget('warned', { size: 1, foo: 1 }));
    assert.equal(warn.status, 201);
    assert.equal(warn.headers.get('warning'), '299 - "unknown field \\"spec.foo\\""');
    assert.deepEqual(warn.body['spec'], { size: 1 });
  });

  it('refuses unknown fields of built-in kinds with Strict', async () => {
    const r = await call('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm-strict' },
      data: {},
      bogus: true,
    });
    assert.equal(r.status, 400);
    assert.equal(
      r.body['message'],
      'ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "bogus"',
    );
  });

  it('patches with merge, JSON and strategic patches, and refuses strategic patches for custom resources', async () => {
    await call('POST', WIDGETS, widget('patched'));
    const merge = await call(
      'PATCH',
      `${WIDGETS}/patched`,
      { spec: { color: 'blue' } },
      { 'content-type': 'application/merge-patch+json' },
    );
    assert.deepEqual(merge.body['spec'], { size: 1, color: 'blue' });
    const json = await call('PATCH', `${WIDGETS}/patched`, [{ op: 'replace', path: '/spec/size', value: 5 }], {
      'content-type': 'application/json-patch+json',
    });
    assert.equal((json.body['spec'] as { size: number }).size, 5);
    const smp = await call(
      'PATCH',
      `${WIDGETS}/patched`,
      { spec: { size: 6 } },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    assert.equal(smp.status, 415);
    assert.equal(smp.body['reason'], 'UnsupportedMediaType');
  });

  it('deletes a collection by label selector', async () => {
    for (const [name, batch] of [
      ['dc1', 'x'],
      ['dc2', 'x'],
      ['dc3', 'y'],
    ] as const) {
      await call('POST', WIDGETS, { ...widget(name), metadata: { name, labels: { batch } } });
    }
    const r = await call('DELETE', `${WIDGETS}?labelSelector=batch%3Dx`);
    assert.equal(r.status, 200);
    assert.deepEqual(
      (r.body['items'] as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name),
      ['dc1', 'dc2'],
    );
    const left = await call('GET', `${WIDGETS}?labelSelector=batch`);
    assert.deepEqual(
      (left.body['items'] as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name),
      ['dc3'],
    );
  });

  it('answers a stale update with 409 Conflict', async () => {
    const created = await call('POST', WIDGETS, widget('stale'));
    await call('PUT', `${WIDGETS}/stale`, { ...created.body, spec: { size: 2 } });
    const r = await call('PUT', `${WIDGETS}/stale`, { ...created.body, spec: { size: 3 } });
    assert.equal(r.status, 409);
    assert.equal(
      r.body['message'],
      'Operation cannot be fulfilled on widgets.example.test "stale": the object has been modified; ' +
        'please apply your changes to the latest version and try again',
    );
  });
});

describe('lists', () => {
  it('pages with limit and continue', async () => {
    for (const n of ['p1', 'p2', 'p3']) {
      await call('POST', '/api/v1/namespaces/default/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: n, labels: { paged: 'yes' } },
      });
    }
    const names: string[] = [];
    let token = '';
    for (let page = 0; page < 5; page++) {
      const r = await call(
        'GET',
        `/api/v1/namespaces/default/configmaps?labelSelector=paged%3Dyes&limit=2${token ? `&continue=${token}` : ''}`,
      );
      names.push(...(r.body['items'] as Array<{ metadata: { name: string } }>).map((i) => i.metadata.name));
      token = (r.body['metadata'] as { continue?: string }).continue ?? '';
      if (!token) break;
    }
    assert.deepEqual(names, ['p1', 'p2', 'p3']);
  });

  it('renders Tables with the CRD printer columns', async () => {
    await call('POST', WIDGETS, widget('tabled', { size: 7 }));
    const r = await call('GET', `${WIDGETS}?fieldSelector=metadata.name%3Dtabled`, undefined, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    assert.equal(r.body['kind'], 'Table');
    const columns = (r.body['columnDefinitions'] as Array<{ name: string }>).map((c) => c.name);
    assert.deepEqual(columns, ['Name', 'Size', 'Phase', 'Age']);
    const rows = r.body['rows'] as Array<{ cells: unknown[]; object: { kind: string } }>;
    assert.deepEqual(rows[0].cells.slice(0, 2), ['tabled', 7]);
    assert.equal(rows[0].object.kind, 'PartialObjectMetadata');
  });

  it('answers PartialObjectMetadataList when asked', async () => {
    const r = await call('GET', WIDGETS, undefined, {
      accept: 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io',
    });
    assert.equal(r.body['kind'], 'PartialObjectMetadataList');
    const item = (r.body['items'] as Array<Record<string, unknown>>)[0];
    assert.equal(item['kind'], 'PartialObjectMetadata');
    assert.equal(item['spec'], undefined);
  });

  it('renders built-in pods with Ready/Status/Restarts/Age columns', async () => {
    await call('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'tp' },
      spec: { containers: [{ name: 'c', image: 'busybox' }] },
    });
    const r = await call('GET', '/api/v1/namespaces/default/pods/tp', undefined, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io',
    });
    const columns = (r.body['columnDefinitions'] as Array<{ name: string; priority: number }>)
      .filter((c) => c.priority === 0)
      .map((c) => c.name);
    assert.deepEqual(columns, ['Name', 'Ready', 'Status', 'Restarts', 'Age']);
    assert.deepEqual((r.body['rows'] as Array<{ cells: unknown[] }>)[0].cells.slice(0, 4), [
      'tp',
      '0/1',
      'Pending',
      '0',
    ]);
  });
});

describe('discovery', () => {
  it("lists a CRD's resource in aggregated discovery and drops it when the CRD is deleted", async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'gizmos.example.test' },
      spec: {
        group: 'example.test',
        scope: 'Cluster',
        names: { plural: 'gizmos', kind: 'Gizmo' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    const accept = { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' };
    const resources = async (): Promise<string[]> => {
      const r = await call('GET', '/apis', undefined, accept);
      const group = (
        r.body['items'] as Array<{
          metadata: { name: string };
          versions: Array<{ resources: Array<{ resource: string }> }>;
        }>
      ).find((g) => g.metadata.name === 'example.test');
      return group ? group.versions[0].resources.map((x) => x.resource).sort() : [];
    };
    assert.deepEqual(await resources(), ['gizmos', 'widgets']);
    await call('POST', '/apis/example.test/v1/gizmos', {
      apiVersion: 'example.test/v1',
      kind: 'Gizmo',
      metadata: { name: 'g' },
    });
    await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gizmos.example.test');
    const deadline = Date.now() + 5000;
    while ((await resources()).includes('gizmos') && Date.now() < deadline) await new Promise((r) => setImmediate(r));
    assert.deepEqual(await resources(), ['widgets']);
    assert.equal((await call('GET', '/apis/example.test/v1/gizmos/g')).status, 404);
  });
});

/** Reads newline-delimited watch events until `stopWhen` says enough. */
async function watchEvents(
  path: string,
  stopWhen: (events: Array<{ type: string; object: Record<string, unknown> }>) => boolean,
): Promise<Array<{ type: string; object: Record<string, unknown> }>> {
  const controller = new AbortController();
  const res = await fetch(`${sim.url}${path}`, { signal: controller.signal });
  const events: Array<{ type: string; object: Record<string, unknown> }> = [];
  let buffer = '';
  const decoder = new TextDecoder();
  try {
    assert.ok(res.body);
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        events.push(JSON.parse(buffer.slice(0, nl)) as { type: string; object: Record<string, unknown> });
        buffer = buffer.slice(nl + 1);
      }
      if (stopWhen(events)) break;
    }
  } finally {
    controller.abort();
  }
  return events;
}

describe('watch over HTTP', () => {
  it('streams changes after a resourceVersion and sends bookmarks', async () => {
    const created = await call('POST', WIDGETS, widget('watched'));
    const rv = (created.body['metadata'] as { resourceVersion: string }).resourceVersion;
    await call(
      'PATCH',
      `${WIDGETS}/watched`,
      { spec: { size: 9 } },
      { 'content-type': 'application/merge-patch+json' },
    );
    const events = await watchEvents(`${WIDGETS}?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true`, (evs) =>
      evs.some((e) => e.type === 'BOOKMARK'),
    );
    assert.equal(events[0].type, 'MODIFIED');
    assert.equal((events[0].object['spec'] as { size: number }).size, 9);
    const bookmark = events.find((e) => e.type === 'BOOKMARK');
    assert.ok(bookmark, 'a BOOKMARK event arrived');
    assert.deepEqual(Object.keys(bookmark.object['metadata'] as object), ['resourceVersion']);
  });

  it('sends the current objects first when no resourceVersion is given', async () => {
    await call('POST', WIDGETS, widget('initial'));
    const events = await watchEvents(
      `${WIDGETS}?watch=true&fieldSelector=metadata.name%3Dinitial`,
      (evs) => evs.length >= 1,
    );
    assert.equal(events[0].type, 'ADDED');
  });

  it('answers a too old resourceVersion with an ERROR event carrying 410 Expired', async () => {
    for (let i = 0; i < 60; i++) {
      await call('POST', '/api/v1/namespaces/default/configmaps', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `churn-${i}` },
      });
    }
    const events = await watchEvents(
      '/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1',
      (evs) => evs.length >= 1,
    );
    assert.equal(events[0].type, 'ERROR');
    assert.equal(events[0].object['code'], 410);
    assert.equal(events[0].object['reason'], 'Expired');
  });

  it('marks the end of the initial events with a bookmark when sendInitialEvents=true', async () => {
    await call('POST', WIDGETS, widget('listed-by-watch'));
    const events = await watchEvents(
      `${WIDGETS}?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true` +
        '&fieldSelector=metadata.name%3Dlisted-by-watch',
      (evs) => evs.some((e) => e.type === 'BOOKMARK'),
    );
    assert.deepEqual(
      events.map((e) => e.type),
      ['ADDED', 'BOOKMARK'],
    );
    const annotations = (events[1].object['metadata'] as { annotations?: Record<string, string> }).annotations;
    assert.equal(annotations?.['k8s.io/initial-events-end'], 'true');
  });

  it('ends the stream after timeoutSeconds', async () => {
    const res = await fetch(`${sim.url}${WIDGETS}?watch=1&timeoutSeconds=1&resourceVersion=${Number.MAX_SAFE_INTEGER}`);
    const text = await res.text();
    assert.equal(text, '');
  });
});

async function untilTrue(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe('watch streams and their clients', () => {
  it('serves many concurrent watchers and forgets each one when its client goes away', async () => {
    const baseline = sim.openWatches();
    const controllers = Array.from({ length: 50 }, () => new AbortController());
    const responses = await Promise.all(
      controllers.map((c) =>
        fetch(`${sim.url}/api/v1/namespaces/default/secrets?watch=1&resourceVersion=${Number.MAX_SAFE_INTEGER}`, {
          signal: c.signal,
        }),
      ),
    );
    assert.ok(responses.every((r) => r.status === 200));
    await untilTrue(() => sim.openWatches() === baseline + 50, 'all watches to be open');
    const firstEvents = responses.map(async (r) => {
      assert.ok(r.body);
      const reader = r.body.getReader();
      const { value } = (await reader.read()) as { value: Uint8Array };
      return JSON.parse(new TextDecoder().decode(value)) as { type: string };
    });
    await call('POST', '/api/v1/namespaces/default/secrets', {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'fanout' },
    });
    const events = await Promise.all(firstEvents);
    assert.ok(events.every((e) => e.type === 'ADDED'));
    for (const c of controllers) c.abort();
    await untilTrue(() => sim.openWatches() === baseline, 'the server to drop the closed watches');
  });

  it('ends watches on a custom resource when its CRD is deleted', async () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      metadata: { name: 'sprockets.example.test' },
      spec: {
        group: 'example.test',
        scope: 'Namespaced',
        names: { plural: 'sprockets', kind: 'Sprocket' },
        versions: [
          {
            name: 'v1',
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          },
        ],
      },
    };
    await call('POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
    await call('POST', '/apis/example.test/v1/namespaces/default/sprockets', {
      apiVersion: 'example.test/v1',
      kind: 'Sprocket',
      metadata: { name: 's' },
    });
    const res = await fetch(`${sim.url}/apis/example.test/v1/namespaces/default/sprockets?watch=1`);
    const body = res.text();
    await call('DELETE', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/sprockets.example.test');
    const lines = (await body)
      .trim()
      .split('\n')
      .map((l) => (JSON.parse(l) as { type: string }).type);
    assert.deepEqual(lines, ['ADDED', 'DELETED']);
  });
});
