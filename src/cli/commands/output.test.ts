import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { BuildOutput, clockTime, consoleDelta, progressText } from './output.ts';

test("each printed line has its source, its time when asked, and the project's secret values redacted", () => {
  const out = new PassThrough();
  const output = new BuildOutput({
    out,
    notes: null,
    secrets: ['hunter22', 'multi\nline-secret'],
    timestamps: true,
    liveProgress: false,
  });
  const at = '2026-12-01T10:11:12.5Z';
  output.line('build', 'password=hunter22 and line-secret', at);
  assert.equal((out.read() as Buffer | null)?.toString(), `${clockTime(new Date(at))} [build] password=*** and ***\n`);
});

test('the console delta prints only lines not printed yet, across a cut tail', () => {
  const first = consoleDelta('a\nb\npart', 0);
  assert.deepEqual(first, { text: 'a\nb\n', printed: 4, skipped: false });
  const second = consoleDelta('a\nb\npartial\nc\n', first.printed);
  assert.deepEqual(second, { text: 'partial\nc\n', printed: 14, skipped: false });
  // The status keeps only a tail: 8 characters were cut, the tail goes on from the 9th.
  const cut = consoleDelta('[... 8 earlier characters not shown]\nial\nc\nd\n', second.printed);
  assert.deepEqual(cut, { text: 'd\n', printed: 16, skipped: false });
  const behind = consoleDelta('[... 100 earlier characters not shown]\nx\ny\n', 16);
  assert.deepEqual(behind, { text: 'x\ny\n', printed: 104, skipped: true });
});

test('the progress line counts jobs by outcome and shows the time since the build started', () => {
  const text = progressText(
    { phase: 'Running', succeeded: 2, running: 1, failed: 1, pending: 0, startedAt: 0 },
    83_000,
  );
  assert.equal(text, 'Running · jobs: 2 succeeded, 1 running, 1 failed · 1m23s');
});

test('on a terminal the progress line is cleared before a log line and drawn again after', () => {
  const out = new PassThrough();
  const notes = new PassThrough();
  const output = new BuildOutput({ out, notes, secrets: [], timestamps: false, liveProgress: true, now: () => 5000 });
  output.setProgress({ phase: 'Running', succeeded: 0, running: 1, failed: 0, pending: 0, startedAt: 0 });
  output.line('job', 'hello');
  output.close();
  assert.equal((out.read() as Buffer | null)?.toString(), '[job] hello\n');
  const drawn = '\r\x1b[2KRunning · jobs: 0 succeeded, 1 running, 0 failed · 5s';
  assert.equal((notes.read() as Buffer | null)?.toString(), `${drawn}\r\x1b[2K${drawn}\r\x1b[2K`);
});
