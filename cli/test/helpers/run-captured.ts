// Runs the CLI as a user would, against the cluster `kubeConfig` points at, with its output captured.
import type { KubeConfig } from '@kubernetes/client-node';
import { createClusterReader } from '../../src/read-cluster';
import { runCli } from '../../src/run-cli';

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

export async function runCaptured(
  kubeConfig: KubeConfig,
  argv: string[],
  context: { namespace: string; now: () => Date },
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, {
    reader: createClusterReader(kubeConfig),
    defaultNamespace: context.namespace,
    now: context.now,
    out: (t) => out.push(t),
    err: (t) => err.push(t),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}
