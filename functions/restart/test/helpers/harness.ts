// Real pieces wired together for contract and integration tests: the API emulator on 127.0.0.1:0,
// the restart function's real server on 127.0.0.1:0 with the real client-node port (or an in-memory
// port), logs collected in memory.
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@reroll/function-runtime';
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import type { RestartConfig } from '../../src/config';
import { DEFAULT_EXCLUDED } from '../../src/config';
import { createClientNodePort } from '../../src/kube/client-node-port';
import type { KubePort } from '../../src/kube/port';
import type { RetryOptions } from '../../src/kube/retry-policy';
import { startRestartFunction, type RestartFunction } from '../../src/start-restart';

export const TEST_CONFIG: RestartConfig = {
  namespaces: ['demo'],
  excludeNamespaces: DEFAULT_EXCLUDED,
  match: 'both',
  onDelete: 'ignore',
  dryRun: false,
  logFormat: 'text',
  logLevel: 'debug',
  port: 0,
};

export interface Harness {
  fn: RestartFunction;
  emulator?: Emulator;
  lines: string[];
  post(
    headers: Record<string, string>,
    body: string,
  ): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }>;
  stop(): Promise<void>;
}

export interface HarnessOptions {
  config?: Partial<RestartConfig>;
  /** seed the emulator with these objects */
  seed?: object[];
  /** use this port instead of an emulator */
  port?: KubePort;
  retry?: Partial<RetryOptions>;
  /** the function's clock (tests advance it instead of sleeping) */
  now?: () => Date;
  sinkTimeoutMs?: number;
}

export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const emulator = options.port ? undefined : await startEmulator({ port: 0 });
  if (emulator && options.seed) emulator.seed(options.seed);
  const lines: string[] = [];
  const config = { ...TEST_CONFIG, ...options.config };
  const logger = createLogger({
    name: 'restart',
    format: config.logFormat,
    level: config.logLevel,
    destination: { write: (l: string) => lines.push(l.trimEnd()) },
  });
  const fn = await startRestartFunction({
    config,
    host: '127.0.0.1',
    logger,
    drainTimeoutMs: 2000,
    ...(options.now ? { now: options.now } : {}),
    ...(options.sinkTimeoutMs !== undefined ? { sinkTimeoutMs: options.sinkTimeoutMs } : {}),
    createPort: (onRequest) => {
      if (options.port) return options.port;
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(emulator!.kubeconfigPath);
      return createClientNodePort({ kubeConfig, onRequest, retry: { budgetMs: 3500, ...options.retry } });
    },
  });
  return {
    fn,
    emulator,
    lines,
    async post(headers, body) {
      const res = await fetch(`${fn.url}/`, { method: 'POST', headers, body });
      const text = await res.text();
      let json: Record<string, unknown> = {};
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = { raw: text };
      }
      return { status: res.status, headers: res.headers, json };
    },
    async stop() {
      await fn.close();
      await emulator?.stop();
    },
  };
}

/** Headers a recorded request can be replayed with (hop-by-hop and length headers are fetch's job). */
export function replayHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers))
    if (!['host', 'content-length', 'accept-encoding', 'connection'].includes(k)) out[k] = v;
  return out;
}
