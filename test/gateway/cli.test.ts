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
import { createProject, createSecret, startTestCluster, waitFor, type TestCluster } from './cluster.ts';
import { spawn } from 'node:child_process';
import { kubectl, runTool } from '../helpers/tools.ts';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
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
    // A console line and a short job, for the many-runs test; a secret printed by script and job.
    await createProject(cluster, 'quick', {
      script: exec(`console.log('script says hi');\nawait ${job('q', ['echo done'])}.run();`),
    });
    await createSecret(cluster, 'leaky-secrets', { token: 's3cr3t-t0ken-value' });
    await createProject(cluster, 'leaky', {
      secretRef: { name: 'leaky-secrets' },
      script: [
        "const { events, Job } = require('brigadier');",
        "events.on('exec', async (e, p) => {",
        "  console.log('token is ' + p.secrets.token);",
        "  const j = new Job('leak', 'alpine:3.20', ['echo job sees $TOKEN']);",
        '  j.env = { TOKEN: p.secrets.token };',
        '  await j.run();',
        '});',
      ].join('\n'),
    });
    // No script of its own: it runs the scripts events carry.
    await createProject(cluster, 'scriptless', { policy: { allowEventScripts: true } });
    // A job whose image cannot be a reference.
    await createProject(cluster, 'bad-image', {
      script: exec("await new Job('spaced', 'alpine 3.4', ['true']).run();"),
    });
    // Never Ready: a syntax error.
    await createProject(cluster, 'broken-script', { script: "events.on('exec', () => {" });
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
    await operator.done;
    await cluster.stop();
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
    assert.match(r.stdout, /^\d\d:\d\d:\d\d \[slow\] first\n\d\d:\d\d:\d\d \[slow\] second$/m);
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

  // Each run is bounded below; the test as a whole gets room for a loaded machine.
  test(
    'exec returns after every one of 40 short builds, with the script console and job lines timestamped',
    { timeout: 900_000 },
    async () => {
      // A hang is what this catches: each run is bounded by a generous timeout, which only a run that
      // never returns can reach.
      const RUNS = 40;
      for (let i = 0; i < RUNS; i++) {
        let timer: NodeJS.Timeout | undefined;
        const bound = new Promise<never>((_resolve, reject) => {
          timer = setTimeout(() => {
            reject(new Error(`exec run ${i + 1} of ${RUNS} did not return`));
          }, 90_000);
        });
        try {
          const r = await Promise.race([cli(cluster, ['exec', 'quick']), bound]);
          assert.equal(r.code, 0, r.stderr);
          assert.match(r.stdout, /^\d\d:\d\d:\d\d \[brigade\.js\] script says hi$/m);
          assert.match(r.stdout, /^\d\d:\d\d:\d\d \[q\] done$/m);
          assert.equal(r.stdout.match(/script says hi/g)?.length, 1, 'the console line is printed once');
        } finally {
          clearTimeout(timer);
        }
      }
    },
  );

  test("exec and logs redact the project's secret values from script console and job logs", async () => {
    const r = await cli(cluster, ['exec', 'leaky', '--no-timestamps']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[brigade\.js\] token is \*\*\*$/m);
    assert.match(r.stdout, /^\[leak\] job sees \*\*\*$/m);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cr3t-t0ken-value/);
    const build = /build (\S+): Succeeded/.exec(r.stderr)?.[1] ?? '';
    const logs = await cli(cluster, ['logs', build]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^\[leak\] job sees \*\*\*$/m);
    assert.doesNotMatch(logs.stdout + logs.stderr, /s3cr3t-t0ken-value/);
  });

  test('exec of a project that is not Ready says why at once and creates no event', async () => {
    await waitFor('the project to be reconciled', async () => {
      const p = await cluster.objects.get('Project', cluster.namespace, 'broken-script');
      return p?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False') ? true : undefined;
    });
    const r = await cli(cluster, ['exec', 'broken-script']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /project broken-script is not Ready: ScriptSyntaxError: brigade\.js:\d+:\d+: /);
    assert.doesNotMatch(r.stderr, /waiting for the operator/);
    const events = await cluster.objects.list('Event', cluster.namespace);
    assert.equal(events.filter((e) => e.spec.project === 'broken-script').length, 0);
  });

  /** Runs the CLI as a process, sends SIGINT once `ready` shows on stdout; its exit code and stderr. */
  async function interruptWhen(args: string[], ready: string): Promise<{ code: number | null; stderr: string }> {
    const main = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    const child = spawn(process.execPath, [main, ...args, '--kubeconfig', cluster.kubeconfigPath], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => {
      child.on('exit', (code) => {
        resolve(code);
      });
    });
    await new Promise<void>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes(ready)) resolve();
      }),
    );
    child.kill('SIGINT');
    return { code: await exited, stderr };
  }

  async function expectInterrupted(r: { code: number | null; stderr: string }, build: string): Promise<void> {
    assert.equal(r.code, 130, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `interrupted: build ${build} continues on the cluster; to cancel it: brigade-operator cancel ${build} -n ${cluster.namespace}`,
      ),
    );
    assert.doesNotMatch(r.stderr, /Unhandled|AbortError|\n\s+at /);
    // The build was left running, and ends by itself once the gate opens.
    gate.open = true;
    await waitFor('the build to succeed', async () => {
      const b = await cluster.objects.get('Build', cluster.namespace, build);
      return b?.status?.phase === 'Succeeded' ? true : undefined;
    });
  }

  test('Ctrl-C during exec stops with exit 130, says the build continues and how to cancel it', async () => {
    gate.open = false;
    const r = await interruptWhen(['exec', 'slow'], '[slow] first');
    const build = /build (\S+): Running/.exec(r.stderr)?.[1] ?? '';
    assert.ok(build, r.stderr);
    await expectInterrupted(r, build);
  });

  test('Ctrl-C during logs --follow stops with exit 130 and no stack', async () => {
    gate.open = false;
    const started = await cli(cluster, ['exec', 'slow', '--no-follow']);
    assert.equal(started.code, 0, started.stderr);
    const build = await waitFor(
      'the build',
      async () => (await cluster.objects.get('Event', cluster.namespace, started.stdout.trim()))?.status?.build,
    );
    await expectInterrupted(await interruptWhen(['logs', build, '--follow'], '[slow] first'), build);
  });

  test('a project without a script runs the script exec -f sends', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'exec-f-'));
    const file = join(dir, 'brigade.js');
    await writeFile(
      file,
      "const { events } = require('brigadier');\nevents.on('exec', () => console.log('from the file'));\n",
    );
    const r = await cli(cluster, ['exec', 'scriptless', '-f', file, '--no-timestamps']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\[brigade\.js\] from the file$/m);
    const project = await cluster.objects.get('Project', cluster.namespace, 'scriptless');
    const ready = project?.status?.conditions?.find((c) => c.type === 'Ready');
    assert.equal(ready?.status, 'True');
    assert.equal(ready.reason, 'EventScriptsOnly');
    const without = await cli(cluster, ['exec', 'scriptless']);
    assert.equal(without.code, 1);
    assert.match(
      without.stderr,
      /rejected: NoScript: project scriptless has no script of its own and the event carries none/,
    );
  });

  test('an image that cannot be valid is refused: by the API server in a Project, as InvalidJob in a script', async () => {
    const manifest = JSON.stringify({
      apiVersion: 'brigade.sh/v1alpha1',
      kind: 'Project',
      metadata: { name: 'spaced-default', namespace: cluster.namespace },
      spec: { script: '', jobDefaults: { image: 'alpine 3.4' } },
    });
    const applied = await runTool('kubectl', ['--kubeconfig', cluster.kubeconfigPath, 'apply', '-f', '-'], {
      input: manifest,
    });
    assert.notEqual(applied.code, 0);
    assert.match(applied.stderr, /spec\.jobDefaults\.image: Invalid value: .*not a valid image: an image reference is/);
    const r = await cli(cluster, ['exec', 'bad-image']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /job spaced: Failed: job "spaced" has an invalid image "alpine 3\.4" \(its image\)/);
  });

  test('exec of a hello project streams the job log prefixed with its name and exits 0', async () => {
    const r = await cli(cluster, ['exec', 'hello']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^\d\d:\d\d:\d\d \[linux-job\] Hello Brigade from Azure$/m);
    assert.match(r.stdout, /^\d\d:\d\d:\d\d \[linux-job\] second line$/m);
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
    assert.match(r.stdout, /^\d\d:\d\d:\d\d \[ok\] fine$/m);
    assert.match(r.stdout, /^\d\d:\d\d:\d\d \[broken\] about to fail$/m);
    assert.match(r.stderr, /broken\s+Failed/);
    assert.match(r.stderr, /Failed \(job broken failed: the job container exited with code 3\)/);
    // kubectl's Jobs column of the failed build counts what succeeded and says what failed.
    const build = /build (\S+): Failed/.exec(r.stderr)?.[1] ?? '';
    const row = await kubectl(cluster.kubeconfigPath, 'get', 'builds.brigade.sh', build, '--no-headers');
    assert.match(row, /\sFailed\s+1\/2, 1 failed\s/);
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
    // A build the operator runs and that waits on a long job: it is Running when the CLI looks (a
    // build with no handler, as before, could end before the CLI read it and be "already finished").
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
        script: `const { events, Job } = require('brigadier');
events.on('exec', async () => { await new Job('wait', 'alpine:3.20', ['sleep 120']).run(); });`,
        scriptOrigin: 'project',
        cancel: false,
      },
    } as never);
    await waitFor('the build to run', async () =>
      (await cluster.objects.get('Build', ns, 'running-1'))?.status?.phase === 'Running' ? true : undefined,
    );
    const r = await cli(cluster, ['cancel', 'running-1']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /cancel requested/);
    assert.equal((await cluster.objects.get('Build', ns, 'running-1'))?.spec.cancel, true);
    const ended = await waitFor('the build to end', async () => {
      const b = await cluster.objects.get('Build', ns, 'running-1');
      return b?.status?.phase && b.status.phase !== 'Running' && b.status.phase !== 'Pending' ? b : undefined;
    });
    assert.equal(ended.status?.phase, 'Cancelled');
  });
});
