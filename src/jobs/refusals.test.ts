import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobSpec, ProjectSpec } from '../api/types.ts';
import { build, jobCr, project } from './fixtures.ts';
import { translateJob } from './translate.ts';
import type { TranslateResult, Translation } from './types.ts';

function translate(job: Partial<JobSpec>, proj: Partial<ProjectSpec> = {}): TranslateResult {
  return translateJob({ job: jobCr(job), project: project(proj), build: build() });
}

const ALLOW_ALL = {
  policy: { allowPrivileged: true, allowDockerSocket: true, allowHostMounts: true, allowedVolumeClaims: ['x'] },
  storage: { enabled: true },
};

test('a privileged job is refused unless policy.allowPrivileged', () => {
  assert.deepEqual(translate({ privileged: true }), {
    refused: true,
    reason: 'PolicyViolation',
    message:
      'job "test" asks for what project "demo" does not allow: a privileged container (set spec.policy.allowPrivileged: true on the Project to allow it; Brigade 1 allowed it by default)',
  });
  const ok = translate({ privileged: true }, { policy: { allowPrivileged: true } }) as Translation;
  assert.deepEqual(ok.batchJob.spec?.template.spec?.containers[0].securityContext, { privileged: true });
});

test('the docker socket is refused unless policy.allowDockerSocket, and mounted when allowed', () => {
  assert.deepEqual(translate({ docker: { enabled: true } }), {
    refused: true,
    reason: 'PolicyViolation',
    message:
      'job "test" asks for what project "demo" does not allow: the docker socket (set spec.policy.allowDockerSocket: true on the Project to allow it)',
  });
  const ok = translate({ docker: { enabled: true } }, { policy: { allowDockerSocket: true } }) as Translation;
  const pod = ok.batchJob.spec?.template.spec;
  assert.deepEqual(pod?.volumes, [
    { name: 'brigade-docker-socket', hostPath: { path: '/var/run/docker.sock', type: 'Socket' } },
  ]);
  assert.deepEqual(pod.containers[0].volumeMounts, [
    { name: 'brigade-docker-socket', mountPath: '/var/run/docker.sock' },
  ]);
});

test('hostPath volumes are refused unless policy.allowHostMounts', () => {
  const volumes = [{ name: 'logs', hostPath: { path: '/var/log' } }];
  assert.deepEqual(translate({ volumes }), {
    refused: true,
    reason: 'PolicyViolation',
    message:
      'job "test" asks for what project "demo" does not allow: hostPath volume "logs" (set spec.policy.allowHostMounts: true on the Project to allow it)',
  });
  assert.equal(translate({ volumes }, { policy: { allowHostMounts: true } }).refused, false);
});

test('build storage is refused when the project does not enable it', () => {
  assert.deepEqual(translate({ storage: { enabled: true } }), {
    refused: true,
    reason: 'PolicyViolation',
    message:
      'job "test" asks for what project "demo" does not allow: build storage (set spec.storage.enabled: true on the Project to allow it; Brigade 1 created it for every build)',
  });
});

test('all policy violations are named in one message', () => {
  const result = translate({ privileged: true, docker: { enabled: true } });
  assert.equal(
    result.refused && result.message,
    'job "test" asks for what project "demo" does not allow: a privileged container (set spec.policy.allowPrivileged: true on the Project to allow it; Brigade 1 allowed it by default), the docker socket (set spec.policy.allowDockerSocket: true on the Project to allow it)',
  );
});

test('on the virtual node, each feature it cannot provide is refused by name', () => {
  const cases: Array<[Partial<JobSpec>, string]> = [
    [{ privileged: true }, 'a privileged container (privileged)'],
    [{ storage: { enabled: true } }, 'build storage (storage.enabled: a PersistentVolumeClaim)'],
    [{ cache: { enabled: true } }, 'a job cache (cache.enabled: a PersistentVolumeClaim)'],
    [{ docker: { enabled: true } }, 'the docker socket (docker.enabled: a hostPath volume)'],
    [{ volumes: [{ name: 'h', hostPath: { path: '/tmp' } }] }, 'hostPath volume "h"'],
    [{ volumes: [{ name: 'd', downwardAPI: { items: [] } }] }, 'downwardAPI volume "d"'],
    [{ volumes: [{ name: 'p', persistentVolumeClaim: { claimName: 'x' } }] }, 'persistentVolumeClaim volume "p"'],
    [
      { volumes: [{ name: 'pr', projected: { sources: [{ downwardAPI: { items: [] } }] } }] },
      'downwardAPI projection in volume "pr"',
    ],
  ];
  for (const [spec, feature] of cases) {
    assert.deepEqual(translate({ ...spec, host: { name: 'virtual-kubelet' } }, ALLOW_ALL), {
      refused: true,
      reason: 'UnsupportedOnVirtualNode',
      message: `job "test" is placed on the virtual node, which cannot provide ${feature}; run it on regular nodes or drop it`,
    });
  }
});

