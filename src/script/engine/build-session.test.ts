// The session's side of hibernation: when it wakes, and that an answer the worker may have missed
// (sent while the hibernate request was on its way) wakes it at once.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ToWorker } from '../protocol.ts';
import { FakeHost, gate } from '../test-support.ts';
import { BuildSession } from './build-session.ts';

function session(host: FakeHost, wakes: BuildSession[]): BuildSession {
  return new BuildSession({
    kind: 'run',
    script: '',
    files: {},
    packages: { roots: {}, packages: {} },
    eventJson: '{}',
    projectJson: '{}',
    limits: { memoryBytes: 1, cpuMs: 1 },
    wallMs: 60_000,
    host,
    replay: { seed: 's', clock: [] },
    secrets: [],
    settle: () => undefined,
    wake: (s) => wakes.push(s),
  });
}

const placement = (sent: ToWorker[], id = 1): { id: number; send: (m: ToWorker) => void } => ({
  id,
  send: (m) => sent.push(m),
});
/** A placed session that asked for these jobs; the host answers them when `g` opens. */
function placedWithJobs(names: string[]): {
  g: ReturnType<typeof gate<void>>;
  wakes: BuildSession[];
  sent: ToWorker[];
  s: BuildSession;
} {
  const g = gate();
  const host = new FakeHost(async (r) => {
    await g.promise;
    return { succeeded: true, log: r.name };
  });
  const wakes: BuildSession[] = [];
  const sent: ToWorker[] = [];
  const s = session(host, wakes);
  s.place(placement(sent));
  names.forEach((name, i) => {
    s.onRunJob(i + 1, JSON.stringify({ name, image: 'alpine' }));
  });
  return { g, wakes, sent, s };
}

const settled = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('an answer sent while the hibernate request was on its way wakes the session as soon as it sleeps', async () => {
  const { g, wakes, sent, s } = placedWithJobs(['a']);
  await settled();
  assert.ok(s.canHibernate(performance.now() + 10, 0));
  s.hibernateAsked();
  g.open();
  await settled();
  assert.ok(
    sent.some((m) => m.type === 'jobResult'),
    'the answer went to the worker',
  );
  s.hibernated();
  assert.deepEqual(wakes, [s], 'woken at once: the worker may have freed the build before seeing it');
});

test('a hibernated session wakes when an answer comes, once, and not before', async () => {
  const { g, wakes, sent, s } = placedWithJobs(['a', 'b']);
  await settled();
  assert.equal(s.canHibernate(performance.now(), 60_000), false, 'not before it has been idle long enough');
  s.hibernateAsked();
  s.hibernated();
  assert.equal(s.asleep, true);
  assert.deepEqual(wakes, []);
  g.open();
  await settled();
  assert.deepEqual(wakes, [s], 'both answers came; one wake');
  assert.equal(sent.filter((m) => m.type === 'jobResult').length, 0, 'nothing is sent to the freed incarnation');
});

test('a session with no host call outstanding is never hibernated', () => {
  const s = session(new FakeHost(), []);
  s.place(placement([]));
  assert.equal(s.canHibernate(performance.now() + 60_000, 0), false);
});
