// The real restart function (its own start function, the real client-node port) in this process,
// on 127.0.0.1:0, against an API emulator; every log line it writes is kept in `lines`.
import { KubeConfig } from '@kubernetes/client-node';
import { createLogger } from '@reroll/function-runtime';
import { startEmulator, type Emulator, type EmulatorOptions } from '@reroll/local/emulator';
import type { RestartConfig } from '../../../functions/restart/src/config';
import { DEFAULT_EXCLUDED } from '../../../functions/restart/src/config';
import { createClientNodePort } from '../../../functions/restart/src/kube/client-node-port';
import type { RetryOptions } from '../../../functions/restart/src/kube/retry-policy';
import { startRestartFunction, type RestartFunction } from '../../../functions/restart/src/start-restart';

export interface RestartOptions {
  namespaces: string[];
  config?: Partial<RestartConfig>;
  /** the kubeconfig the function uses (default: the emulator's admin one) */
  kubeconfigPath?: string;
  retry?: Partial<RetryOptions>;
}

export interface RunningRestart {
  fn: RestartFunction;
  url: string;
  lines: string[];
  stop(): Promise<void>;
}

/** Retries short enough that a storm with injected 500s stays inside the test budget. */
export const FAST_RETRY: Partial<RetryOptions> = {
  initialDelayMs: 20,
  maxDelayMs: 200,
  attemptTimeoutMs: 2000,
  budgetMs: 3500,
};

export async function startRestart(emulator: Emulator, options: RestartOptions): Promise<RunningRestart> {
  const lines: string[] = [];
  const config: RestartConfig = {
    namespaces: options.namespaces,
    excludeNamespaces: DEFAULT_EXCLUDED,
    match: 'both',
    onDelete: 'ignore',
    dryRun: false,
    logFormat: 'text',
    logLevel: 'info',
    port: 0,
    ...options.config,
  };
  const logger = createLogger({
    name: 'restart',
    format: config.logFormat,
    level: config.logLevel,
    destination: { write: (l: string) => lines.push(l) },
  });
  const fn = await startRestartFunction({
    config,
    host: '127.0.0.1',
    logger,
    drainTimeoutMs: 10_000,
    createPort: (onRequest) => {
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromFile(options.kubeconfigPath ?? emulator.kubeconfigPath);
      return createClientNodePort({ kubeConfig, onRequest, retry: { ...FAST_RETRY, ...options.retry } });
    },
  });
  return { fn, url: fn.url, lines, stop: () => fn.close() };
}

export async function startCluster(options: EmulatorOptions = {}): Promise<Emulator> {
  return startEmulator({ port: 0, ...options });
}
