import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createScriptEngine, DEFAULT_JOB_IMAGE } from './index.ts';
import type { BuildOutcome, RunBuildOptions } from './index.ts';
import { FakeHost, gate, onPush, testEvent, testProject, until } from './test-support.ts';

const engine = createScriptEngine({ workers: 1 });
after(() => engine.close());

function run(script: string, host: FakeHost, extra: Partial<RunBuildOptions> = {}): Promise<BuildOutcome> {
  return engine.runBuild({ script, event: testEvent(), project: testProject(), host, ...extra });
}

describe('brigadier Job', () => {
  it('sends every Job property with Brigade 1 defaults', async () => {
    const host = new FakeHost();
    const outcome = await run(onPush(`await new Job('build').run();`), host);
    assert.equal(outcome.status, 'Succeeded');
    assert.deepEqual(host.requests[0], {
      name: 'build',
      image: DEFAULT_JOB_IMAGE,
      imageDefaulted: true,
      imageForcePull: false,
      imagePullSecrets: [],
      tasks: [],
      shell: '/bin/sh',
      args: [],
      env: {},
      mountPath: '/src',
      timeout: 15 * 60 * 1000,
      useSource: true,
      privileged: false,
      host: { nodeSelector: {} },
      docker: { enabled: false },
      cache: { enabled: false, size: '5Mi', path: '/mnt/brigade/cache' },
      storage: { enabled: false, path: '/mnt/brigade/share' },
      annotations: {},
      resourceRequests: {},
      resourceLimits: {},
      volumes: [],
      volumeMounts: [],
      streamLogs: false,
    });
  });

  it('carries what the script set, including nodeSelector Maps and env references', async () => {
    const host = new FakeHost();
    const body = `
      const j = new Job('deploy', 'alpine:3.20', ['echo one', 'echo two'], true);
      j.shell = '/bin/bash';
      j.env = { PLAIN: 'x', FROM_SECRET: { secretKeyRef: { name: 'creds', key: 'token' } } };
      j.host.os = 'linux';
      j.host.name = 'virtual-kubelet';
      j.host.nodeSelector.set('pool', 'fast');
      j.cache.enabled = true;
      j.storage.enabled = true;
      j.docker.enabled = true;
      j.privileged = true;
      j.timeout = 1000;
      j.serviceAccount = 'builder';
      j.resourceRequests.cpu = '500m';
      j.resourceLimits.memory = '1Gi';
      j.annotations = { team: 'a' };
      j.volumes = [{ name: 'v', emptyDir: {} }];
      j.volumeMounts = [{ name: 'v', mountPath: '/v' }];
      await j.run();`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    const r = host.requests[0];
    assert.ok(r);
    assert.equal(r.image, 'alpine:3.20');
    assert.equal(r.imageDefaulted, false);
    assert.equal(r.imageForcePull, true);
    assert.deepEqual(r.tasks, ['echo one', 'echo two']);
    assert.equal(r.shell, '/bin/bash');
    assert.deepEqual(r.env, { PLAIN: 'x', FROM_SECRET: { secretKeyRef: { name: 'creds', key: 'token' } } });
    assert.deepEqual(r.host, { os: 'linux', name: 'virtual-kubelet', nodeSelector: { pool: 'fast' } });
    assert.equal(r.cache.enabled, true);
    assert.equal(r.storage.enabled, true);
    assert.equal(r.docker.enabled, true);
    assert.equal(r.privileged, true);
    assert.equal(r.timeout, 1000);
    assert.equal(r.serviceAccount, 'builder');
    assert.deepEqual(r.resourceRequests, { cpu: '500m' });
    assert.deepEqual(r.resourceLimits, { memory: '1Gi' });
    assert.deepEqual(r.annotations, { team: 'a' });
    assert.deepEqual(r.volumes, [{ name: 'v', emptyDir: {} }]);
    assert.deepEqual(r.volumeMounts, [{ name: 'v', mountPath: '/v' }]);
  });

  it('accepts valid names and rejects invalid ones with a message naming the rule', async () => {
    const host = new FakeHost();
    const body = `
      // brigadier 1.5's rule: digits first and dots are fine.
      const ok = ['ab', 'a1', 'a', '1', 'build-and-test', '1-build', 'build.v1', 'a.b-c.d', 'x'.repeat(36)].map((n) => { new Job(n); return n; });
      const bad = ['', 'A1', '-ab', 'ab-', '.ab', 'ab.', 'a_b', 'a b', 'x'.repeat(37), 42, undefined].map((n) => {
        try { new Job(n); return 'accepted ' + n; } catch (e) { return e.message.includes('1 to 36 characters') ? 'refused' : e.message; }
      });
      console.log(JSON.stringify({ ok, bad }));`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    const { ok, bad } = JSON.parse(host.texts()[0] ?? '{}') as { ok: string[]; bad: string[] };
    assert.equal(ok.length, 9);
    assert.deepEqual(bad, Array(11).fill('refused'));
  });

  it('resolves run() with a Result whose toString() is the job log, and sets podName (a property, as in brigadier 1.x)', async () => {
    const host = new FakeHost();
    const body = `
      const j = new Job('unit');
      const before = j.podName;
      const r = await j.run();
      console.log(JSON.stringify([before, String(r), r.toString(), r instanceof Result, j.podName, typeof j.podName]));`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(JSON.parse(host.texts()[0] ?? '[]'), [
      '',
      'log of unit',
      'log of unit',
      true,
      'unit-pod',
      'string',
    ]);
  });

  it('rejects run() with the job failure, which the script may catch', async () => {
    const host = new FakeHost((r) => ({ succeeded: false, log: 'boom log', message: `exit code 2 in ${r.name}` }));
    const body = `try { await new Job('flaky').run(); } catch (e) { console.log('caught: ' + e.message); }`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['caught: job flaky failed: exit code 2 in flaky']);
  });

  it('refuses to run two jobs with the same name in one build', async () => {
    const host = new FakeHost();
    const body = `await new Job('same').run(); try { await new Job('same').run(); } catch (e) { console.log(e.message); }`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.equal(host.requests.length, 1);
    assert.match(host.texts()[0] ?? '', /already used in this build/);
  });

  it('supports background() and wait()', async () => {
    const host = new FakeHost();
    const body = `const j = new Job('bg').background(); const r = await j.wait(); console.log(String(r));`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['log of bg']);
  });
});

