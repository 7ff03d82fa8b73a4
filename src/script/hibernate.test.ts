/**
 * Hibernation: past maxResidentBuilds, a build that only waits on its jobs has its sandbox freed and is
 * replayed when a job ends. From the script's and the host's point of view nothing differs from one
 * long evaluation: every job runs once (a replay attaches to it), a clock-named job keeps its name,
 * console lines are delivered once, and the build ends as it would have.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createScriptEngine } from './index.ts';
import type { JobOutcome, JobRequest, ReplayRecord, ScriptHost, ScriptLogLevel } from './index.ts';
import { gate, onPush, testEvent, testProject, until } from './test-support.ts';

/** runJob attaches to a job of the same name, as the controller does; each job waits for its gate. */
class AttachingHost implements ScriptHost {
  readonly started = new Map<string, Promise<JobOutcome>>();
  readonly asked: string[] = [];
  readonly lines: string[] = [];
  readonly gates = new Map<string, ReturnType<typeof gate>>();

  /** Kept by the session itself between wakes; the host only has to accept it. */
  recordReplay(record: ReplayRecord): Promise<void> {
    this.kept = record;
    return Promise.resolve();
  }
  kept: ReplayRecord | undefined;

  runJob(request: JobRequest): Promise<JobOutcome> {
    this.asked.push(request.name);
    const existing = this.started.get(request.name);
    if (existing) return existing;
    const g = gate();
    this.gates.set(request.name, g);
    const outcome = g.promise.then(() => ({ succeeded: true, log: `output of ${request.name}` }));
    this.started.set(request.name, outcome);
    return outcome;
  }

  log(_level: ScriptLogLevel, text: string): void {
    this.lines.push(text);
  }
}

const SCRIPT = onPush(`
  console.log('start ' + e.buildID);
  const first = await new Job('first-' + Date.now()).run();
  console.log('first: ' + first);
  await new Job('second').run();
  console.log('done ' + e.buildID);`);

describe('hibernation', () => {
  it('builds past the resident bound are hibernated while they wait, and each wakes to finish as if never freed', async () => {
    const engine = createScriptEngine({ workers: 1, maxResidentBuilds: 1, hibernateAfterMs: 1 });
    try {
      const hosts = [0, 1, 2, 3].map(() => new AttachingHost());
      const runs = hosts.map((host, i) =>
        engine.runBuild({
          script: SCRIPT,
          event: testEvent({ buildID: `b${String(i)}` }),
          project: testProject(),
          host,
        }),
      );
      await until(() => hosts.every((h) => h.started.size === 1), 'every build to start its first job');
      await until(() => engine.stats().hibernatedBuilds === 3, 'all builds but one to be hibernated', 20_000);
      assert.equal(engine.stats().liveBuilds, 1);

      for (const host of hosts) for (const g of host.gates.values()) g.open(undefined);
      await until(() => hosts.every((h) => h.started.has('second')), 'every build to start its second job', 20_000);
      await until(
        () => engine.stats().hibernations >= 6,
        'the builds to be hibernated again on their second job',
        20_000,
      );
      for (const host of hosts) host.gates.get('second')?.open(undefined);
      const outcomes = await Promise.all(runs);

      assert.deepEqual(
        outcomes.map((o) => o.status),
        ['Succeeded', 'Succeeded', 'Succeeded', 'Succeeded'],
      );
      const stats = engine.stats();
      assert.ok(stats.wakes >= 6, `woken ${String(stats.wakes)} times`);
      assert.equal(stats.hibernatedBuilds, 0);
      assert.equal(stats.replays, 0, 'a wake is not counted as a lost worker');
      hosts.forEach((host, i) => {
        // Two jobs started, whatever the number of wakes: the clock-named one kept its name.
        assert.equal(host.started.size, 2, [...host.started.keys()].join(', '));
        assert.ok(host.asked.length > 2, 'replays asked again, and attached');
        const first = [...host.started.keys()][0] ?? '';
        assert.deepEqual(host.lines, [`start b${String(i)}`, `first: output of ${first}`, `done b${String(i)}`]);
      });
    } finally {
      await engine.close();
    }
  });

  it('a build with a pending timer is not hibernated: a replay would start its delay again', async () => {
    const engine = createScriptEngine({ workers: 1, maxResidentBuilds: 1, hibernateAfterMs: 1 });
    try {
      const timed = onPush(`
        setTimeout(() => console.log('tick'), 60000);
        await new Job('waits').run();`);
      const hosts = [new AttachingHost(), new AttachingHost()];
      const runs = hosts.map((host, i) =>
        engine.runBuild({
          script: timed,
          event: testEvent({ buildID: `t${String(i)}` }),
          project: testProject(),
          host,
        }),
      );
      await until(() => hosts.every((h) => h.started.size === 1), 'both builds to start their job');
      // Give the engine many chances to hibernate one (its watchdog runs every 50 ms).
      await new Promise((resolve) => setTimeout(resolve, 500));
      assert.equal(engine.stats().hibernatedBuilds, 0);
      assert.equal(engine.stats().hibernations, 0);
      for (const host of hosts) for (const g of host.gates.values()) g.open(undefined);
      await engine.close();
      await Promise.all(runs);
    } finally {
      await engine.close();
    }
  });
});
