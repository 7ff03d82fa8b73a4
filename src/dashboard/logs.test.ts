import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRedactor } from '../util/redact.ts';
import { redactedLines } from './logs.ts';

async function* chunks(...parts: string[]): AsyncGenerator<string> {
  for (const p of parts) yield p;
  await Promise.resolve();
}

test('a live log is redacted by whole lines, so a secret split across two reads is still hidden', async () => {
  const out: string[] = [];
  const redactor = createRedactor(['s3cr3t-value']);
  for await (const text of redactedLines(
    chunks('token=s3cr', '3t-value\nnext ', 'line\nlast without newline'),
    redactor,
  ))
    out.push(text);
  assert.deepEqual(out, ['token=***\n', 'next line\n', 'last without newline']);
  assert.ok(!out.join('').includes('s3cr3t'));
});