describe('brigadier Group', () => {
  it('runAll starts every job before any finishes and returns results in order', async () => {
    const release = gate();
    const host = new FakeHost(async (r) => {
      await release.promise;
      return { succeeded: true, log: r.name };
    });
    const body = `const rs = await Group.runAll([new Job('one'), new Job('two'), new Job('three')]); console.log(rs.map(String).join(','));`;
    const outcome = run(onPush(body), host);
    await until(() => host.running.size === 3, 'three jobs running at once');
    release.open();
    assert.equal((await outcome).status, 'Succeeded');
    assert.equal(host.maxConcurrent, 3);
    assert.deepEqual(host.texts(), ['one,two,three']);
  });

  it('runEach runs one job at a time, in order', async () => {
    const host = new FakeHost();
    const body = `
      const g = new Group();
      g.add(new Job('first'), new Job('second'));
      g.add(new Job('third'));
      console.log(String(g.length()));
      const rs = await g.runEach();
      console.log(rs.map(String).join(','));`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.equal(host.maxConcurrent, 1);
    assert.deepEqual(
      host.requests.map((r) => r.name),
      ['first', 'second', 'third'],
    );
    assert.deepEqual(host.texts(), ['3', 'log of first,log of second,log of third']);
  });

  it('runEach stops at the first failure', async () => {
    const host = new FakeHost((r) => ({ succeeded: r.name !== 'second', log: '' }));
    const body = `try { await Group.runEach([new Job('first'), new Job('second'), new Job('third')]); } catch (e) { console.log(e.message); }`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(
      host.requests.map((r) => r.name),
      ['first', 'second'],
    );
    assert.deepEqual(host.texts(), ['job second failed']);
  });

  it('new Group(jobs).runAll() is the instance form of the static method', async () => {
    const host = new FakeHost();
    const body = `const rs = await new Group([new Job('aa'), new Job('bb')]).runAll(); console.log(String(rs.length));`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['2']);
  });
});

