// Wires the function together and starts it in the shared runtime (health, readiness, /metrics,
// drain). Used by main.ts and by the tests (with the real client-node port or an in-memory one).
import { createLogger, createRegistry, startFunctionServer, type FunctionServer } from '@reroll/function-runtime';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RestartConfig } from './config';
import { createApp } from './http/create-app';
import { createMetrics, type RestartMetrics } from './http/metrics';
import { compileDataValidators } from './intake/data-schemas';
import type { KubePort } from './kube/port';
import { Reconciler } from './reconcile';
import { createDecisionSink } from './sink/decision-sink';

export interface StartOptions {
  config: RestartConfig;
  /** the Kubernetes port; given the metrics callback so every API attempt is counted */
  createPort: (onRequest: (verb: string, resource: string, code: string) => void) => KubePort;
  host?: string;
  logger?: Logger;
  registry?: Registry;
  now?: () => Date;
  drainTimeoutMs?: number;
  /** per decision CloudEvent (default 1000 ms) */
  sinkTimeoutMs?: number;
}

export interface RestartFunction {
  server: FunctionServer;
  url: string;
  logger: Logger;
  registry: Registry;
  metrics: RestartMetrics;
  reconciler: Reconciler;
  close(): Promise<void>;
}

export async function startRestartFunction(options: StartOptions): Promise<RestartFunction> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ name: 'restart', format: config.logFormat, level: config.logLevel });
  const registry = options.registry ?? createRegistry();
  const metrics = createMetrics(registry);
  const port = options.createPort((verb, resource, code) => metrics.apiRequests.inc({ verb, resource, code }));
  const reconciler = new Reconciler({
    port,
    settings: config,
    ...(options.now ? { now: options.now } : {}),
    onEvent: ({ regarding, event, ok, error }) => {
      metrics.kubeEvents.inc({ reason: event.reason, outcome: ok ? 'written' : 'failed' });
      if (!ok)
        logger.warn(
          { kind: regarding.kind, namespace: regarding.namespace, name: regarding.name, reason: event.reason, error },
          `[event] could not record ${event.reason} on ${regarding.kind.toLowerCase()}=${regarding.name}: ${error ?? 'unknown error'}`,
        );
    },
  });
  const validateData = compileDataValidators(); // once, at start-up
  const decisionSink = config.sink
    ? createDecisionSink({
        url: config.sink,
        logger,
        counter: metrics.decisionEvents,
        ...(options.sinkTimeoutMs !== undefined ? { timeoutMs: options.sinkTimeoutMs } : {}),
        ...(options.now ? { now: options.now } : {}),
      })
    : undefined;
  const app = createApp({ reconciler, validateData, logger, metrics, ...(decisionSink ? { decisionSink } : {}) });
  const server = await startFunctionServer({
    name: 'restart',
    port: config.port,
    ...(options.host ? { host: options.host } : {}),
    logger,
    registry,
    app,
    ...(options.drainTimeoutMs !== undefined ? { drainTimeoutMs: options.drainTimeoutMs } : {}),
  });
  logger.info(
    {
      namespaces: config.namespaces,
      excludeNamespaces: config.excludeNamespaces,
      ...(config.namespaceSelector ? { namespaceSelector: config.namespaceSelector.text } : {}),
      match: config.match,
      onDelete: config.onDelete,
      dryRun: config.dryRun,
      ...(config.maxRolloutsPerMinute ? { maxRolloutsPerMinute: config.maxRolloutsPerMinute } : {}),
      ...(config.sink ? { sink: config.sink } : {}),
    },
    `[config] namespaces=${config.namespaces.join(',') || '*'}${config.namespaceSelector ? ` namespaceSelector=${config.namespaceSelector.text}` : ''} match=${config.match} onDelete=${config.onDelete}${config.dryRun ? ' dryRun=true' : ''}${config.maxRolloutsPerMinute ? ` maxRolloutsPerMinute=${config.maxRolloutsPerMinute}` : ''}${config.sink ? ` sink=${config.sink}` : ''}`,
  );
  return { server, url: server.url, logger, registry, metrics, reconciler, close: () => server.close() };
}
