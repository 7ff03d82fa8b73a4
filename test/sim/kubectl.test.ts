// Real kubectl (v1.35) against the simulator's API server: apply of a CRD and custom resources,
// re-apply with changes, get with printer columns/short names/categories, describe, explain,
// patch (merge, json, strategic), wait, get -w, typed create commands, auth can-i, delete.
// Every command must succeed without printing warnings a real cluster would not print.

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator } from '../../src/sim/index.ts';
import type { Simulator } from '../../src/sim/index.ts';

const KUBECTL = path.resolve('node_modules/.bin/kubectl');
const FIXTURES = new URL('./apiserver-fixtures/', import.meta.url);

let sim: Simulator;
let dir: string;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'sim-kubectl-'));
  sim = await startSimulator({ workloads: false, kubeconfigPath: path.join(dir, 'kubeconfig') });
  await kubectl(['apply', '-f', new URL('widgets-crd.yaml', FIXTURES).pathname]);
});

after(async () => {
  await sim.stop();
  await rm(dir, { recursive: true, force: true });
});

interface Run {
  stdout: string;
  stderr: string;
}

/** Runs kubectl with its own discovery cache; fails on a non-zero exit or anything on stderr. */
function kubectl(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      KUBECTL,
      ['--kubeconfig', path.join(dir, 'kubeconfig'), '--cache-dir', path.join(dir, 'cache'), ...args],
      { timeout: 30_000, env: { ...process.env, KUBECTL_KUBERC: 'false' } },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr || err.message}`));
        else if (stderr.trim()) reject(new Error(`kubectl ${args.join(' ')} printed on stderr: ${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

const WIDGET = (size: number, color = 'red'): string => `apiVersion: example.test/v1
kind: Widget
metadata:
  name: w1
spec:
  size: ${size}
  color: ${color}
`;

describe('kubectl with custom resources', () => {
  it('applies a custom resource and re-applies a change as a merge patch', async () => {
    assert.match((await kubectl(['apply', '-f', '-'], WIDGET(3))).stdout, /widget.example.test\/w1 created/);
    assert.match((await kubectl(['apply', '-f', '-'], WIDGET(4, 'blue'))).stdout, /widget.example.test\/w1 configured/);
    const { stdout } = await kubectl([
      'get',
      'widgets.example.test',
      'w1',
      '-o',
      'jsonpath={.spec.size} {.spec.color} {.metadata.generation}',
    ]);
    assert.equal(stdout, '4 blue 2');
  });

  it('prints the printer columns, and finds the kind by short name and category', async () => {
    await kubectl(['apply', '-f', '-'], WIDGET(4, 'blue'));
    const byShortName = (await kubectl(['get', 'wg'])).stdout;
    assert.match(byShortName, /^NAME\s+SIZE\s+PHASE\s+AGE\n/);
    assert.match(byShortName, /\nw1\s+4\s+\S+/);
    assert.match((await kubectl(['get', 'gadgets'])).stdout, /\nw1\s+4\s/);
  });

  it('shows the object with get -o yaml and describe', async () => {
    const yaml = (await kubectl(['get', 'wg', 'w1', '-o', 'yaml'])).stdout;
    assert.match(yaml, /kind: Widget/);
    assert.match(yaml, /resourceVersion: "\d+"/);
    const described = (await kubectl(['describe', 'wg', 'w1'])).stdout;
    assert.match(described, /^Name:\s+w1$/m);
    assert.match(described, /^Kind:\s+Widget$/m);
  });

  it('explains the CRD schema', async () => {
    const { stdout } = await kubectl(['explain', 'widgets.spec']);
    assert.match(stdout, /KIND:\s+Widget/);
    assert.match(stdout, /size\s+<integer>/);
  });

  it('patches with --type merge and json, and the status subresource', async () => {
    await kubectl(['apply', '-f', '-'], WIDGET(4));
    await kubectl(['patch', 'wg', 'w1', '--type', 'merge', '-p', '{"spec":{"color":"green"}}']);
    await kubectl(['patch', 'wg', 'w1', '--type', 'json', '-p', '[{"op":"replace","path":"/spec/size","value":8}]']);
    await kubectl([
      'patch',
      'wg',
      'w1',
      '--subresource',
      'status',
      '--type',
      'merge',
      '-p',
      '{"status":{"phase":"Ready","conditions":[{"type":"Ready","status":"True"}]}}',
    ]);
    const { stdout } = await kubectl(['get', 'wg', 'w1', '-o', 'jsonpath={.spec.size} {.spec.color} {.status.phase}']);
    assert.equal(stdout, '8 green Ready');
  });

  it('waits for a condition', async () => {
    await kubectl(['apply', '-f', '-'], WIDGET(4));
    await kubectl([
      'patch',
      'wg',
      'w1',
      '--subresource',
      'status',
      '--type',
      'merge',
      '-p',
      '{"status":{"conditions":[{"type":"Ready","status":"True"}]}}',
    ]);
    assert.match((await kubectl(['wait', '--for=condition=Ready', 'wg/w1', '--timeout=10s'])).stdout, /condition met/);
    assert.match(
      (await kubectl(['wait', '--for=condition=established', 'crd/widgets.example.test', '--timeout=10s'])).stdout,
      /condition met/,
    );
  });

  it('streams changes with get -w', async () => {
    await kubectl(['apply', '-f', '-'], WIDGET(4));
    const child = spawn(
      KUBECTL,
      [
        '--kubeconfig',
        path.join(dir, 'kubeconfig'),
        '--cache-dir',
        path.join(dir, 'cache'),
        'get',
        'wg',
        'w1',
        '-w',
        '--output-watch-events',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const sawUpdate = new Promise<void>((resolve) => {
      child.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('ADDED') && !out.includes('MODIFIED')) {
          void kubectl(['patch', 'wg', 'w1', '--type', 'merge', '-p', '{"spec":{"size":11}}']).catch((e: unknown) => {
            err += String(e);
          });
        }
        if (/MODIFIED\s+w1\s+11/.test(out)) resolve();
      });
    });
    try {
      await sawUpdate;
    } finally {
      child.kill();
    }
    assert.equal(err, '');
  });

  it('deletes the resource', async () => {
    await kubectl(['apply', '-f', '-'], WIDGET(4));
    assert.match((await kubectl(['delete', 'wg', 'w1'])).stdout, /widget.example.test "w1" deleted/);
    assert.match((await kubectl(['get', 'wg', '--ignore-not-found'])).stdout, /^$/);
  });
});

