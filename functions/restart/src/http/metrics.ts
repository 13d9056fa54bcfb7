// What /metrics shows about the function's own work (process metrics come from the runtime's registry).
import { Counter, Histogram, type Registry } from 'prom-client';

export interface RestartMetrics {
  events: Counter<'type' | 'outcome'>;
  rollouts: Counter<'kind'>;
  decisions: Counter<'action'>;
  reconcileDuration: Histogram<'trigger'>;
  apiRequests: Counter<'verb' | 'resource' | 'code'>;
  decisionEvents: Counter<'action' | 'outcome'>;
  kubeEvents: Counter<'reason' | 'outcome'>;
}

export function createMetrics(registry: Registry): RestartMetrics {
  const registers = [registry];
  return {
    events: new Counter({
      name: 'reroll_restart_events_total',
      help: 'CloudEvents received, by type and outcome (accepted, rejected, unavailable)',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    rollouts: new Counter({
      name: 'reroll_restart_rollouts_total',
      help: 'Workloads rolled (pod template patched), by kind',
      labelNames: ['kind'],
      registers,
    }),
    decisions: new Counter({
      name: 'reroll_restart_decisions_total',
      help: 'Decisions made, by action (rolled, recorded, unchanged, skipped, failed, deferred, notified)',
      labelNames: ['action'],
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'reroll_restart_reconcile_duration_seconds',
      help: 'Time from an accepted event to its answer, by trigger (event, resync)',
      labelNames: ['trigger'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    }),
    apiRequests: new Counter({
      name: 'reroll_restart_api_requests_total',
      help: 'Kubernetes API requests (each attempt), by verb, resource and status code',
      labelNames: ['verb', 'resource', 'code'],
      registers,
    }),
    decisionEvents: new Counter({
      name: 'reroll_restart_decision_events_total',
      help: 'Decision CloudEvents to K_SINK, by action and outcome (sent, failed, timeout, skipped while the sink is broken)',
      labelNames: ['action', 'outcome'],
      registers,
    }),
    kubeEvents: new Counter({
      name: 'reroll_restart_kube_events_total',
      help: 'Kubernetes Events on workloads, by reason and outcome (written, failed: dropped, the decision stands)',
      labelNames: ['reason', 'outcome'],
      registers,
    }),
  };
}
