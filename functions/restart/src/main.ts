// Entry point (the only reader of process.env): config from the environment, the cluster from
// $KUBECONFIG or the in-cluster ServiceAccount, then serve until SIGTERM.
import { KubeConfig } from '@kubernetes/client-node';
import {
  exitOnInvalidConfig,
  findOwnNamespace,
  handleShutdownSignals,
  isMainDeferred,
  runEntryPoint,
} from '@reroll/function-runtime';
import { loadConfig } from './config';
import { createClientNodePort } from './kube/client-node-port';
import { startRestartFunction } from './start-restart';

export async function main(): Promise<void> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault(); // $KUBECONFIG, ~/.kube/config, or the in-cluster ServiceAccount
  const result = loadConfig(process.env, { ownNamespace: findOwnNamespace(kubeConfig) });
  if (!result.ok) exitOnInvalidConfig('restart', result.errors);
  const fn = await startRestartFunction({
    config: result.config,
    createPort: (onRequest) => createClientNodePort({ kubeConfig, onRequest }),
  });
  handleShutdownSignals(fn.server, fn.logger);
}

function runMain(): void {
  runEntryPoint('restart', main);
}

// dist/restart.mjs (the code-cache loader) evaluates the bundle first and calls runMain() itself.
if (!isMainDeferred()) runMain();
export { runMain };
