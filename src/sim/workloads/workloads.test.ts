import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as delay } from 'node:timers/promises';
import type { KubeObject, Workloads } from '../types.ts';
import { findCondition } from './conditions.ts';
import { FakeStore } from './fake-store.test-helper.ts';
import { startWorkloads, LogRequestError } from './index.ts';
import { GVR, type JobObject, type Pod } from './kube-types.ts';

/** Polls a condition until it holds or the deadline passes (never a fixed sleep). */
async function waitFor<T>(what: string, probe: () => T | undefined | false, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await delay(10);
  }
}

function jobObject(name: string, spec: Record<string, unknown>, podSpec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'default' },
    spec: { backoffLimit: 0, ...spec, template: { spec: { restartPolicy: 'Never', ...podSpec } } },
  };
}

function podObject(name: string, spec: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { restartPolicy: 'Never', ...spec },
  };
}

const sh = (script: string): Record<string, unknown> => ({
  containers: [{ name: 'main', image: 'alpine:3', command: ['sh', '-c', script] }],
});
const tolerateVirtual = { tolerations: [{ key: 'virtual-kubelet.io/provider', operator: 'Exists' }] };

async function readAll(iterable: AsyncIterable<string>): Promise<string> {
  let out = '';
  for await (const chunk of iterable) out += chunk;
  return out;
}

