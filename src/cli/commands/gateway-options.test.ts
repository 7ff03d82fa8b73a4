import { test } from 'node:test';
import assert from 'node:assert/strict';
import { durationOption, limitOptions, limitValues } from './gateway-options.ts';

test('durations take ms, s, m and h; a bare number is seconds; nonsense is a usage error', () => {
  assert.equal(durationOption('500ms', '--x'), 500);
  assert.equal(durationOption('30', '--x'), 30_000);
  assert.equal(durationOption('10m', '--x'), 600_000);
  assert.equal(durationOption('24h', '--x'), 86_400_000);
  assert.equal(durationOption(undefined, '--x'), undefined);
  for (const bad of ['0s', '-1', '1d', 'soon'])
    assert.throws(() => durationOption(bad, '--x'), { name: 'UsageError' }, bad);
});

test('limit flags map to the gateway limits under their prefix, and only the given ones are set', () => {
  assert.deepEqual(Object.keys(limitOptions('gateway-')).sort(), [
    'gateway-header-timeout',
    'gateway-max-body-bytes',
    'gateway-max-connections',
    'gateway-replay-window',
    'gateway-request-timeout',
  ]);
  assert.deepEqual(limitValues({ 'gateway-header-timeout': '5s', 'gateway-max-connections': '64' }, 'gateway-'), {
    headersTimeoutMs: 5000,
    maxConnections: 64,
  });
  assert.throws(() => limitValues({ 'max-connections': '0' }, ''), {
    message: /--max-connections must be a positive integer/,
  });
});
