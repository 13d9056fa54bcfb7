// Kubeconfig files for the real control plane, written with client-node's own exporter so kubectl,
// client-node and the Go adapter all read the same file. JSON is valid YAML, which is what they parse.
import { KubeConfig } from '@kubernetes/client-node';
import { writeFile } from 'node:fs/promises';

export interface KubeconfigUser {
  name: string;
  token?: string;
  certFile?: string;
  keyFile?: string;
}

export function buildKubeConfig(server: string, caFile: string, user: KubeconfigUser, namespace?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'envtest', server, caFile, skipTLSVerify: false }],
    users: [user],
    contexts: [{ name: 'envtest', cluster: 'envtest', user: user.name, ...(namespace ? { namespace } : {}) }],
    currentContext: 'envtest',
  });
  return kc;
}

export async function writeKubeconfigFile(file: string, kc: KubeConfig): Promise<string> {
  await writeFile(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}
