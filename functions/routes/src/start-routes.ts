// Wires the routes function together and starts it in the shared runtime (health, readiness,
// /metrics, drain). Used by main.ts and by the tests (with the real client-node port or a fake).
import { createLogger, createRegistry, startFunctionServer, type FunctionServer } from '@reroll/function-runtime';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RoutesFunctionConfig } from './config';
import { createConfigParser } from './core/parse-config';
import { createApp } from './http/create-app';
import { createMetrics, type RoutesMetrics } from './http/metrics';
import { createEventReader } from './intake/read-events';
import { readVirtualServiceSchemas } from './intake/virtual-service-crd';
import { compileVirtualServiceValidator } from './intake/virtual-service-validator';
import type { RoutesPort } from './kube/port';
import { RoutesReconciler } from './reconcile';

export interface StartOptions {
  config: RoutesFunctionConfig;
  /** the Kubernetes port; given the metrics callback so every API attempt is counted */
  createPort: (onRequest: (verb: string, resource: string, code: string) => void) => RoutesPort;
  host?: string;
  logger?: Logger;
  registry?: Registry;
  drainTimeoutMs?: number;
  maxConflictRetries?: number;
}

export interface RoutesFunction {
  server: FunctionServer;
  url: string;
  logger: Logger;
  registry: Registry;
  metrics: RoutesMetrics;
  reconciler: RoutesReconciler;
  close(): Promise<void>;
}

export async function startRoutesFunction(options: StartOptions): Promise<RoutesFunction> {
  const { config } = options;
  const logger = options.logger ?? createLogger({ name: 'routes', format: config.logFormat, level: config.logLevel });
  const registry = options.registry ?? createRegistry();
  const metrics = createMetrics(registry);
  const port = options.createPort((verb, resource, code) => metrics.apiRequests.inc({ verb, resource, code }));
  const reconciler = new RoutesReconciler({
    port,
    configMap: config.configMap,
    excludeNamespaces: config.excludeNamespaces,
    // compiled once, at start-up (the VirtualService schema per version on first use)
    parseConfig: createConfigParser(),
    validate: compileVirtualServiceValidator(readVirtualServiceSchemas()),
    ...(options.maxConflictRetries !== undefined ? { maxConflictRetries: options.maxConflictRetries } : {}),
  });
  const app = createApp({ reconciler, readEvents: createEventReader(), logger, metrics });
  const server = await startFunctionServer({
    name: 'routes',
    port: config.port,
    ...(options.host ? { host: options.host } : {}),
    logger,
    registry,
    app,
    ...(options.drainTimeoutMs !== undefined ? { drainTimeoutMs: options.drainTimeoutMs } : {}),
  });
  logger.info(
    { configMap: config.configMap, excludeNamespaces: config.excludeNamespaces },
    `[config] configmap=${config.configMap.namespace}/${config.configMap.name} (read live on every event)`,
  );
  return { server, url: server.url, logger, registry, metrics, reconciler, close: () => server.close() };
}