describe('build semantics', () => {
  it('waits for jobs the handler started without awaiting', async () => {
    const release = gate();
    const host = new FakeHost(async (r) => {
      await release.promise;
      return { succeeded: true, log: r.name };
    });
    let settled = false;
    const outcome = run(onPush(`new Job('detached').run().then((r) => console.log('done ' + r));`), host).then((o) => {
      settled = true;
      return o;
    });
    await until(() => host.running.size === 1, 'the detached job to start');
    assert.equal(settled, false);
    release.open();
    assert.equal((await outcome).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['done detached']);
  });

  it('fails the build when a job failure is never handled', async () => {
    const host = new FakeHost(() => ({ succeeded: false, log: '', message: 'exit code 1' }));
    const outcome = await run(onPush(`new Job('lost').run();`), host);
    assert.equal(outcome.status, 'Failed');
    assert.equal(outcome.reason, 'JobFailed');
    assert.match(outcome.message, /job lost failed: exit code 1/);
  });

  it('fails the build when a chained job fails unhandled', async () => {
    const host = new FakeHost((r) => ({ succeeded: r.name === 'first', log: '' }));
    const outcome = await run(onPush(`new Job('first').run().then(() => new Job('second').run());`), host);
    assert.equal(outcome.reason, 'JobFailed');
    assert.match(outcome.message, /job second failed/);
  });

  it('fails the build when an unawaited Promise.all of jobs rejects', async () => {
    const host = new FakeHost((r) => ({ succeeded: r.name !== 'bad', log: '' }));
    const outcome = await run(onPush(`Promise.all([new Job('good').run(), new Job('bad').run()]);`), host);
    assert.equal(outcome.reason, 'JobFailed');
  });

  it('fails the build with JobFailed when an awaited job fails and nobody catches it', async () => {
    const outcome = await run(
      onPush(`await new Job('awaited').run();`),
      new FakeHost(() => ({ succeeded: false, log: '' })),
    );
    assert.deepEqual([outcome.status, outcome.reason], ['Failed', 'JobFailed']);
    assert.match(outcome.message, /job awaited failed/);
  });

  it('fails the build with HandlerFailed when the handler throws or rejects', async () => {
    const thrown = await run(onPush(`throw new TypeError('bad input');`), new FakeHost());
    assert.deepEqual([thrown.status, thrown.reason], ['Failed', 'HandlerFailed']);
    assert.match(thrown.message, /TypeError: bad input/);
    const sync = await run(`require('brigadier').events.on('push', () => { null.x; });`, new FakeHost());
    assert.equal(sync.reason, 'HandlerFailed');
  });

  it('fails with HandlerFailed when the handler awaits a promise that can never settle', async () => {
    const outcome = await run(onPush(`await new Promise(() => {});`), new FakeHost());
    assert.equal(outcome.reason, 'HandlerFailed');
    assert.match(outcome.message, /never settled/);
  });

  it('reports NoHandler when the script does not handle the event type', async () => {
    const outcome = await run(`require('brigadier').events.on('pull_request', () => {});`, new FakeHost());
    assert.deepEqual([outcome.status, outcome.reason], ['Failed', 'NoHandler']);
    assert.match(outcome.message, /"push"/);
  });

  it('reports SyntaxError with the position', async () => {
    const outcome = await run(`const a = 1;\nconst b = ;\n`, new FakeHost());
    assert.equal(outcome.reason, 'SyntaxError');
    assert.match(outcome.message, /brigade\.js:2:/);
  });

  it('runs the after handler on success with a success cause', async () => {
    const host = new FakeHost();
    const script = onPush(
      `console.log('main');`,
      `events.on('after', (e) => console.log(e.type + ' ' + e.cause.trigger + ' ' + e.cause.event.type));`,
    );
    assert.equal((await run(script, host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['main', 'after success push']);
  });

  it('runs the error handler on failure with the cause, and the build stays Failed', async () => {
    const host = new FakeHost(() => ({ succeeded: false, log: '', message: 'exit code 3' }));
    const script = onPush(
      `new Job('doomed').run();`,
      `events.on('error', async (e) => { console.log(e.cause.trigger + ': ' + e.cause.reason.message); await new Job('notify').run().catch(() => {}); });
       events.on('after', () => console.log('after must not run'));`,
    );
    const outcome = await run(script, host);
    assert.equal(outcome.status, 'Failed');
    assert.equal(outcome.reason, 'JobFailed');
    assert.deepEqual(host.texts(), [
      'unhandledRejection: unhandled rejection: JobFailedError: job doomed failed: exit code 3',
    ]);
    assert.deepEqual(
      host.requests.map((r) => r.name),
      ['doomed', 'notify'],
    );
  });

  it('fails the build when the after handler fails', async () => {
    const outcome = await run(
      onPush('', `events.on('after', () => { throw new Error('cleanup broke'); });`),
      new FakeHost(),
    );
    assert.equal(outcome.reason, 'HandlerFailed');
    assert.match(outcome.message, /after handler failed.*cleanup broke/);
  });

  it('passes event and project to the handler', async () => {
    const host = new FakeHost();
    const body = `console.log(JSON.stringify([e.buildID, e.type, e.provider, e.revision, e.payload, p.id, p.name, p.repo.cloneURL, p.kubernetes.namespace, Object.keys(p.secrets)]));`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(JSON.parse(host.texts()[0] ?? '[]'), [
      'build-1',
      'push',
      'test',
      { commit: 'abc123', ref: 'refs/heads/main' },
      '{"hello":"world"}',
      'brigade-0123',
      'org/repo',
      'https://example.com/org/repo.git',
      'default',
      ['token'],
    ]);
  });

  it('answers events.has for registered types only', async () => {
    const host = new FakeHost();
    const outcome = await run(
      onPush(`const { events } = require('brigadier'); console.log(String([events.has('push'), events.has('exec')]));`),
      host,
    );
    assert.equal(outcome.status, 'Succeeded');
    assert.deepEqual(host.texts(), ['true,false']);
  });

  it('resolves @azure/brigadier to the same library', async () => {
    const host = new FakeHost();
    const script = `const a = require('@azure/brigadier'); const b = require('brigadier'); a.events.on('push', () => console.log(String(a === b)));`;
    assert.equal((await run(script, host)).status, 'Succeeded');
    assert.deepEqual(host.texts(), ['true']);
  });
});

describe('console', () => {
  it('routes each level to host.log and formats non-strings', async () => {
    const host = new FakeHost();
    const body = `console.log('a', 1, { b: [2] }); console.info('i'); console.warn('w'); console.error(new Error('e1')); console.debug(undefined, null);`;
    assert.equal((await run(onPush(body), host)).status, 'Succeeded');
    assert.deepEqual(
      host.logs.map((l) => l.level),
      ['log', 'info', 'warn', 'error', 'debug'],
    );
    // Node's console formatting (util.format), as brigade.js had in Brigade 1's worker.
    assert.equal(host.logs[0]?.text, 'a 1 { b: [ 2 ] }');
    assert.match(host.logs[3]?.text ?? '', /^Error: e1/);
    assert.equal(host.logs[4]?.text, 'undefined null');
  });

  it('redacts project secret values from console lines and outcome messages', async () => {
    const host = new FakeHost();
    const outcome = await run(
      onPush(`console.log('token is ' + p.secrets.token); throw new Error('leaked ' + p.secrets.token);`),
      host,
    );
    assert.deepEqual(host.texts(), ['token is ***']);
    assert.doesNotMatch(outcome.message, /s3cr3t-value/);
    assert.match(outcome.message, /leaked \*\*\*/);
  });
});
