import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { followPodLines, parseLogLine, type PodLogSource } from './pod-log.ts';

/** A pod whose log is read in the given pieces: each open returns the next read (a dropped stream ends early). */
function pod(reads: Array<{ text: string; endedAfter: boolean }>): PodLogSource & { opens: number } {
  let ended = false;
  const source = {
    opens: 0,
    state: () => Promise.resolve({ container: 'job', ended }),
    open: () => {
      const read = reads.at(source.opens++);
      if (!read) return Promise.resolve(undefined);
      ended = read.endedAfter;
      return Promise.resolve(Readable.from([read.text]));
    },
  };
  return source;
}

async function collect(source: PodLogSource): Promise<string[]> {
  const out: string[] = [];
  for await (const line of followPodLines(source, new AbortController().signal, { retryDelayMs: 1 }))
    out.push(line.text);
  return out;
}

test('a log stream that drops is opened again and no line is repeated or lost', async () => {
  const t = '2026-12-01T10:00:00.000000001Z';
  const source = pod([
    { text: `${t} one\n${t} two\n${t} thr`, endedAfter: false }, // dropped mid-line
    { text: `${t} one\n${t} two\n${t} three\n${t} four\n`, endedAfter: true },
    { text: `${t} one\n${t} two\n${t} three\n${t} four\n${t} last, no newline`, endedAfter: true },
  ]);
  assert.deepEqual(await collect(source), ['one', 'two', 'three', 'four', 'last, no newline']);
  assert.equal(source.opens, 3);
});

test('a pod that is gone ends the follow', async () => {
  const gone: PodLogSource = { state: () => Promise.resolve(undefined), open: () => Promise.resolve(undefined) };
  assert.deepEqual(await collect(gone), []);
});

test('log lines read with timestamps are split into time and text', () => {
  assert.deepEqual(parseLogLine('2026-12-01T10:00:00.123456789Z hello world'), {
    time: '2026-12-01T10:00:00.123456789Z',
    text: 'hello world',
  });
  assert.deepEqual(parseLogLine('no time here'), { text: 'no time here' });
});
