// The two ways to start the dashboard, as a user does: `brigade-operator dashboard` (prints the URL
// with its session token, serves with the kubeconfig's credentials) and `run --dashboard-port` (the
// operator serves it, read-only), against the simulator through a kubeconfig; and the refusals.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../src/sim/index.ts';
import { startBinary } from '../helpers/binary.ts';
import { kubectl, ROOT } from '../helpers/tools.ts';

let sim: Simulator;
before(async () => {
  sim = await startSimulator();
  await kubectl(sim.kubeconfigPath, 'apply', '-k', join(ROOT, 'crds'));
  await kubectl(sim.kubeconfigPath, 'wait', '--for=condition=Established', 'crd', '--all', '--timeout=30s');
  await kubectl(sim.kubeconfigPath, 'apply', '-f', join(ROOT, 'samples', 'hello', 'project.yaml'));
});
// eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
after(async () => sim?.stop());

test('dashboard prints its URL with a session token, serves the pages read-only with it, and stops on SIGTERM', async () => {
  const run = startBinary(['dashboard', '--kubeconfig', sim.kubeconfigPath, '--no-open']);
  try {
    const [, url] = await run.waitForOutput(
      /dashboard \(namespace default, read-only\): (http:\/\/127\.0\.0\.1:\d+\/\?token=\S+)/,
    );
    const origin = new URL(url).origin;
    assert.equal((await fetch(`${origin}/api/config`)).status, 401, 'nothing without the token');
    const traded = await fetch(url, { redirect: 'manual' });
    assert.equal(traded.status, 303);
    const cookie = (traded.headers.get('set-cookie') ?? '').split(';')[0];
    const config = await fetch(`${origin}/api/config`, { headers: { cookie } });
    assert.deepEqual(await config.json(), { actions: { cancel: false, rerun: false } });
    const page = await fetch(`${origin}/`, { headers: { cookie } });
    assert.match(await page.text(), /<script type="module"[^>]* src="\.\/assets\/index-[\w-]+\.js"/);
  } finally {
    run.kill('SIGTERM');
  }
  assert.equal(await run.exited, 0, run.output());
});

test('run --dashboard-port serves the dashboard from the operator, on 127.0.0.1, read-only', async () => {
  const run = startBinary(['run', '--kubeconfig', sim.kubeconfigPath, '--metrics-port', '0', '--dashboard-port', '0']);
  try {
    const [, port] = await run.waitForOutput(
      /"port":(\d+),"host":"127\.0\.0\.1","msg":"dashboard listening \(read-only\)"/,
    );
    const page = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(page.status, 200, 'no token in the operator mode: access is who may reach the port');
    const cancel = await fetch(`http://127.0.0.1:${port}/api/builds/default/hello-1/cancel`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(cancel.status, 403);
    assert.match(await cancel.text(), /read-only/);
  } finally {
    run.kill('SIGTERM');
  }
  assert.equal(await run.exited, 0, run.output());
});

test('run refuses dashboard actions without the proxy identity header, and on a non-loopback address', async () => {
  const noHeader = startBinary(['run', '--dashboard-port', '0', '--dashboard-actions']);
  assert.equal(await noHeader.exited, 2);
  assert.match(noHeader.output(), /--dashboard-actions needs --dashboard-user-header/);
  const exposed = startBinary([
    'run',
    '--dashboard-port',
    '0',
    '--dashboard-actions',
    '--dashboard-user-header',
    'X-Forwarded-User',
    '--dashboard-host',
    '0.0.0.0',
  ]);
  assert.equal(await exposed.exited, 2);
  assert.match(exposed.output(), /needs the dashboard on a loopback address \(not 0\.0\.0\.0\)/);
});
