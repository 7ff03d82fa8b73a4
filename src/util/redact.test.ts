import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containsSecret, createRedactor, redact, secretKeysIn } from './redact.ts';
import { formatDuration, headBytes, tail } from './text.ts';

test('redact replaces every occurrence of every secret value', () => {
  assert.equal(
    redact('token=s3cret and again s3cret; pw=hunter2', ['s3cret', 'hunter2']),
    'token=*** and again ***; pw=***',
  );
});

test('redact hides a longer secret whole even when it contains a shorter one', () => {
  assert.equal(redact('x=abcdef', ['abc', 'abcdef']), 'x=***');
});

test('redact ignores one-character values: they cannot be told from ordinary text', () => {
  assert.equal(redact('a1 b2', ['1', 'a']), 'a1 b2');
});

test('redact hides short values as whole tokens only', () => {
  assert.equal(redact('pin 42, port 420, 42x, x42, (42)', ['42']), 'pin ***, port 420, 42x, x42, (***)');
  assert.equal(redact('the pin is ab', ['ab']), 'the pin is ***');
});

test('a secret that is a common word does not blank the words that contain it', () => {
  const out = redact('admin logged in; administrator and sysadmin left; user=admin', ['admin']);
  assert.equal(out, '*** logged in; administrator and sysadmin left; user=***');
});

test('a long value is hidden even inside a longer word', () => {
  const token = 'ghp_0123456789abcdefXYZ';
  assert.equal(redact(`prefix${token}suffix`, [token]), 'prefix***suffix');
});

test('redact hides the URL-encoded forms of a value', () => {
  const pw = 'p@ss w/rd&x';
  const out = redact(
    `https://u:${encodeURIComponent(pw)}@h/ ?q=${encodeURIComponent(pw).replace(/%20/g, '+')} ${encodeURIComponent(pw).toLowerCase()}`,
    [pw],
  );
  assert.doesNotMatch(out, /p%40ss|p%40|w%2Frd|w%2frd/i);
  assert.equal((out.match(/\*\*\*/g) ?? []).length, 3, out);
});

test('redact hides the JSON-escaped form of a value', () => {
  const value = 'line "one"\\two';
  assert.equal(redact(JSON.stringify({ v: value }), [value]), '{"v":"***"}');
});

test('redact hides the base64 forms of a value, whole and inside longer base64 text', () => {
  const pw = 'hunter2-is-my-password';
  const whole = Buffer.from(pw).toString('base64');
  assert.equal(redact(`data: ${whole}`, [pw]), 'data: ***');
  for (const user of ['a', 'ab', 'abc']) {
    const basic = Buffer.from(`${user}:${pw}`).toString('base64');
    const out = redact(`Authorization: Basic ${basic}`, [pw]);
    assert.match(out, /\*\*\*/, `alignment of user ${user}`);
    const visible = out.replace('Authorization: Basic ', '').split('***');
    // What is left around the mask is at most the characters shared with the neighbouring bytes.
    assert.ok(visible.join('').length <= 8, out);
  }
  const urlSafe = Buffer.from(`x${pw}??>>`).toString('base64url');
  assert.match(redact(urlSafe, [pw]), /\*\*\*/);
});

test('base64 forms of short values are matched as whole tokens, never inside other text', () => {
  const short = 'pw12';
  const whole = Buffer.from(short).toString('base64');
  assert.equal(redact(`secret: ${whole}`, [short]), 'secret: ***');
  assert.equal(redact(`sha X${whole}Y`, [short]), `sha X${whole}Y`);
});

test('containsSecret and secretKeysIn use the same rules', () => {
  assert.equal(containsSecret('echo administrator', ['admin']), false);
  assert.equal(containsSecret('echo admin', ['admin']), true);
  assert.deepEqual(secretKeysIn('login admin s3cr3t-pass', { user: 'admin', pass: 's3cr3t-pass', other: 'nope' }), [
    'user',
    'pass',
  ]);
  const redactor = createRedactor([]);
  assert.equal(redactor.redact('nothing to hide'), 'nothing to hide');
  assert.equal(redactor.contains('nothing'), false);
});

test('regular-expression characters in a value are matched literally', () => {
  assert.equal(redact('a.b a+b (x|y)', ['a+b', '(x|y)']), 'a.b *** ***');
});

test('redact matches the lines of a multi-line secret one by one', () => {
  const key = '-----BEGIN KEY-----\nMIIEsecretline\n-----END KEY-----';
  assert.equal(redact('printed: MIIEsecretline', [key]), 'printed: ***');
});

test('tail keeps the end of long text and says how much was dropped', () => {
  const out = tail('0123456789', 4);
  assert.match(out, /6 earlier characters/);
  assert.ok(out.endsWith('6789'));
  assert.equal(tail('short', 10), 'short');
});

test('headBytes cuts at a byte bound without splitting a character', () => {
  const out = headBytes('ééééé', 5);
  assert.ok(out.startsWith('éé'));
  assert.match(out, /truncated/);
  assert.ok(!out.includes('\uFFFD'));
});

test('formatDuration writes kubectl-style durations', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(42_000), '42s');
  assert.equal(formatDuration(83_000), '1m23s');
  assert.equal(formatDuration(3_723_000), '1h2m3s');
});
