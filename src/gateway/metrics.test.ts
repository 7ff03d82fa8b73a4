import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Registry } from 'prom-client';
import { gatewayMetrics } from './metrics.ts';

test('two gateway metric sets on one shared registry count into the same counter', async () => {
  const registry = new Registry();
  gatewayMetrics(registry).count({ intake: 'webhook', outcome: 'accepted', code: 'OK' });
  gatewayMetrics(registry).count({ intake: 'webhook', outcome: 'accepted', code: 'OK' });
  assert.match(
    await registry.metrics(),
    /brigade_gateway_requests_total\{intake="webhook",outcome="accepted",code="OK"\} 2/,
  );
});