describe('kubectl with built-in kinds', () => {
  it('re-applies a ConfigMap with a strategic merge patch that removes a key', async () => {
    const cm = (data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cfg\ndata:\n${data}`;
    await kubectl(['apply', '-f', '-'], cm('  a: "1"\n  b: "2"\n'));
    await kubectl(['apply', '-f', '-'], cm('  a: "1"\n  c: "3"\n'));
    const { stdout } = await kubectl(['get', 'cm', 'cfg', '-o', 'jsonpath={.data}']);
    assert.deepEqual(JSON.parse(stdout), { a: '1', c: '3' });
    await kubectl(['patch', 'cm', 'cfg', '--type', 'strategic', '-p', '{"data":{"d":"4"}}']);
    assert.deepEqual(JSON.parse((await kubectl(['get', 'cm', 'cfg', '-o', 'jsonpath={.data}'])).stdout), {
      a: '1',
      c: '3',
      d: '4',
    });
  });

  it('server-side applies, removing on re-apply what the manifest no longer sets', async () => {
    const cm = (data: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n${data}`;
    assert.match(
      (await kubectl(['apply', '--server-side', '-f', '-'], cm('  a: "1"\n  b: "2"\n'))).stdout,
      /configmap\/ssa serverside-applied/,
    );
    await kubectl(['apply', '--server-side', '-f', '-'], cm('  a: "1"\n'));
    assert.deepEqual(JSON.parse((await kubectl(['get', 'cm', 'ssa', '-o', 'jsonpath={.data}'])).stdout), { a: '1' });
    const managers = (
      await kubectl([
        'get',
        'cm',
        'ssa',
        '--show-managed-fields',
        '-o',
        'jsonpath={.metadata.managedFields[*].manager}',
      ])
    ).stdout;
    assert.equal(managers, 'kubectl');
  });

  it('creates objects with the typed create commands, which send protobuf', async () => {
    await kubectl(['create', 'secret', 'generic', 'creds', '--from-literal=token=s3cr3t']);
    const token = (await kubectl(['get', 'secret', 'creds', '-o', 'jsonpath={.data.token}'])).stdout;
    assert.equal(Buffer.from(token, 'base64').toString(), 's3cr3t');
    await kubectl(['create', 'namespace', 'team-a']);
    await kubectl(['create', 'serviceaccount', 'builder', '-n', 'team-a']);
    await kubectl(['create', 'job', 'once', '--image=busybox', '--', 'echo', 'hi']);
    const cmd = (await kubectl(['get', 'job', 'once', '-o', 'jsonpath={.spec.template.spec.containers[0].command}']))
      .stdout;
    assert.deepEqual(JSON.parse(cmd), ['echo', 'hi']);
  });

  it('stores Deployments, Services and RBAC objects so whole manifests apply (nothing runs them)', async () => {
    const manifest = [
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  selector:\n    matchLabels: {app: web}\n' +
        '  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n      - name: web\n        image: nginx\n',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  selector: {app: web}\n  ports:\n  - port: 80\n',
      'apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata:\n  name: reader\nrules:\n- apiGroups: [""]\n' +
        '  resources: [pods]\n  verbs: [get]\n',
    ].join('---\n');
    const { stdout } = await kubectl(['apply', '-f', '-'], manifest);
    assert.match(
      stdout,
      /deployment.apps\/web created\nservice\/web created\nclusterrole.rbac.authorization.k8s.io\/reader created/,
    );
  });

  it('lists namespaces and answers auth can-i', async () => {
    assert.match((await kubectl(['get', 'ns'])).stdout, /\ndefault\s+Active/);
    assert.equal((await kubectl(['auth', 'can-i', 'create', 'pods'])).stdout.trim(), 'yes');
  });

  it('deletes a namespace and what is in it', async () => {
    await kubectl(['create', 'namespace', 'short-lived']);
    await kubectl(['create', 'configmap', 'x', '-n', 'short-lived']);
    await kubectl(['delete', 'namespace', 'short-lived', '--wait=true', '--timeout=10s']);
    assert.equal((await kubectl(['get', 'ns', 'short-lived', '--ignore-not-found'])).stdout, '');
  });
});

describe('kubectl and CRD lifecycle', () => {
  it('forgets a kind when its CRD is deleted', async () => {
    const crd = (await readFile(new URL('widgets-crd.yaml', FIXTURES), 'utf8'))
      .replaceAll('widgets', 'doodads')
      .replaceAll('Widget', 'Doodad')
      .replaceAll('widget', 'doodad')
      .replace('shortNames: [wg]', 'shortNames: [dd]')
      .replace('categories: [gadgets]', 'categories: [trinkets]');
    await kubectl(['apply', '-f', '-'], crd);
    await kubectl(
      ['apply', '-f', '-'],
      'apiVersion: example.test/v1\nkind: Doodad\nmetadata:\n  name: d1\nspec:\n  size: 1\n',
    );
    assert.match((await kubectl(['api-resources', '--api-group=example.test'])).stdout, /doodads\s+dd\s/);
    await kubectl(['delete', 'crd', 'doodads.example.test']);
    assert.doesNotMatch((await kubectl(['api-resources', '--api-group=example.test'])).stdout, /doodads/);
    await assert.rejects(
      kubectl(['get', 'doodads', 'd1']),
      /the server (doesn't have a resource type "doodads"|could not find the requested resource)/,
    );
  });
});
