import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, parseCommandLine, UsageError } from './options.ts';

const KUBECONFIG = `apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: { server: 'http://127.0.0.1:1' }
users:
- name: u1
  user: {}
contexts:
- name: one
  context: { cluster: c1, user: u1, namespace: team-a }
- name: two
  context: { cluster: c1, user: u1 }
current-context: one
`;

test('the namespace comes from --namespace, else the context, else default; --context switches context', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'brigade-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'config');
  await writeFile(file, KUBECONFIG);
  assert.equal(connect({ kubeconfig: file }, {}).namespace, 'team-a');
  assert.equal(connect({ kubeconfig: file, namespace: 'ci' }, {}).namespace, 'ci');
  assert.equal(connect({ kubeconfig: file, context: 'two' }, {}).namespace, 'default');
  assert.equal(connect({}, { KUBECONFIG: file }).namespace, 'team-a');
  assert.throws(() => connect({ kubeconfig: file, context: 'three' }, {}), UsageError);
});

test('unknown flags are usage errors', () => {
  assert.throws(() => parseCommandLine(['--nope'], {}), UsageError);
  assert.deepEqual(parseCommandLine(['p', '-n', 'ci'], {}).values.namespace, 'ci');
});
