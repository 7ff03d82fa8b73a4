// Gateway counters: deliveries accepted (new or duplicate) and refused, by intake and reason.
import { Counter, Registry } from 'prom-client';

export type Outcome = 'accepted' | 'duplicate' | 'pong' | 'refused' | 'error' | 'aborted';

export interface GatewayMetrics {
  registry: Registry;
  count(labels: { intake: string; outcome: Outcome; code: string }): void;
}

const NAME = 'brigade_gateway_requests_total';

export function gatewayMetrics(registry: Registry = new Registry()): GatewayMetrics {
  // A shared registry may already hold the counter (a gateway restarted inside the same process).
  const existing = registry.getSingleMetric(NAME) as Counter<'intake' | 'outcome' | 'code'> | undefined;
  const requests =
    existing ??
    new Counter({
      name: NAME,
      help: 'Requests to the event gateway by intake, outcome and refusal code (HTTP status class reason).',
      labelNames: ['intake', 'outcome', 'code'] as const,
      registers: [registry],
    });
  return {
    registry,
    count: (labels) => {
      requests.inc(labels);
    },
  };
}
