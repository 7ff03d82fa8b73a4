// The brig-style commands against the test ground (the simulator, or the real control plane with
// BRIGADE_TEST_GROUND=cluster) with the real operator running in-process: each Project's brigade.js
// runs its jobs as real pods, so the CLI's log streaming is exercised for real.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { PassThrough } from 'node:stream';
import { commands } from '../../src/cli/commands/index.ts';
import type { CommandIO } from '../../src/cli/command.ts';
import { jobCrName } from '../../src/api/names.ts';
import { createProject, startTestCluster, waitFor, type TestCluster } from './cluster.ts';
import pino from 'pino';
import { startOperator, type RunningOperator } from '../../src/operator.ts';

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(cluster: TestCluster, argv: string[], stdin = '', onStdout?: (text: string) => void): Promise<Ran> {
  const [name, ...rest] = argv;
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on('data', (c: Buffer) => {
    out.push(c.toString());
    onStdout?.(out.join(''));
  });
  stderr.on('data', (c: Buffer) => err.push(c.toString()));
  const io: CommandIO = {
    stdout,
    stderr,
    stdin: PassThrough.from([stdin]),
    env: { KUBECONFIG: cluster.kubeconfigPath },
  };
  const code = await commands[name].run(rest, io);
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/**
 * A gate a job's task waits on over HTTP (pods share the host's network on both grounds): /go answers
 * 404 until the test opens it. The job's first line can only reach the CLI while the job still runs
 * if the CLI streams the pod log.
 */
class Gate {
  open = false;
  readonly server: Server = createServer((_req, res) => res.writeHead(this.open ? 200 : 404).end());
  url = '';
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/go`;
  }
}

describe('CLI commands against the test ground', () => {
  let cluster: TestCluster;
  let operator: RunningOperator;
  const stopOperator = new AbortController();
  const gate = new Gate();

  before(async () => {
    await gate.listen();
    cluster = await startTestCluster({ workloads: true });
    const job = (name: string, tasks: string[]): string =>
      `new Job(${JSON.stringify(name)}, 'alpine:3.20', ${JSON.stringify(tasks)})`;
    const exec = (body: string): string =>
      `const { events, Job } = require('brigadier');\nevents.on('exec', async () => {\n${body}\n});\n`;
    await createProject(cluster, 'hello', {
      script: exec(`await ${job('linux-job', ['echo Hello Brigade from Azure', 'echo second line'])}.run();`),
      gateways: { github: { enabled: true } },
    });
    await createProject(cluster, 'failing', {
      script: exec(
        `await ${job('ok', ['echo fine'])}.run();\nawait ${job('broken', ['echo about to fail', 'exit 3'])}.run();`,
      ),
    });
    // Prints a line, then waits for the test to open the gate.
    await createProject(cluster, 'slow', {
      script: exec(
        `await ${job('slow', ['echo first', `until wget -q -O /dev/null '${gate.url}' 2>/dev/null; do sleep 0.1; done`, 'echo second'])}.run();`,
      ),
    });
    // Handles only push, so an exec event is rejected with NoHandler.
    await createProject(cluster, 'picky', {
      script: "const { events } = require('brigadier');\nevents.on('push', () => {});\n",
    });
    operator = await startOperator({
      kubeConfig: await cluster.operatorKubeConfig(),
      namespace: cluster.namespace,
      logger: pino({ level: 'silent' }),
      signal: stopOperator.signal,
    });
    await operator.started;
  });
  after(async () => {
    stopOperator.abort();
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await operator?.done;
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- unset when before() failed
    await cluster?.stop();
    gate.server.close();
  });

  test("exec streams a running job's log as it is written", async () => {
    gate.open = false;
    let released = false;
    const r = await cli(cluster, ['exec', 'slow'], '', (text) => {
      if (!released && text.includes('[slow] first\n')) {
        released = true;
        gate.open = true;
      }
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(released, 'the first line arrived while the job was running');
    assert.match(r.stdout, /^\[slow\] first\n\[slow\] second$/m);
  });

  test("logs --follow streams a running build's job log until the build is over", async () => {
    gate.open = false;
    const started = await cli(cluster, ['exec', 'slow', '--no-follow']);
    assert.equal(started.code, 0, started.stderr);
    const build = await waitFor(
      'the build',
      async () => (await cluster.objects.get('Event', cluster.namespace, started.stdout.trim()))?.status?.build,
    );
    let released = false;
    const r = await cli(cluster, ['logs', build, '--follow'], '', (text) => {
      if (!released && text.includes('[slow] first\n')) {
        released = true;
        gate.open = true;
      }
    });
    assert.equal(r.code, 0, r.stderr);
    assert.ok(released);
    assert.equal(r.stdout, '[slow] first\n[slow] second\n');
    assert.match(r.stderr, /build \S+: Succeeded/);
  });

  test('exec of a hello project streams the job log prefixed with its name and exits 0', async () => {
    const r = await cli(cluster, ['exec', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[linux-job\] Hello Brigade from Azure$/m);
    assert.match(r.stdout, /^\[linux-job\] second line$/m);
    assert.equal(r.stdout.match(/Hello Brigade/g)?.length, 1, 'the log is printed once');
    // A job that ends before the operator sees its pod run goes from Pending to Succeeded (on the real
    // ground a pod of two echo lines often does); the table below names the node either way.
    assert.match(r.stderr, /job linux-job: (Running on node-1|Succeeded)/);
    assert.match(r.stderr, /JOB\s+PHASE\s+NODE\s+DURATION/);
    assert.match(r.stderr, /linux-job\s+Succeeded\s+node-1/);
  });

  test('exec of a failing build prints the failing job log and exits 1', async () => {
    const r = await cli(cluster, ['exec', 'failing']);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^\[ok\] fine$/m);
    assert.match(r.stdout, /^\[broken\] about to fail$/m);
    assert.match(r.stderr, /broken\s+Failed/);
    assert.match(r.stderr, /Failed \(job broken failed: the job container exited with code 3\)/);
  });

  test('exec of a rejected event prints the reason and exits 1', async () => {
    const r = await cli(cluster, ['exec', 'picky']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /rejected: NoHandler: the script has no handler for "exec" \(handles: push\)/);
  });

  test('exec of an unknown project, and a wrong command line, fail clearly', async () => {
    const missing = await cli(cluster, ['exec', 'nope']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, new RegExp(`project nope not found in namespace ${cluster.namespace}`));
    const usage = await cli(cluster, ['exec']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /Usage: brigade-operator exec/);
  });

  test('exec --no-follow prints the Event name, with the payload, revision and type given', async () => {
    const r = await cli(
      cluster,
      [
        'exec',
        'picky',
        '--no-follow',
        '--event',
        'push',
        '--commit',
        'abc1234',
        '--ref',
        'refs/heads/main',
        '--payload',
        '-',
      ],
      '{"from":"stdin"}',
    );
    assert.equal(r.code, 0, r.stderr);
    const event = await cluster.objects.get('Event', cluster.namespace, r.stdout.trim());
    assert.deepEqual(event?.spec, {
      project: 'picky',
      type: 'push',
      provider: 'cli',
      revision: { commit: 'abc1234', ref: 'refs/heads/main' },
      payload: '{"from":"stdin"}',
    });
  });

  test('builds, logs, projects and cancel', async () => {
    const builds = await cli(cluster, ['builds', 'hello']);
    assert.equal(builds.code, 0, builds.stderr);
    const [header, first] = builds.stdout.trim().split('\n');
    assert.match(header, /^NAME\s+PROJECT\s+TYPE\s+PHASE\s+JOBS\s+DURATION\s+AGE$/);
    assert.match(first, /\shello\s+exec\s+Succeeded\s/);
    const buildName = first.split(/\s+/)[0];

    const logs = await cli(cluster, ['logs', buildName]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^\[linux-job\] Hello Brigade from Azure$/m);
    // Once the pod is gone, the log kept on the Job CR is printed instead.
    const podName =
      (await cluster.objects.get('Job', cluster.namespace, jobCrName(buildName, 'linux-job')))?.status?.podName ?? '';
    await cluster.core.deleteNamespacedPod({ namespace: cluster.namespace, name: podName, gracePeriodSeconds: 0 });
    await waitFor(
      'the pod to be gone',
      async () =>
        await cluster.core.readNamespacedPod({ namespace: cluster.namespace, name: podName }).then(
          () => undefined,
          () => true,
        ),
    );
    const kept = await cli(cluster, ['logs', buildName, '--job', 'linux-job']);
    assert.equal(kept.code, 0, kept.stderr);
    assert.equal(kept.stdout, '[linux-job] Hello Brigade from Azure\n[linux-job] second line\n');
    const oneJob = await cli(cluster, ['logs', buildName, '--job', 'nope']);
    assert.equal(oneJob.code, 1);
    assert.match(oneJob.stderr, /has no job nope \(jobs: linux-job\)/);

    const projects = await cli(cluster, ['projects']);
    assert.equal(projects.code, 0);
    assert.match(projects.stdout, /^NAME\s+READY\s+HANDLERS\s+INTAKES$/m);
    assert.match(projects.stdout, /^hello\s+True\s+exec\s+github$/m);
    assert.match(projects.stdout, /^picky\s+True\s+push\s+-$/m);

    const finished = await cli(cluster, ['cancel', buildName]);
    assert.equal(finished.code, 0);
    assert.match(finished.stdout, /already finished: Succeeded/);
    const missing = await cli(cluster, ['cancel', 'no-such-build']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /build no-such-build not found/);
  });

  test('cancel of a running build sets spec.cancel', async () => {
    const ns = cluster.namespace;
    await cluster.objects.create('Build', {
      apiVersion: 'brigade.sh/v1alpha1',
      kind: 'Build',
      metadata: { name: 'running-1', namespace: ns },
      spec: {
        project: 'hello',
        event: 'e',
        type: 'exec',
        provider: 'cli',
        script: '//',
        scriptOrigin: 'project',
        cancel: false,
      },
    } as never);
    await cluster.objects.patchStatus('Build', ns, 'running-1', { phase: 'Running' });
    const r = await cli(cluster, ['cancel', 'running-1']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await cluster.objects.get('Build', ns, 'running-1'))?.spec.cancel, true);
  });
});
