// What /metrics shows about the routes function's own work (process metrics come from the runtime).
import { Counter, Histogram, type Registry } from 'prom-client';

export interface RoutesMetrics {
  events: Counter<'type' | 'outcome'>;
  decisions: Counter<'action'>;
  reconcileDuration: Histogram<'trigger'>;
  apiRequests: Counter<'verb' | 'resource' | 'code'>;
}

export function createMetrics(registry: Registry): RoutesMetrics {
  const registers = [registry];
  return {
    events: new Counter({
      name: 'reroll_routes_events_total',
      help: 'CloudEvents received, by type and outcome (accepted, rejected, unavailable)',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    decisions: new Counter({
      name: 'reroll_routes_decisions_total',
      help: 'VirtualService decisions, by action (created, updated, deleted, unchanged, skipped, failed)',
      labelNames: ['action'],
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'reroll_routes_reconcile_duration_seconds',
      help: 'Time from an accepted event to its answer, by trigger (event, resync)',
      labelNames: ['trigger'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    apiRequests: new Counter({
      name: 'reroll_routes_api_requests_total',
      help: 'Kubernetes API requests (each attempt), by verb, resource and status code',
      labelNames: ['verb', 'resource', 'code'],
      registers,
    }),
  };
}
