// The README's first command runs `brigade-operator dev`; these tests run the real binary the same
// way (a child process through bin/brigade-operator.js) and check what a user would see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBinary as start } from './helpers/binary.ts';
import { kubectl } from './helpers/tools.ts';

test('dev runs the hello and CI samples to success on the embedded cluster and exits when done', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brigade-dev-'));
  try {
    const dev = start(['dev', '--dir', dir, '--samples', 'hello,ci', '--gateway-port', '0', '--exit-when-done']);
    const code = await dev.exited;
    const out = dev.output();
    assert.equal(code, 0, out);
    assert.match(out, /build default\/hello-1 .* Succeeded/);
    assert.match(out, /job linux-job {2}Succeeded on virtual-kubelet/);
    assert.match(out, /build default\/ci-push-1 .* Succeeded/);
    assert.match(out, /build default\/ci-image-push-1 .* Succeeded/);
    assert.match(out, /3 sample build\(s\) finished, 0 did not succeed/);
    // The operator's JSON log went to the file, and no sample secret value is in it.
    const log = await readFile(join(dir, 'operator.log'), 'utf8');
    assert.match(log, /"msg":"caches synced"/);
    for (const secret of ['sample-docker-password', 'sample-webhook-token', 'sample-user'])
      assert.ok(!log.includes(secret), `${secret} leaked into the operator log`);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('dev writes a kubeconfig that kubectl can use beside it, and stops cleanly on SIGINT', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brigade-dev-'));
  try {
    const dev = start(['dev', '--dir', dir, '--samples', 'hello', '--gateway-port', '0']);
    await dev.waitForOutput(/press Ctrl-C to stop/);
    await dev.waitForOutput(/build default\/hello-1 .* Succeeded/);
    const builds = await kubectl(join(dir, 'kubeconfig'), 'get', 'builds');
    assert.match(builds, /hello-1\s+hello\s+exec\s+Succeeded\s+1\/1/);
    const log = await kubectl(
      join(dir, 'kubeconfig'),
      'get',
      'jobs.brigade.sh',
      '-o',
      'jsonpath={.items[0].status.logTail}',
    );
    assert.match(log, /Hello Brigade from Azure/);
    dev.kill('SIGINT');
    assert.equal(await dev.exited, 0, dev.output());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('sim prints one line naming the kubeconfig once ready and stops on SIGTERM', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'brigade-sim-'));
  try {
    const kubeconfig = join(dir, 'sim.kubeconfig');
    const sim = start(['sim', '--kubeconfig', kubeconfig]);
    await sim.waitForOutput(/^simulator ready: kubeconfig (\S+)/m);
    assert.equal(sim.output().trim().split('\n').length, 1, sim.output());
    const nodes = await kubectl(kubeconfig, 'get', 'nodes', '-o', 'name');
    assert.deepEqual(nodes.trim().split('\n').sort(), ['node/node-1', 'node/virtual-kubelet']);
    sim.kill('SIGTERM');
    assert.equal(await sim.exited, 0, sim.output());
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('an unknown command exits 2 and lists the commands', async () => {
  const cli = start(['no-such-command']);
  assert.equal(await cli.exited, 2);
  assert.match(cli.output(), /unknown command "no-such-command"/);
  for (const name of ['run', 'dev', 'sim', 'exec', 'gateway'])
    assert.match(cli.output(), new RegExp(`^  ${name} `, 'm'));
});

test('dev says which port is taken when its gateway port is in use, and exits 1', async () => {
  const { createServer } = await import('node:net');
  const holder = createServer();
  await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
  const port = (holder.address() as { port: number }).port;
  const dir = await mkdtemp(join(tmpdir(), 'brigade-dev-'));
  try {
    const dev = start(['dev', '--dir', dir, '--samples', 'none', '--gateway-port', String(port)]);
    assert.equal(await dev.exited, 1, dev.output());
    assert.match(dev.output(), new RegExp(`dev: gateway port ${port} is in use .*--gateway-port`));
  } finally {
    holder.close();
    await rm(dir, { recursive: true, force: true });
  }
});
