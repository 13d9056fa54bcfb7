// Entry point (the only reader of process.env): settings from the environment, the cluster from
// $KUBECONFIG or the in-cluster ServiceAccount, then serve until SIGTERM.
import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';
import { handleShutdownSignals } from '@reroll/function-runtime';
import { loadConfig } from './config';
import { createClientNodePort } from './kube/client-node-port';
import { startRoutesFunction } from './start-routes';

const IN_CLUSTER_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

export async function main(): Promise<void> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault(); // $KUBECONFIG, ~/.kube/config, or the in-cluster ServiceAccount
  const result = loadConfig(process.env, { ownNamespace: findOwnNamespace(kubeConfig) });
  if (!result.ok) {
    console.error(`routes: invalid configuration:\n  ${result.errors.join('\n  ')}`);
    process.exit(2);
  }
  const fn = await startRoutesFunction({
    config: result.config,
    createPort: (onRequest) => createClientNodePort({ kubeConfig, onRequest }),
  });
  handleShutdownSignals(fn.server, fn.logger);
}

function findOwnNamespace(kubeConfig: KubeConfig): string | undefined {
  try {
    return readFileSync(IN_CLUSTER_NAMESPACE, 'utf8').trim() || undefined;
  } catch {
    const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
    return context ? (context.namespace ?? 'default') : undefined;
  }
}

function runMain(): void {
  main().catch((err: unknown) => {
    console.error('routes: failed to start:', err);
    process.exit(1);
  });
}

// dist/routes.mjs (restart's code-cache loader) evaluates the bundle first and calls runMain() itself.
if (!(globalThis as { __rerollDeferMain?: boolean }).__rerollDeferMain) runMain();
export { runMain };