describe('workloads on an in-memory store', () => {
  let store: FakeStore;
  let workloads: Workloads;
  const job = (name: string): JobObject | undefined => store.get(GVR.jobs, 'default', name) as JobObject | undefined;
  const pod = (name: string): Pod | undefined => store.get(GVR.pods, 'default', name) as Pod | undefined;
  const podsOf = (jobName: string): Pod[] =>
    (store.list(GVR.pods, { namespace: 'default' }).items as Pod[]).filter(
      (p) => p.metadata.labels?.['job-name'] === jobName,
    );
  const jobCondition = (name: string, type: string): string | undefined => {
    const c = findCondition(job(name)?.status?.conditions, type);
    return c?.status === 'True' ? c.reason : undefined;
  };

  before(async () => {
    store = new FakeStore();
    workloads = await startWorkloads({ store, restartDelayMs: () => 10 } as Parameters<typeof startWorkloads>[0]);
  });
  after(async () => {
    await workloads.stop();
  });

  it('registers node-1 and the tainted virtual-kubelet node', () => {
    const nodes = store.list(GVR.nodes).items;
    assert.deepEqual(
      nodes.map((n) => n.metadata.name),
      ['node-1', 'virtual-kubelet'],
    );
    assert.deepEqual((nodes[1].spec as { taints: unknown }).taints, [
      { key: 'virtual-kubelet.io/provider', value: 'azure', effect: 'NoSchedule' },
    ]);
  });

  it('runs a Job to completion and keeps its log', async () => {
    store.create(GVR.jobs, jobObject('hello', {}, sh('echo hello; echo oops >&2; exit 0')));
    await waitFor('Complete', () => jobCondition('hello', 'Complete'));
    const [p] = podsOf('hello');
    assert.match(p.metadata.name ?? '', /^hello-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.equal(p.status?.phase, 'Succeeded');
    assert.equal(p.spec.nodeName, 'node-1');
    assert.deepEqual(
      p.status.conditions
        ?.filter((c) => c.status === 'True')
        .map((c) => c.type)
        .sort(),
      ['Initialized', 'PodScheduled'],
    );
    assert.ok(
      store.events.some(
        (e) =>
          e.name === p.metadata.name &&
          e.reason === 'Scheduled' &&
          e.message === `Successfully assigned default/${p.metadata.name} to node-1`,
      ),
    );
    const terminated = p.status.containerStatuses?.[0].state.terminated;
    assert.equal(terminated?.exitCode, 0);
    assert.equal(terminated.reason, 'Completed');
    assert.deepEqual(
      job('hello')?.status?.conditions?.map((c) => c.type),
      ['SuccessCriteriaMet', 'Complete'],
    );
    const log = await readAll(workloads.logs.read('default', p.metadata.name ?? '', {}, new AbortController().signal));
    assert.equal(log, 'hello\noops\n');
    assert.ok(store.events.some((e) => e.reason === 'Pulled' && /NOT pulled/.test(e.message)));
    assert.ok(store.events.some((e) => e.kind === 'Job' && e.reason === 'SuccessfulCreate'));
    assert.ok(store.events.some((e) => e.kind === 'Job' && e.reason === 'Completed'));
  });

  it('retries a failing pod until backoffLimit, then fails the Job', async () => {
    store.create(GVR.jobs, jobObject('flaky', { backoffLimit: 1 }, sh('exit 3')));
    await waitFor('Failed', () => jobCondition('flaky', 'Failed'));
    assert.equal(jobCondition('flaky', 'Failed'), 'BackoffLimitExceeded');
    assert.equal(podsOf('flaky').length, 2);
    assert.equal(job('flaky')?.status?.failed, 2);
    assert.equal(podsOf('flaky')[0].status?.containerStatuses?.[0].state.terminated?.exitCode, 3);
  });

  it('kills a pod that outlives activeDeadlineSeconds', async () => {
    store.create(
      GVR.jobs,
      jobObject('slow', { activeDeadlineSeconds: 1 }, { ...sh('sleep 60'), terminationGracePeriodSeconds: 1 }),
    );
    await waitFor('Failed', () => jobCondition('slow', 'Failed'), 10_000);
    assert.equal(jobCondition('slow', 'Failed'), 'DeadlineExceeded');
    assert.equal(job('slow')?.status?.failed, 1);
  });

  it('suspends a running Job without counting a failure, and resumes it', async () => {
    store.create(GVR.jobs, jobObject('pausable', {}, { ...sh('sleep 60'), terminationGracePeriodSeconds: 1 }));
    await waitFor('pod running', () => podsOf('pausable')[0]?.status?.phase === 'Running');
    const running = job('pausable');
    store.update(GVR.jobs, { ...running, spec: { ...running?.spec, suspend: true } } as KubeObject);
    await waitFor(
      'Suspended',
      () => jobCondition('pausable', 'Suspended') === 'JobSuspended' && podsOf('pausable').length === 0,
    );
    assert.equal(job('pausable')?.status?.failed, undefined);
    const suspended = job('pausable');
    store.update(GVR.jobs, { ...suspended, spec: { ...suspended?.spec, suspend: false } } as KubeObject);
    await waitFor('pod again', () => podsOf('pausable')[0]?.status?.phase === 'Running');
    store.delete(GVR.jobs, 'default', 'pausable');
  });

  it('deletes a finished Job after ttlSecondsAfterFinished, with its pods', async () => {
    store.create(GVR.jobs, jobObject('short-lived', { ttlSecondsAfterFinished: 0 }, sh('true')));
    await waitFor('Job deleted', () => !job('short-lived') && podsOf('short-lived').length === 0);
  });

  it('passes secretKeyRef values to the process and waits for a missing Secret', async () => {
    store.create(
      GVR.pods,
      podObject('env', {
        containers: [
          {
            name: 'main',
            command: ['sh', '-c', 'echo "token=$TOKEN"'],
            env: [{ name: 'TOKEN', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }],
          },
        ],
      }),
    );
    await waitFor(
      'CreateContainerConfigError',
      () => pod('env')?.status?.containerStatuses?.[0].state.waiting?.reason === 'CreateContainerConfigError',
    );
    assert.equal(pod('env')?.status?.containerStatuses?.[0].state.waiting?.message, 'secret "creds" not found');
    // Wait for the kubelet to go idle on this pod, then check it did not retry on its own status writes.
    const failures = (): number => store.events.filter((e) => e.name === 'env' && e.reason === 'Failed').length;
    await waitFor('the config error reported', () => failures() >= 1);
    const unrelated = store.create(GVR.configMaps, {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'unrelated', namespace: 'default' },
      data: {},
    });
    await waitFor('a retry after the unrelated ConfigMap', () => failures() >= 2);
    assert.equal(failures(), 2);
    store.delete(GVR.configMaps, 'default', unrelated.metadata.name ?? '');
    await waitFor('a retry after its deletion', () => failures() >= 3);
    assert.equal(failures(), 3);
    store.create(GVR.secrets, {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'creds', namespace: 'default' },
      data: { token: Buffer.from('s3cr3t').toString('base64') },
    });
    await waitFor('Succeeded', () => pod('env')?.status?.phase === 'Succeeded');
    assert.equal(
      await readAll(workloads.logs.read('default', 'env', {}, new AbortController().signal)),
      'token=s3cr3t\n',
    );
  });

  it('keeps a pod whose claim is missing Pending, then runs it once the claim exists and is bound', async () => {
    store.create(
      GVR.pods,
      podObject('needs-claim', {
        volumes: [{ name: 'share', persistentVolumeClaim: { claimName: 'share' } }],
        containers: [
          {
            name: 'main',
            command: ['sh', '-c', 'echo data > share/file'],
            volumeMounts: [{ name: 'share', mountPath: '/share' }],
          },
        ],
      }),
    );
    const message = await waitFor(
      'Unschedulable',
      () => findCondition(pod('needs-claim')?.status?.conditions, 'PodScheduled')?.message,
    );
    assert.equal(message, '0/2 nodes are available: persistentvolumeclaim "share" not found.');
    store.create(GVR.claims, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'share', namespace: 'default' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Pending' },
    });
    await waitFor('Succeeded', () => pod('needs-claim')?.status?.phase === 'Succeeded');
    assert.deepEqual(store.get(GVR.claims, 'default', 'share')?.status, {
      phase: 'Bound',
      accessModes: ['ReadWriteOnce'],
      capacity: { storage: '1Gi' },
    });
  });

  it('fails a PVC pod on the virtual node with ProviderFailed before running it', async () => {
    store.create(GVR.claims, {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'aci-share', namespace: 'default' },
      spec: { resources: { requests: { storage: '1Gi' } } },
    });
    store.create(
      GVR.pods,
      podObject('aci-pvc', {
        ...sh('echo should-not-run'),
        ...tolerateVirtual,
        nodeSelector: { type: 'virtual-kubelet' },
        volumes: [{ name: 'share', persistentVolumeClaim: { claimName: 'aci-share' } }],
      }),
    );
    await waitFor('Failed', () => pod('aci-pvc')?.status?.phase === 'Failed');
    assert.equal(pod('aci-pvc')?.spec.nodeName, 'virtual-kubelet');
    assert.equal(pod('aci-pvc')?.status?.reason, 'ProviderFailed');
    assert.match(pod('aci-pvc')?.status?.message ?? '', /PersistentVolumeClaim/);
    assert.equal(workloads.logs.has('default', 'aci-pvc'), false);
  });

  it('fails a privileged pod on the virtual node with ProviderFailed, as the real node agent does', async () => {
    store.create(
      GVR.pods,
      podObject('aci-priv', {
        containers: [
          { name: 'main', command: ['sh', '-c', 'echo should-not-run'], securityContext: { privileged: true } },
        ],
        ...tolerateVirtual,
        nodeSelector: { type: 'virtual-kubelet' },
      }),
    );
    await waitFor('Failed', () => pod('aci-priv')?.status?.phase === 'Failed');
    assert.equal(pod('aci-priv')?.status?.reason, 'ProviderFailed');
    assert.match(pod('aci-priv')?.status?.message ?? '', /privileged containers are not supported/);
  });

  it('keeps an unschedulable pod Pending and binds it once room frees up', async () => {
    const hog = (name: string, cpu: string): KubeObject =>
      podObject(name, {
        containers: [{ name: 'main', command: ['sleep', '60'], resources: { requests: { cpu } } }],
        terminationGracePeriodSeconds: 1,
      });
    store.create(GVR.pods, hog('hog', '1500m'));
    await waitFor('hog running', () => pod('hog')?.status?.phase === 'Running');
    store.create(GVR.pods, hog('waiter', '1'));
    const scheduled = await waitFor('Unschedulable', () => {
      const c = findCondition(pod('waiter')?.status?.conditions, 'PodScheduled');
      return c?.reason === 'Unschedulable' ? c : undefined;
    });
    assert.equal(
      scheduled.message,
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {virtual-kubelet.io/provider: azure}.',
    );
    assert.ok(store.events.some((e) => e.name === 'waiter' && e.reason === 'FailedScheduling'));
    store.delete(GVR.pods, 'default', 'hog');
    await waitFor('waiter bound', () => pod('waiter')?.spec.nodeName === 'node-1');
    await waitFor('waiter running', () => pod('waiter')?.status?.phase === 'Running');
    store.delete(GVR.pods, 'default', 'waiter');
  });

  it('reports a malformed resource quantity as unschedulable instead of retrying forever', async () => {
    store.create(
      GVR.pods,
      podObject('bad-cpu', {
        containers: [{ name: 'main', command: ['true'], resources: { requests: { cpu: 'lots' } } }],
      }),
    );
    const message = await waitFor(
      'Unschedulable',
      () => findCondition(pod('bad-cpu')?.status?.conditions, 'PodScheduled')?.message,
    );
    assert.match(message, /^0\/2 nodes are available: quantities must match/);
    store.delete(GVR.pods, 'default', 'bad-cpu');
  });

  it('kills a pod that outlives its own activeDeadlineSeconds and fails it with DeadlineExceeded', async () => {
    store.create(
      GVR.pods,
      podObject('pod-deadline', { ...sh('sleep 60'), activeDeadlineSeconds: 1, terminationGracePeriodSeconds: 1 }),
    );
    await waitFor('Failed', () => pod('pod-deadline')?.status?.phase === 'Failed', 10_000);
    assert.equal(pod('pod-deadline')?.status?.reason, 'DeadlineExceeded');
    assert.equal(pod('pod-deadline')?.status?.containerStatuses?.[0].state.terminated?.exitCode, 143);
  });

  it('fails a container without command with StartError', async () => {
    store.create(GVR.pods, podObject('no-cmd', { containers: [{ name: 'main', image: 'nginx' }] }));
    await waitFor('Failed', () => pod('no-cmd')?.status?.phase === 'Failed');
    const terminated = pod('no-cmd')?.status?.containerStatuses?.[0].state.terminated;
    assert.equal(terminated?.reason, 'StartError');
    assert.match(terminated.message ?? '', /cannot know their entrypoint/);
  });

  it('fails a container whose volumeMount names no volume, saying so', async () => {
    store.create(
      GVR.pods,
      podObject('bad-mount', {
        containers: [{ name: 'main', command: ['true'], volumeMounts: [{ name: 'missing', mountPath: '/data' }] }],
      }),
    );
    await waitFor('Failed', () => pod('bad-mount')?.status?.phase === 'Failed');
    assert.equal(
      pod('bad-mount')?.status?.containerStatuses?.[0].state.terminated?.message,
      'volumeMount "missing" names no volume of the pod',
    );
  });

  it('keeps mounts inside the container root even for paths with ..', async () => {
    store.create(
      GVR.pods,
      podObject('dotdot', {
        volumes: [{ name: 'v', emptyDir: {} }],
        containers: [
          {
            name: 'main',
            command: ['sh', '-c', 'echo inside > etc/marker && cat etc/marker'],
            volumeMounts: [{ name: 'v', mountPath: '/../../etc' }],
          },
        ],
      }),
    );
    await waitFor('Succeeded', () => pod('dotdot')?.status?.phase === 'Succeeded');
    assert.equal(await readAll(workloads.logs.read('default', 'dotdot', {}, new AbortController().signal)), 'inside\n');
  });

  it('runs init containers first, in order, then the containers', async () => {
    store.create(
      GVR.pods,
      podObject('init', {
        volumes: [{ name: 'work', emptyDir: {} }],
        initContainers: [
          {
            name: 'one',
            command: ['sh', '-c', 'echo one > work/order'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
          {
            name: 'two',
            command: ['sh', '-c', 'echo two >> work/order'],
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
        containers: [
          {
            name: 'main',
            command: ['cat', 'order'],
            workingDir: '/work',
            volumeMounts: [{ name: 'work', mountPath: '/work' }],
          },
        ],
      }),
    );
    await waitFor('Succeeded', () => pod('init')?.status?.phase === 'Succeeded');
    assert.equal(
      await readAll(workloads.logs.read('default', 'init', { container: 'main' }, new AbortController().signal)),
      'one\ntwo\n',
    );
    assert.throws(
      () => workloads.logs.read('default', 'init', { container: 'nope' }, new AbortController().signal),
      LogRequestError,
    );
  });

  it('restarts a failing container under restartPolicy OnFailure and keeps the previous log', async () => {
    store.create(
      GVR.pods,
      podObject('retry', {
        restartPolicy: 'OnFailure',
        volumes: [{ name: 'state', emptyDir: {} }],
        containers: [
          {
            name: 'main',
            command: [
              'sh',
              '-c',
              'if [ -e state/once ]; then echo second; else touch state/once; echo first; exit 1; fi',
            ],
            volumeMounts: [{ name: 'state', mountPath: '/state' }],
          },
        ],
      }),
    );
    await waitFor('Succeeded', () => pod('retry')?.status?.phase === 'Succeeded');
    const status = pod('retry')?.status?.containerStatuses?.[0];
    assert.equal(status?.restartCount, 1);
    assert.equal(status.lastState.terminated?.exitCode, 1);
    assert.equal(
      await readAll(workloads.logs.read('default', 'retry', { previous: true }, new AbortController().signal)),
      'first\n',
    );
    assert.equal(await readAll(workloads.logs.read('default', 'retry', {}, new AbortController().signal)), 'second\n');
  });

  it('on graceful deletion stops the processes, then removes the pod with grace 0', async () => {
    store.gracefulPodDeletion = true;
    try {
      store.create(GVR.pods, podObject('graceful', { ...sh('sleep 60'), terminationGracePeriodSeconds: 5 }));
      await waitFor('running', () => pod('graceful')?.status?.phase === 'Running');
      store.delete(GVR.pods, 'default', 'graceful');
      assert.ok(pod('graceful')?.metadata.deletionTimestamp);
      await waitFor('pod removed', () => !pod('graceful'));
      assert.ok(store.events.some((e) => e.name === 'graceful' && e.reason === 'Killing'));
      assert.equal(workloads.logs.has('default', 'graceful'), false);
    } finally {
      store.gracefulPodDeletion = false;
    }
  });

  it('streams a running container log with follow until it exits', async () => {
    store.create(GVR.pods, podObject('chatty', sh('echo first; sleep 0.3; echo second')));
    await waitFor('running', () => workloads.logs.has('default', 'chatty'));
    const chunks: string[] = [];
    for await (const chunk of workloads.logs.read(
      'default',
      'chatty',
      { follow: true, timestamps: true },
      new AbortController().signal,
    ))
      chunks.push(chunk);
    assert.equal(chunks.length, 2);
    assert.match(chunks[0], /^\d{4}-\d\d-\d\dT[\d:.]+Z first\n$/);
    assert.match(chunks[1], / second\n$/);
    assert.equal(pod('chatty')?.status?.phase ?? 'Succeeded', 'Succeeded');
  });
});

describe('workloads when the host fails them', () => {
  it('fails the pod with SimulatorError instead of leaving it Pending', async () => {
    const store = new FakeStore();
    const errors: string[] = [];
    // A data dir that is a file: no volume directory can be made under it.
    const workloads = await startWorkloads({
      store,
      dataDir: '/dev/null',
      onError: (err: unknown) => errors.push(String(err)),
    } as Parameters<typeof startWorkloads>[0]);
    try {
      store.create(GVR.pods, podObject('doomed', { volumes: [{ name: 'v', emptyDir: {} }], ...sh('true') }));
      const get = (): Pod | undefined => store.get(GVR.pods, 'default', 'doomed') as Pod | undefined;
      await waitFor('Failed', () => get()?.status?.phase === 'Failed');
      assert.equal(get()?.status?.reason, 'SimulatorError');
      assert.match(get()?.status?.message ?? '', /^the simulated kubelet failed to run this pod: .*ENOTDIR/);
      assert.equal(errors.length, 1);
    } finally {
      await workloads.stop();
    }
  });
});

describe('workloads with configured nodes', () => {
  it('registers only the given nodes and schedules against their allocatable', async () => {
    const store = new FakeStore();
    const workloads = await startWorkloads({
      store,
      nodes: [{ name: 'small', labels: { size: 's' }, allocatable: { cpu: '500m', memory: '1Gi', pods: '1' } }],
    });
    try {
      assert.deepEqual(
        store.list(GVR.nodes).items.map((n) => [n.metadata.name, n.metadata.labels?.size]),
        [['small', 's']],
      );
      const sleeper = (name: string): KubeObject =>
        podObject(name, { containers: [{ name: 'main', command: ['sleep', '60'] }], terminationGracePeriodSeconds: 1 });
      store.create(GVR.pods, sleeper('first'));
      const get = (name: string): Pod | undefined => store.get(GVR.pods, 'default', name) as Pod | undefined;
      await waitFor('first running', () => get('first')?.status?.phase === 'Running');
      assert.equal(get('first')?.spec.nodeName, 'small');
      store.create(GVR.pods, sleeper('second'));
      const message = await waitFor(
        'second unschedulable',
        () => findCondition(get('second')?.status?.conditions, 'PodScheduled')?.message,
      );
      assert.equal(message, '0/1 nodes are available: 1 Too many pods.');
    } finally {
      await workloads.stop();
    }
  });
});