test('several unsupported features are listed together', () => {
  const result = translate(
    { host: { placement: 'virtual' }, storage: { enabled: true }, cache: { enabled: true } },
    ALLOW_ALL,
  );
  assert.equal(
    result.refused && result.message,
    'job "test" is placed on the virtual node, which cannot provide build storage (storage.enabled: a PersistentVolumeClaim), a job cache (cache.enabled: a PersistentVolumeClaim); run it on regular nodes or drop them',
  );
});

test('policy is checked before placement', () => {
  const result = translate({ host: { placement: 'virtual' }, docker: { enabled: true } });
  assert.equal(result.refused && result.reason, 'PolicyViolation');
});

test('a virtual-node pod never has PVC, hostPath or downwardAPI volumes, and always a command', () => {
  const variants: Array<Partial<JobSpec>> = [
    { tasks: ['make'] },
    { tasks: [], command: ['make'], args: ['test'] },
    { tasks: [], command: ['make'] },
    { volumes: [{ name: 'scratch', emptyDir: {} }], volumeMounts: [{ name: 'scratch', mountPath: '/scratch' }] },
  ];
  const proj = { ...ALLOW_ALL, repo: { cloneURL: 'https://example.com/demo.git' } };
  for (const spec of variants) {
    const result = translate({ ...spec, host: { name: 'virtual-kubelet' } }, proj) as Translation;
    assert.equal(result.refused, false);
    const pod = result.batchJob.spec?.template.spec;
    for (const volume of pod?.volumes ?? []) {
      assert.equal(
        volume.persistentVolumeClaim ?? volume.hostPath ?? volume.downwardAPI,
        undefined,
        JSON.stringify(volume),
      );
    }
    assert.ok((pod?.containers[0].command ?? []).length > 0);
    assert.equal(pod?.initContainers, undefined);
  }
});

test('on the virtual node an entrypoint job with args is refused, naming args without command', () => {
  assert.deepEqual(translate({ tasks: [], args: ['--verbose'], host: { name: 'virtual-kubelet' } }), {
    refused: true,
    reason: 'UnsupportedOnVirtualNode',
    message:
      'job "test" is placed on the virtual node, which cannot provide args without command (the image\'s own entrypoint with args: Azure Container Instances accepts args only together with command); run it on regular nodes or drop it',
  });
});

test('on the virtual node an entrypoint job that clones its source is refused; without source it runs the entrypoint', () => {
  const withRepo = { repo: { cloneURL: 'https://example.com/demo.git' } };
  const refused = translate({ tasks: [], host: { placement: 'virtual' } }, withRepo);
  assert.equal(refused.refused && refused.reason, 'UnsupportedOnVirtualNode');
  assert.match(
    refused.refused ? refused.message : '',
    /cloning the source before the image's own entrypoint \(useSource: needs an init container\)/,
  );
  const ok = translate({ tasks: [], useSource: false, host: { placement: 'virtual' } }, withRepo) as Translation;
  assert.equal(ok.refused, false);
  assert.equal(ok.batchJob.spec?.template.spec?.containers[0].command, undefined);
  assert.equal(ok.batchJob.spec?.template.spec?.containers[0].args, undefined);
});

test('a burst entrypoint job that needs a full node stays on regular nodes', () => {
  const ok = translate({ tasks: [], args: ['--verbose'], host: { placement: 'burst' } }) as Translation;
  assert.equal(ok.refused, false);
  assert.equal(ok.placement, 'regular');
  assert.deepEqual(ok.batchJob.spec?.template.spec?.containers[0].args, ['--verbose']);
});

function refusal(job: Partial<JobSpec>, proj: Partial<ProjectSpec> = {}): string {
  const result = translate(job, proj);
  if (!result.refused) assert.fail('expected a refusal');
  assert.equal(result.reason, 'PolicyViolation');
  return result.message;
}

test("env secretKeyRef to a Secret other than the project's own is refused unless the policy lists it", () => {
  const env = [{ name: 'DB', valueFrom: { secretKeyRef: { name: 'other-team-db', key: 'password' } } }];
  assert.equal(
    refusal({ env }),
    'job "test" asks for what project "demo" does not allow: env DB: secretKeyRef to Secret "other-team-db" (list it in spec.policy.allowedSecrets on the Project to allow it)',
  );
  assert.equal(translate({ env }, { policy: { allowedSecrets: ['other-team-db'] } }).refused, false);
  // The project's own Secret and the job's env Secret need no entry.
  const own = [
    { name: 'A', valueFrom: { secretKeyRef: { name: 'demo-secrets', key: 'a' } } },
    { name: 'B', valueFrom: { secretKeyRef: { name: 'demo-1-test-0a1b2c3d-env', key: 'B' } } },
  ];
  const ownResult = translate({ env: own }, { secretRef: { name: 'demo-secrets' } });
  assert.equal(ownResult.refused, false, ownResult.refused ? ownResult.message : '');
});

