// The objects the translation produces are accepted by the simulator's API server as they are
// (built-in schemas for batch/v1 Job, PersistentVolumeClaim and Secret, name and label rules), and
// the Job CR the controller writes is accepted by the generated CRD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SimulatorStore, bootstrap } from '../sim/apiserver/index.ts';
import type { KubeObject } from '../sim/types.ts';
import { crdManifests } from '../api/crds.ts';
import type { JobSpec } from '../api/types.ts';
import { jobEnvSecret, splitJobEnv } from './env.ts';
import { build, jobCr, project } from './fixtures.ts';
import { translateJob } from './translate.ts';

const GVR = {
  crd: { group: 'apiextensions.k8s.io', version: 'v1', resource: 'customresourcedefinitions' },
  namespace: { group: '', version: 'v1', resource: 'namespaces' },
  batchJob: { group: 'batch', version: 'v1', resource: 'jobs' },
  claim: { group: '', version: 'v1', resource: 'persistentvolumeclaims' },
  secret: { group: '', version: 'v1', resource: 'secrets' },
  jobCr: { group: 'brigade.sh', version: 'v1alpha1', resource: 'jobs' },
};

function newStore(): SimulatorStore {
  const store = new SimulatorStore();
  bootstrap(store);
  store.create(GVR.namespace, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'ci' } });
  for (const crd of crdManifests()) store.create(GVR.crd, crd as unknown as KubeObject);
  return store;
}

const proj = project({
  repo: { cloneURL: 'https://github.com/org/demo.git' },
  storage: { enabled: true, storageClassName: 'azurefile' },
  policy: { allowPrivileged: true, allowDockerSocket: true, allowHostMounts: true },
  jobDefaults: { imagePullSecrets: ['registry'], resources: { requests: { cpu: '250m', memory: '64Mi' } } },
});

const VARIANTS: Array<[string, Partial<JobSpec>]> = [
  ['plain', {}],
  [
    'downward',
    {
      env: [
        { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP', apiVersion: 'v1' } } },
      ],
    },
  ],
  ['virtual', { host: { name: 'virtual-kubelet' }, args: ['a'] }],
  ['burst', { host: { placement: 'burst', os: 'linux' } }],
  [
    'full node',
    {
      storage: { enabled: true },
      cache: { enabled: true },
      docker: { enabled: true },
      privileged: true,
      volumes: [{ name: 'h', hostPath: { path: '/tmp' } }],
      volumeMounts: [{ name: 'h', mountPath: '/h' }],
    },
  ],
  [
    'command',
    {
      tasks: [],
      command: ['make'],
      args: ['test'],
      shell: '/bin/bash',
      imageForcePull: true,
      annotations: { 'example.com/a': 'b' },
    },
  ],
];

test('every translated child Job, claim and env Secret is accepted by the API server', () => {
  const store = newStore();
  try {
    for (const [label, spec] of VARIANTS) {
      const job = {
        ...jobCr(spec, null),
        metadata: { name: `demo-1-${label.replace(/ /g, '-')}-0a1b2c3d`, namespace: 'ci' },
      };
      const created = store.create(GVR.jobCr, job);
      const result = translateJob({
        job: { ...job, metadata: { ...job.metadata, uid: created.metadata.uid } },
        project: proj,
        build: build(),
      });
      assert.equal(result.refused, false, `${label}: ${result.refused ? result.message : ''}`);
      const { batchJob, claims } = result;
      const stored = store.create(GVR.batchJob, batchJob as unknown as KubeObject);
      assert.equal(stored.metadata.ownerReferences?.[0]?.uid, created.metadata.uid, label);
      for (const { claim } of claims) {
        if (!store.get(GVR.claim, 'ci', claim.metadata?.name ?? ''))
          store.create(GVR.claim, claim as unknown as KubeObject);
      }
    }
    const split = splitJobEnv({
      env: { TOKEN: 'not-for-crs', MODE: 'x' },
      secretValues: ['not-for-crs'],
      jobCrName: 'demo-1-plain-0a1b2c3d',
    });
    const secret = jobEnvSecret({
      jobCr: { name: 'demo-1-plain-0a1b2c3d', namespace: 'ci', uid: 'u' },
      project: 'demo',
      build: 'demo-1',
      data: split.secretData,
    });
    store.create(GVR.secret, secret as unknown as KubeObject);
    assert.equal(store.list(GVR.claim, { namespace: 'ci' }).items.length, 2);
  } finally {
    store.stop();
  }
});

test('a Job CR with env split by splitJobEnv is accepted by the CRD and holds no secret value', () => {
  const store = newStore();
  try {
    const split = splitJobEnv({
      env: { TOKEN: 'hunter2-hunter2', MODE: 'x' },
      secretValues: ['hunter2-hunter2'],
      jobCrName: 'demo-1-test-0a1b2c3d',
    });
    const stored = store.create(GVR.jobCr, jobCr({ env: split.env }, null) as unknown as KubeObject);
    assert.equal(JSON.stringify(stored).includes('hunter2'), false);
    assert.deepEqual((stored.spec as JobSpec).env, split.env);
  } finally {
    store.stop();
  }
});
