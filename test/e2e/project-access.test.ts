// A build's script reaches only what its Project grants: other Secrets, service accounts and claims
// are refused with the Project setting that would allow them; the values of Secrets it may read are
// redacted from the kept log (also base64-encoded); a secret value outside env is never stored.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { runOperator, startCluster } from './harness.ts';
import type { Cluster, OperatorHandle } from './harness.ts';
import { buildEnded, eventYaml, jobsOf, projectReady, projectYaml } from './manifests.ts';

let cluster: Cluster | undefined;
let operator: OperatorHandle | undefined;

function ground(): Cluster {
  assert.ok(cluster, 'the test ground is up');
  return cluster;
}

const SCRIPT = `const { events, Job } = require('brigadier');
events.on('steal', async () => {
  const j = new Job('steal', 'alpine:3.20', ['echo "$DB"']);
  j.env = { DB: { secretKeyRef: { name: 'other-team', key: 'password' } } };
  await j.run();
});
events.on('sa', async () => {
  const j = new Job('sa', 'alpine:3.20', ['echo hi']);
  j.serviceAccount = 'powerful';
  await j.run();
});
events.on('claim', async () => {
  const j = new Job('claim', 'alpine:3.20', ['ls /data']);
  j.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'other-project-data' } }];
  j.volumeMounts = [{ name: 'data', mountPath: '/data' }];
  await j.run();
});
events.on('allowed', async (e, project) => {
  const j = new Job('allowed', 'alpine:3.20', [
    'echo "shared=$SHARED"',
    'echo "b64=$(printf %s "$SHARED" | base64)"',
    'echo "own=$OWN"',
  ]);
  j.env = { SHARED: { secretKeyRef: { name: 'shared-creds', key: 'apikey' } }, OWN: project.secrets.token };
  await j.run();
});
events.on('inline', async (e, project) => {
  await new Job('inline', 'alpine:3.20', ['curl -H "Authorization: ' + project.secrets.token + '" example.com']).run();
});
`;

before(async () => {
  cluster = await startCluster();
  operator = await runOperator(cluster);
  await ground().apply(`
apiVersion: v1
kind: Secret
metadata: { name: access-secrets }
stringData: { token: own-token-value-123 }
---
apiVersion: v1
kind: Secret
metadata: { name: other-team }
stringData: { password: other-team-password }
---
apiVersion: v1
kind: Secret
metadata: { name: shared-creds }
stringData: { apikey: shared-api-key-456 }
`);
  await ground().apply(
    projectYaml('access', SCRIPT, 'secretRef: { name: access-secrets }\npolicy: { allowedSecrets: [shared-creds] }'),
  );
  await projectReady(ground(), 'access');
});

after(async () => {
  await operator?.stop();
  await cluster?.stop();
});

async function refusedJob(event: string, job: string): Promise<string> {
  await ground().apply(eventYaml(event, 'access', event.replace(/-\d+$/, '')));
  const build = await buildEnded(ground(), event);
  assert.equal(build.status?.phase, 'Failed', JSON.stringify(build.status));
  const status = (await jobsOf(ground(), event)).get(job)?.status;
  assert.equal(status?.reason, 'PolicyViolation', JSON.stringify(status));
  assert.equal(status.jobName, undefined, 'nothing was created');
  return status.message ?? '';
}

test("a Secret that is not the project's own is refused, naming spec.policy.allowedSecrets", async () => {
  const message = await refusedJob('steal-1', 'steal');
  assert.match(message, /env DB: secretKeyRef to Secret "other-team" \(list it in spec\.policy\.allowedSecrets/);
});

test('a service account the policy does not list is refused', async () => {
  assert.match(await refusedJob('sa-1', 'sa'), /serviceAccount "powerful".*spec\.policy\.allowedServiceAccounts/);
});

test("another project's PersistentVolumeClaim is refused", async () => {
  assert.match(
    await refusedJob('claim-1', 'claim'),
    /PersistentVolumeClaim "other-project-data".*spec\.policy\.allowedVolumeClaims/,
  );
});

test('an allowed extra Secret reaches the job, and its value (also in base64) is redacted from the kept log', async () => {
  await ground().apply(eventYaml('allowed-1', 'access', 'allowed'));
  const build = await buildEnded(ground(), 'allowed-1');
  assert.equal(build.status?.phase, 'Succeeded', JSON.stringify(build.status));
  const job = (await jobsOf(ground(), 'allowed-1')).get('allowed');
  const tail = job?.status?.logTail ?? '';
  assert.match(tail, /shared=\*\*\*/);
  assert.match(tail, /b64=\*\*\*/);
  assert.match(tail, /own=\*\*\*/);
  const kept = await ground().kubectl('get', 'configmaps', '-o', 'yaml');
  for (const leak of [
    'shared-api-key-456',
    Buffer.from('shared-api-key-456').toString('base64'),
    'own-token-value-123',
  ])
    assert.ok(!kept.includes(leak) && !tail.includes(leak), `kept log leaked ${leak}`);
  const pod = await ground().kubectl('get', 'pods', '-l', `brigade.sh/job=${job?.metadata.name}`, '-o', 'yaml');
  assert.match(pod, /automountServiceAccountToken: false/);
});

test('a secret value in a task is refused before anything is stored', async () => {
  await ground().apply(eventYaml('inline-1', 'access', 'inline'));
  const build = await buildEnded(ground(), 'inline-1');
  assert.equal(build.status?.phase, 'Failed');
  assert.match(build.status.message ?? '', /tasks\[0\] holds the value of project secret "token"/);
  assert.match(build.status.message ?? '', /pass it through env/);
  assert.match(build.status.message ?? '', /spec\.policy\.allowInlineSecrets: true/);
  assert.equal((await jobsOf(ground(), 'inline-1')).size, 0, 'no Job resource was created');
  const dumps = await Promise.all([
    ground().kubectl('get', 'brigade', '-o', 'yaml'),
    ground().kubectl('get', 'events', '-o', 'yaml'),
  ]);
  for (const dump of dumps) assert.ok(!dump.includes('own-token-value-123'), 'the secret value leaked');
  assert.match(dumps[1], /JobRefused/);
});
