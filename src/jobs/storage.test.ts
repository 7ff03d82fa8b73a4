import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobSpec, ProjectSpec } from '../api/types.ts';
import { build, jobCr, project } from './fixtures.ts';
import { translateJob } from './translate.ts';
import type { Translation } from './types.ts';

function translate(job: Partial<JobSpec>, proj: Partial<ProjectSpec>): Translation {
  const result = translateJob({ job: jobCr(job), project: project(proj), build: build() });
  assert.equal(result.refused, false, result.refused ? result.message : '');
  return result;
}

test('build storage is one PVC per build, owned by the Build, mounted at /mnt/brigade/share', () => {
  const result = translate(
    { storage: { enabled: true } },
    { storage: { enabled: true, size: '2Gi', storageClassName: 'azurefile' } },
  );
  const pod = result.batchJob.spec?.template.spec;
  assert.deepEqual(pod?.volumes, [
    { name: 'brigade-build-storage', persistentVolumeClaim: { claimName: 'demo-1-storage' } },
  ]);
  assert.deepEqual(pod.containers[0].volumeMounts, [
    { name: 'brigade-build-storage', mountPath: '/mnt/brigade/share' },
  ]);
  assert.deepEqual(result.claims, [
    {
      purpose: 'build-storage',
      claim: {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: {
          name: 'demo-1-storage',
          namespace: 'ci',
          labels: {
            'brigade.sh/project': 'demo',
            'brigade.sh/build': 'demo-1',
            'brigade.sh/component': 'build-storage',
            'app.kubernetes.io/managed-by': 'brigade-operator',
          },
          ownerReferences: [
            {
              apiVersion: 'brigade.sh/v1alpha1',
              kind: 'Build',
              name: 'demo-1',
              uid: 'uid-build',
              controller: true,
              blockOwnerDeletion: true,
            },
          ],
        },
        spec: {
          accessModes: ['ReadWriteMany'],
          resources: { requests: { storage: '2Gi' } },
          storageClassName: 'azurefile',
        },
      },
    },
  ]);
});

test('build storage uses the default size when the project sets none, and the job may move the mount', () => {
  const result = translate({ storage: { enabled: true, path: '/shared' } }, { storage: { enabled: true } });
  assert.deepEqual(result.claims[0].claim.spec?.resources?.requests, { storage: '50Mi' });
  assert.equal(result.claims[0].claim.spec.storageClassName, undefined);
  assert.equal(result.batchJob.spec?.template.spec?.containers[0].volumeMounts?.[0].mountPath, '/shared');
});

test('a job cache is one PVC per job name per project, owned by the Project, at cache.path', () => {
  const result = translate(
    { cache: { enabled: true, size: '1Gi', path: '/root/.npm' } },
    { storage: { cache: { storageClassName: 'fast' } } },
  );
  const [{ purpose, claim }] = result.claims;
  assert.equal(purpose, 'cache');
  assert.match(claim.metadata?.name ?? '', /^demo-test-[0-9a-f]{8}-cache$/);
  assert.deepEqual(claim.spec, {
    accessModes: ['ReadWriteMany'],
    resources: { requests: { storage: '1Gi' } },
    storageClassName: 'fast',
  });
  assert.deepEqual(
    claim.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.uid]),
    [['Project', 'demo', 'uid-project']],
  );
  assert.equal(claim.metadata.labels?.['brigade.sh/build'], undefined);
  const pod = result.batchJob.spec?.template.spec;
  assert.deepEqual(pod?.volumes, [
    { name: 'brigade-cache', persistentVolumeClaim: { claimName: claim.metadata.name } },
  ]);
  assert.deepEqual(pod.containers[0].volumeMounts, [{ name: 'brigade-cache', mountPath: '/root/.npm' }]);
});

test('the same job in two builds shares the cache claim', () => {
  const a = translateJob({
    job: jobCr({ cache: { enabled: true } }),
    project: project(),
    build: build(),
  }) as Translation;
  const b = translateJob({
    job: jobCr({ cache: { enabled: true } }),
    project: project(),
    build: { ...build(), metadata: { name: 'demo-2', namespace: 'ci' } },
  }) as Translation;
  assert.equal(a.claims[0].claim.metadata?.name, b.claims[0].claim.metadata?.name);
});

test("the job's own volumes and mounts are passed through after the operator's", () => {
  const result = translate(
    {
      volumes: [{ name: 'scratch', emptyDir: { medium: 'Memory' } }],
      volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }],
    },
    { repo: { cloneURL: 'https://example.com/x.git' } },
  );
  const pod = result.batchJob.spec?.template.spec;
  assert.deepEqual(
    pod?.volumes?.map((v) => v.name),
    ['brigade-source', 'scratch'],
  );
  assert.deepEqual(pod.containers[0].volumeMounts?.at(-1), { name: 'scratch', mountPath: '/scratch' });
});

test('claims carry no owner while their owner has no uid', () => {
  const result = translateJob({
    job: jobCr({ cache: { enabled: true } }),
    project: project({}, null),
    build: build(),
  }) as Translation;
  assert.equal(result.claims[0].claim.metadata?.ownerReferences, undefined);
});
