import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ContainerProcess } from './process.ts';

const base = { cwd: tmpdir(), env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } };

/** Alive and not a zombie waiting for its (re-)parent to reap it. */
function isAlive(pid: number): boolean {
  if (!existsSync(`/proc/${pid}/stat`)) return false;
  const state = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0];
  return state !== 'Z' && state !== 'X';
}

/** A SIGKILLed process closes its files before it turns into a zombie: give it a moment to finish dying. */
async function isDeadSoon(pid: number): Promise<boolean> {
  const deadline = Date.now() + 2000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return !isAlive(pid);
}

describe('ContainerProcess', () => {
  it('reports the exit code and the output line by line, stdout and stderr interleaved', async () => {
    const lines: string[] = [];
    const proc = new ContainerProcess({
      ...base,
      argv: ['sh', '-c', 'echo out; echo err >&2; printf tail; exit 7'],
      onLine: (l) => lines.push(l),
    });
    assert.deepEqual(await proc.exited, { exitCode: 7 });
    assert.deepEqual(lines.sort(), ['err\n', 'out\n', 'tail'].sort());
  });

  it('records an endless line in bounded pieces', async () => {
    const lines: string[] = [];
    const proc = new ContainerProcess({
      ...base,
      argv: ['sh', '-c', "head -c 40000 /dev/zero | tr '\\0' x"],
      onLine: (l) => lines.push(l),
    });
    await proc.exited;
    assert.deepEqual(
      lines.map((l) => l.length),
      [16384, 16384, 7232],
    );
  });

  it('reports a missing executable as a start error', async () => {
    const proc = new ContainerProcess({ ...base, argv: ['no-such-binary-here'], onLine: () => undefined });
    const exit = await proc.exited;
    assert.equal(exit.exitCode, 128);
    assert.match(exit.startError ?? '', /executable file not found/);
  });

  it('stops the whole process group: SIGTERM first, SIGKILL when the grace period is over', async () => {
    const lines: string[] = [];
    const proc = new ContainerProcess({
      ...base,
      argv: ['sh', '-c', "trap '' TERM; sleep 60 & echo $!; wait"],
      onLine: (l) => lines.push(l),
    });
    const deadline = Date.now() + 5000;
    while (lines.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const child = Number(lines[0]);
    const exit = await proc.stop(100);
    assert.equal(exit.exitCode, 137);
    assert.equal(exit.signal, 9);
    assert.equal(await isDeadSoon(child), true);
  });

  it('brings the SIGKILL forward when asked to stop again with a shorter grace', async () => {
    let ready: () => void = () => undefined;
    const trapped = new Promise<void>((resolve) => (ready = resolve));
    const proc = new ContainerProcess({
      ...base,
      argv: ['sh', '-c', "trap '' TERM; echo ready; while true; do sleep 0.05; done"],
      onLine: () => {
        ready();
      },
    });
    await trapped;
    const first = proc.stop(60_000);
    const second = proc.stop(0);
    assert.equal((await second).signal, 9);
    assert.equal((await first).exitCode, 137);
  });

  it('kills what the main process left running when it exits, as a container teardown does', async () => {
    const lines: string[] = [];
    const proc = new ContainerProcess({
      ...base,
      argv: ['sh', '-c', 'sleep 60 & echo $!'],
      onLine: (l) => lines.push(l),
    });
    assert.equal((await proc.exited).exitCode, 0);
    assert.equal(await isDeadSoon(Number(lines[0])), true);
  });
});
