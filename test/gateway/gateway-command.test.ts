// The `gateway` command as a process: serves deliveries against the cluster of its kubeconfig, reads
// Projects through its informer, and stops cleanly on SIGTERM.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { createProject, createSecret, startTestCluster, waitFor } from './cluster.ts';

test('the gateway command accepts a webhook delivery and exits 0 on SIGTERM', async (t) => {
  const cluster = await startTestCluster();
  t.after(() => cluster.stop());
  await createSecret(cluster, 'intake', { token: 'hook-s3cret' });
  await createProject(cluster, 'hello', {
    script: '//',
    gateways: { webhook: { enabled: true, secretKeyRef: { name: 'intake', key: 'token' } } },
  });

  const child = spawn(
    process.execPath,
    [
      'test/gateway/run-command.ts',
      'gateway',
      '--kubeconfig',
      cluster.kubeconfigPath,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const exited = once(child, 'exit');
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const stderr: string[] = [];
  child.stderr.on('data', (c: Buffer) => stderr.push(c.toString()));
  const lines = createInterface({ input: child.stdout });
  let url = '';
  for await (const line of lines) {
    const match = /gateway listening on (\S+) \(namespace ci\)/.exec(line);
    if (match) {
      url = match[1];
      break;
    }
  }
  assert.ok(url, `no listening line; stderr: ${stderr.join('')}`);

  const res = await fetch(`${url}/webhook/ci/hello`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer hook-s3cret' },
    body: '{"a":1}',
  });
  assert.equal(res.status, 202);
  const { event } = (await res.json()) as { event: string };
  await waitFor('the Event', () => cluster.objects.get('Event', 'ci', event));
  const ready = await fetch(`${url}/readyz`);
  assert.equal(ready.status, 200);

  child.kill('SIGTERM');
  const [code] = (await exited) as [number | null];
  assert.equal(code, 0, stderr.join(''));
  assert.doesNotMatch(stderr.join(''), /hook-s3cret/, 'the secret never appears in the logs');
});
