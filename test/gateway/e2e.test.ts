// End to end: the real operator on the simulator, events from the CLI and the gateway.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import pino from 'pino';
import { commands } from '../../src/cli/commands/index.ts';
import { startGateway, type Gateway } from '../../src/gateway/index.ts';
import { newKubeClients } from '../../src/kube/index.ts';
import { startOperator } from '../../src/operator.ts';
import { createProject, createSecret, startTestCluster, waitFor, type TestCluster } from './cluster.ts';

async function cli(cluster: TestCluster, argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const [name, ...rest] = argv;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => out.push(c.toString()));
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const code = await commands[name].run(rest, {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: { KUBECONFIG: cluster.kubeconfigPath },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

const FAILING = `const { events, Job } = require('brigadier');
events.on('exec', async () => {
  const job = new Job('boom', 'alpine:3', ['echo going down', 'exit 4']);
  await job.run();
});`;

describe('operator, CLI and gateway end to end on the simulator', () => {
  let cluster: TestCluster;
  let gateway: Gateway;
  const stopping = new AbortController();
  let done: Promise<void> | undefined;

  before(async () => {
    cluster = await startTestCluster({ workloads: true });
    await createSecret(cluster, 'intake', { token: 'hook-s3cret' });
    await createProject(cluster, 'hello', {
      script: await readFile('samples/hello/brigade.js', 'utf8'),
      gateways: { webhook: { enabled: true, type: 'exec', secretKeyRef: { name: 'intake', key: 'token' } } },
    });
    await createProject(cluster, 'failing', { script: FAILING });
    const logger = pino({ level: process.env.E2E_LOG ?? 'silent' });
    const kubeConfig = await cluster.operatorKubeConfig();
    const operator = await startOperator({ kubeConfig, namespace: cluster.namespace, logger, signal: stopping.signal });
    done = operator.done;
    await operator.started;
    // Embedded as `run` would host it: the host's kube clients.
    gateway = await startGateway({ clients: newKubeClients(kubeConfig), logger, namespace: cluster.namespace });
  });
  after(async () => {
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await gateway?.stop();
    stopping.abort();
    await done;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await cluster?.stop();
  });

  test('exec of the hello project streams "Hello" and exits 0', { timeout: 90_000 }, async () => {
    const r = await cli(cluster, ['exec', 'hello']);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    // Each line carries the time it was written.
    assert.match(r.stdout, /^\d\d:\d\d:\d\d \[linux-job\] Hello Brigade from Azure$/m);
    assert.match(r.stderr, /linux-job\s+Succeeded\s+virtual-kubelet/);
  });

  test('exec of a failing script exits 1 with the failing job log', { timeout: 90_000 }, async () => {
    const r = await cli(cluster, ['exec', 'failing']);
    assert.equal(r.code, 1, `${r.stdout}\n${r.stderr}`);
    assert.match(r.stdout, /^\d\d:\d\d:\d\d \[boom\] going down$/m);
    assert.match(r.stderr, /build \S+: Failed/);
  });

  test('a webhook delivery through the gateway becomes a Build that succeeds', { timeout: 90_000 }, async () => {
    const res = await fetch(`${gateway.url}/webhook/${cluster.namespace}/hello`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-brigade-token': 'hook-s3cret' },
      body: '{}',
    });
    assert.equal(res.status, 202);
    const { event } = (await res.json()) as { event: string };
    const build = await waitFor(
      'the build to finish',
      async () => {
        const ev = await cluster.objects.get('Event', cluster.namespace, event);
        const name = ev?.status?.build;
        const b = name ? await cluster.objects.get('Build', cluster.namespace, name) : undefined;
        return b?.status?.phase === 'Succeeded' || b?.status?.phase === 'Failed' ? b : undefined;
      },
      60_000,
    );
    assert.equal(build.status?.phase, 'Succeeded');
    const logs = await cli(cluster, ['logs', build.metadata.name ?? '']);
    assert.match(logs.stdout, /^\[linux-job\] Hello Brigade from Azure$/m);
    const builds = await cli(cluster, ['builds', 'hello']);
    assert.match(builds.stdout, new RegExp(`^${build.metadata.name}\\s+hello\\s+exec\\s+Succeeded`, 'm'));
    const projects = await cli(cluster, ['projects']);
    assert.match(projects.stdout, /^hello\s+True\s+exec\s+webhook$/m);
  });
});
