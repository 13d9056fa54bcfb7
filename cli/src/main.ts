// Entry point: the cluster in $KUBECONFIG (or ~/.kube/config, as kubectl), read-only.
import { KubeConfig } from '@kubernetes/client-node';
import { createClusterReader } from './read-cluster';
import { runCli } from './run-cli';

async function main(): Promise<number> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromDefault();
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  return runCli(process.argv.slice(2), {
    reader: createClusterReader(kubeConfig),
    defaultNamespace: context?.namespace ?? 'default',
    now: () => new Date(),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
  });
}

main().then(
  (code) => (process.exitCode = code),
  (err: unknown) => {
    process.stderr.write(`error: ${(err as Error)?.message ?? String(err)}\n`);
    process.exitCode = 2;
  },
);
