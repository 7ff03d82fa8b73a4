// The simulator's workloads seen through real kubectl: scheduling, the batch/v1 Job controller and
// the kubelet running pods as local processes, against startSimulator (API server + workloads).

import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startSimulator } from '../../src/sim/index.ts';

const KUBECTL = path.resolve('node_modules/.bin/kubectl');

describe('workloads through kubectl', () => {
  let dir: string;
  let dataDir: string;
  let kubeconfig: string;
  let sim: Awaited<ReturnType<typeof startSimulator>>;

  async function kubectl(args: string[], input?: string): Promise<string> {
    const child = execFile(KUBECTL, ['--kubeconfig', kubeconfig, ...args], { timeout: 60_000 });
    const done = new Promise<string>((resolve, reject) => {
      let out = '';
      let err = '';
      child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
      child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
      child.on('error', reject);
      child.on('close', (code) => {
        if (code === 0) resolve(out);
        else reject(new Error(`kubectl ${args.join(' ')} exited ${code}: ${err}`));
      });
    });
    child.stdin?.end(input ?? '');
    return done;
  }

  const apply = (yaml: string): Promise<string> => kubectl(['apply', '-f', '-'], yaml);
  const jsonpath = (target: string, expr: string): Promise<string> =>
    kubectl(['get', target, '-o', `jsonpath=${expr}`]);

  before(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'workloads-kubectl-'));
    dataDir = path.join(dir, 'data');
    kubeconfig = path.join(dir, 'kubeconfig');
    sim = await startSimulator({ kubeconfigPath: kubeconfig, port: 0, dataDir });
  });

  after(async () => {
    await sim.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('lists the two default nodes', async () => {
    const out = await kubectl([
      'get',
      'nodes',
      '-o',
      'jsonpath={range .items[*]}{.metadata.name} {.spec.taints[0].key}{"\\n"}{end}',
    ]);
    assert.equal(out, 'node-1 \nvirtual-kubelet virtual-kubelet.io/provider\n');
  });

  it('runs a Job to completion; kubectl wait and kubectl logs job/x work', async () => {
    await apply(`
apiVersion: batch/v1
kind: Job
metadata: {name: hello}
spec:
  backoffLimit: 0
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: alpine:3.20, command: [sh, -c, 'echo hello; exit 0']}
`);
    await kubectl(['wait', '--for=condition=complete', 'job/hello', '--timeout=30s']);
    assert.equal(await kubectl(['logs', 'job/hello']), 'hello\n');
    assert.equal(await jsonpath('job/hello', '{.status.succeeded}'), '1');
    const events = await kubectl([
      'get',
      'events',
      '--field-selector',
      'reason=Pulled',
      '-o',
      'jsonpath={.items[*].message}',
    ]);
    assert.match(events, /NOT pulled/);
  });

  it('retries a failing pod once with backoffLimit 1, then fails the Job with BackoffLimitExceeded', async () => {
    await apply(`
apiVersion: batch/v1
kind: Job
metadata: {name: flaky}
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: alpine, command: [sh, -c, 'echo failing; exit 2']}
`);
    await kubectl(['wait', '--for=condition=failed', 'job/flaky', '--timeout=30s']);
    assert.equal(
      await jsonpath('job/flaky', '{.status.conditions[?(@.type=="Failed")].reason}'),
      'BackoffLimitExceeded',
    );
    const pods = await kubectl(['get', 'pods', '-l', 'job-name=flaky', '-o', 'name']);
    assert.equal(pods.trim().split('\n').length, 2);
  });

  it('kills a sleep 60 when activeDeadlineSeconds passes', async () => {
    await apply(`
apiVersion: batch/v1
kind: Job
metadata: {name: slow}
spec:
  backoffLimit: 0
  activeDeadlineSeconds: 2
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: alpine, command: [sleep, '60']}
`);
    await kubectl(['wait', '--for=condition=failed', 'job/slow', '--timeout=30s']);
    assert.equal(await jsonpath('job/slow', '{.status.conditions[?(@.type=="Failed")].reason}'), 'DeadlineExceeded');
  });

  it('deletes a finished Job after ttlSecondsAfterFinished', async () => {
    await apply(`
apiVersion: batch/v1
kind: Job
metadata: {name: ephemeral}
spec:
  ttlSecondsAfterFinished: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - {name: main, image: alpine, command: ['true']}
`);
    await kubectl(['wait', '--for=delete', 'job/ephemeral', '--timeout=30s']);
  });

  const pod = (name: string, extra: string): string => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}}
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
${extra}`;
  const tolerateVirtual = `  tolerations:
  - {key: virtual-kubelet.io/provider, operator: Exists}
`;
  const unschedulableReason = '{.status.conditions[?(@.type=="PodScheduled")].reason}';

  it('places a pod with the virtual-kubelet nodeSelector and toleration on virtual-kubelet', async () => {
    await apply(
      pod(
        'on-aci',
        `  nodeSelector: {type: virtual-kubelet}
${tolerateVirtual}  containers:
  - {name: main, image: alpine, command: ['true']}
`,
      ),
    );
    await kubectl(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/on-aci', '--timeout=30s']);
    assert.equal(await jsonpath('pod/on-aci', '{.spec.nodeName}'), 'virtual-kubelet');
  });

  it('keeps the pod Pending without the toleration, saying why', async () => {
    await apply(
      pod(
        'no-toleration',
        `  nodeSelector: {type: virtual-kubelet}
  containers:
  - {name: main, image: alpine, command: ['true']}
