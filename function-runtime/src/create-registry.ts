import { Registry, collectDefaultMetrics } from 'prom-client';

/** A metrics registry of the function's own, with Node's process metrics (CPU, RSS, event loop lag, GC). */
export function createRegistry(prefix = ''): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return registry;
}