test('secret volumes, projected secrets and volume credentials name only granted Secrets', () => {
  const volumes = [
    { name: 'tls', secret: { secretName: 'ingress-tls' } },
    { name: 'mix', projected: { sources: [{ secret: { name: 'signing-key' } }, { configMap: { name: 'cm' } }] } },
    { name: 'share', azureFile: { secretName: 'storage-account', shareName: 's' } },
    { name: 'csi', csi: { driver: 'x', nodePublishSecretRef: { name: 'csi-creds' } } },
  ];
  const message = refusal({ volumes });
  for (const name of ['ingress-tls', 'signing-key', 'storage-account', 'csi-creds'])
    assert.match(message, new RegExp(`Secret "${name}"`));
  assert.doesNotMatch(message, /"cm"/);
  assert.match(message, /volume "tls": Secret "ingress-tls" \(list it in spec.policy.allowedSecrets/);
  const allowed = translate(
    { volumes },
    { policy: { allowedSecrets: ['ingress-tls', 'signing-key', 'storage-account', 'csi-creds'] } },
  );
  assert.equal(allowed.refused, false);
});

test('a job names only the service accounts the policy allows', () => {
  assert.match(
    refusal({ serviceAccountName: 'cluster-admin-sa' }),
    /serviceAccount "cluster-admin-sa" \(list it in spec.policy.allowedServiceAccounts on the Project, or make it spec.jobDefaults.serviceAccountName, to allow it\)/,
  );
  assert.equal(
    translate({ serviceAccountName: 'builder' }, { jobDefaults: { serviceAccountName: 'builder' } }).refused,
    false,
  );
  assert.equal(
    translate({ serviceAccountName: 'deployer' }, { policy: { allowedServiceAccounts: ['deployer'] } }).refused,
    false,
  );
});

test('a projected service account token needs policy.allowServiceAccountToken', () => {
  const volumes = [
    { name: 'token', projected: { sources: [{ serviceAccountToken: { path: 't', audience: 'vault' } }] } },
  ];
  assert.match(
    refusal({ volumes }),
    /volume "token": a projected service account token \(set spec.policy.allowServiceAccountToken: true on the Project to allow it\)/,
  );
  assert.equal(translate({ volumes }, { policy: { allowServiceAccountToken: true } }).refused, false);
});

test('a PersistentVolumeClaim volume needs the claim in policy.allowedVolumeClaims', () => {
  const volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'other-project-cache' } }];
  assert.match(
    refusal({ volumes }),
    /volume "data": PersistentVolumeClaim "other-project-cache" \(list it in spec.policy.allowedVolumeClaims on the Project to allow it\)/,
  );
  assert.equal(translate({ volumes }, { policy: { allowedVolumeClaims: ['other-project-cache'] } }).refused, false);
});

test("a job's own imagePullSecrets are grants too", () => {
  assert.match(
    refusal({ imagePullSecrets: ['other-registry'] }),
    /imagePullSecrets: Secret "other-registry" \(list it in spec.policy.allowedSecrets or spec.jobDefaults.imagePullSecrets/,
  );
  assert.equal(translate({ imagePullSecrets: ['reg'] }, { jobDefaults: { imagePullSecrets: ['reg'] } }).refused, false);
});

test('an image that cannot be a reference is refused as InvalidJob naming the field; valid forms pass', () => {
  for (const image of ['alpine 3.4', 'Alpine:3.4', 'MyOrg/app', 'alpine:', 'ubuntu:bad tag', ':latest']) {
    const r = translate({ image });
    assert.equal(r.refused, true, image);
    assert.equal((r as { reason: string }).reason, 'InvalidJob', image);
    assert.match(
      (r as { message: string }).message,
      /job "test" has an invalid image ".*" \(its image\): an image reference is/,
    );
  }
  const fromDefaults = translate({ image: undefined }, { jobDefaults: { image: 'alpine 3.4' } });
  assert.match((fromDefaults as { message: string }).message, /\(the project's spec.jobDefaults.image\)/);
  for (const image of [
    'alpine',
    'alpine:3.20',
    'docker.io/library/alpine:3.20',
    'localhost:5000/team/tool',
    'registry.example.com:8443/a/b-c__d.e:v1.2_3',
    'Registry.Example.com/app',
    `ghcr.io/org/app@sha256:${'a'.repeat(64)}`,
  ]) {
    assert.equal('refused' in translate({ image }) && translate({ image }).refused, false, image);
  }
});