`,
      ),
    );
    await kubectl([
      'wait',
      `--for=jsonpath=${unschedulableReason}=Unschedulable`,
      'pod/no-toleration',
      '--timeout=30s',
    ]);
    assert.equal(await jsonpath('pod/no-toleration', '{.status.phase}'), 'Pending');
    assert.equal(
      await jsonpath('pod/no-toleration', '{.status.conditions[?(@.type=="PodScheduled")].message}'),
      "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {virtual-kubelet.io/provider: azure}.",
    );
    await kubectl(['delete', 'pod/no-toleration']);
  });

  it('sends a 3-CPU pod to virtual-kubelet only when it tolerates it', async () => {
    const cpu3 = `  containers:
  - {name: main, image: alpine, command: ['true'], resources: {requests: {cpu: '3'}}}
`;
    await apply(pod('cpu3', cpu3));
    await kubectl(['wait', `--for=jsonpath=${unschedulableReason}=Unschedulable`, 'pod/cpu3', '--timeout=30s']);
    assert.equal(
      await jsonpath('pod/cpu3', '{.status.conditions[?(@.type=="PodScheduled")].message}'),
      '0/2 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint {virtual-kubelet.io/provider: azure}.',
    );
    await apply(pod('cpu3-tolerant', `${tolerateVirtual}${cpu3}`));
    await kubectl(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/cpu3-tolerant', '--timeout=30s']);
    assert.equal(await jsonpath('pod/cpu3-tolerant', '{.spec.nodeName}'), 'virtual-kubelet');
    await kubectl(['delete', 'pod/cpu3']);
  });

  it('binds a waiting pod when room frees up', async () => {
    const sleeper = (cpu: string): string => `  containers:
  - {name: main, image: alpine, command: [sleep, '60'], resources: {requests: {cpu: '${cpu}'}}}
`;
    await apply(pod('hog', sleeper('1500m')));
    await kubectl(['wait', '--for=condition=Ready', 'pod/hog', '--timeout=30s']);
    await apply(pod('waiter', sleeper('1')));
    await kubectl(['wait', `--for=jsonpath=${unschedulableReason}=Unschedulable`, 'pod/waiter', '--timeout=30s']);
    await kubectl(['delete', 'pod/hog', '--wait=true']);
    await kubectl(['wait', '--for=condition=Ready', 'pod/waiter', '--timeout=30s']);
    assert.equal(await jsonpath('pod/waiter', '{.spec.nodeName}'), 'node-1');
    await kubectl(['delete', 'pod/waiter', '--wait=true']);
  });

  const claim = (name: string): string => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}}
spec:
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`;

  it('binds a PersistentVolumeClaim as soon as it exists', async () => {
    await apply(claim('scratch'));
    await kubectl(['wait', '--for=jsonpath={.status.phase}=Bound', 'pvc/scratch', '--timeout=30s']);
    assert.equal(await jsonpath('pvc/scratch', '{.status.capacity.storage}'), '1Gi');
  });

  it('fails a PVC pod on the virtual node with ProviderFailed', async () => {
    await apply(claim('share'));
    await apply(
      pod(
        'aci-pvc',
        `  nodeSelector: {type: virtual-kubelet}
${tolerateVirtual}  volumes:
  - {name: share, persistentVolumeClaim: {claimName: share}}
  containers:
  - {name: main, image: alpine, command: ['true'], volumeMounts: [{name: share, mountPath: /share}]}
`,
      ),
    );
    await kubectl(['wait', '--for=jsonpath={.status.phase}=Failed', 'pod/aci-pvc', '--timeout=30s']);
    assert.equal(await jsonpath('pod/aci-pvc', '{.status.reason}'), 'ProviderFailed');
    assert.match(await jsonpath('pod/aci-pvc', '{.status.message}'), /PersistentVolumeClaim/);
  });

  it('passes a secretKeyRef value into the process environment', async () => {
    await apply(`
apiVersion: v1
kind: Secret
metadata: {name: creds}
stringData: {token: s3cr3t-value}
`);
    await apply(
      pod(
        'with-secret',
        `  containers:
  - name: main
    image: alpine
    command: [sh, -c, 'echo "token is $TOKEN"']
    env:
    - name: TOKEN
      valueFrom: {secretKeyRef: {name: creds, key: token}}
`,
      ),
    );
    await kubectl(['wait', '--for=jsonpath={.status.phase}=Succeeded', 'pod/with-secret', '--timeout=30s']);
    assert.equal(await kubectl(['logs', 'pod/with-secret']), 'token is s3cr3t-value\n');
  });

  it('streams a log with kubectl logs -f while the container runs', async () => {
    // The pod waits for a file in its claim's directory, which the test creates once the first line
    // has arrived through the follow stream: proof the stream is live, not read at the end.
    await apply(claim('gate'));
    await apply(
      pod(
        'streamer',
        `  volumes:
  - {name: gate, persistentVolumeClaim: {claimName: gate}}
  containers:
  - name: main
    image: alpine
    command: [sh, -c, 'echo first; while [ ! -e gate/open ]; do sleep 0.05; done; echo second']
    volumeMounts: [{name: gate, mountPath: /gate}]
`,
      ),
    );
    await kubectl(['wait', '--for=condition=Ready', 'pod/streamer', '--timeout=30s']);
    const follower = spawn(KUBECTL, ['--kubeconfig', kubeconfig, 'logs', '-f', 'pod/streamer'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    const firstLine = new Promise<void>((resolve) =>
      follower.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('first\n')) resolve();
      }),
    );
    const exited = new Promise<number | null>((resolve) => follower.on('close', resolve));
    await firstLine;
    assert.equal(out, 'first\n');
    const gate = path.join(dataDir, 'pvc', 'default', 'gate');
    await mkdir(gate, { recursive: true });
    await writeFile(path.join(gate, 'open'), '');
    assert.equal(await exited, 0);
    assert.equal(out, 'first\nsecond\n');
  });
});
