// Writing kubeconfig files that point kubectl and client-node at the emulator.
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { stringify } from 'yaml';

export const CONTEXT_NAME = 'reroll-local';

export interface KubeconfigOptions {
  path: string;
  server: string;
  namespace?: string;
  /** user entry name (default reroll-local) */
  user?: string;
  /** bearer token sent by clients (RBAC mode maps it to a user) */
  token?: string;
  context?: string;
}

export function renderKubeconfig(o: Omit<KubeconfigOptions, 'path'>): string {
  const context = o.context ?? CONTEXT_NAME;
  const user = o.user ?? CONTEXT_NAME;
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    // client-node 1.4 refuses plain http unless skipTLSVerify is set; over https the emulator's
    // certificate is self-signed: either way clients skip verification (loopback only)
    clusters: [{ name: context, cluster: { server: o.server, 'insecure-skip-tls-verify': true } }],
    users: [{ name: user, user: o.token ? { token: o.token } : {} }],
    contexts: [{ name: context, context: { cluster: context, user, namespace: o.namespace ?? 'default' } }],
    'current-context': context,
    preferences: {},
  });
}

export async function writeKubeconfig(o: KubeconfigOptions): Promise<string> {
  await mkdir(dirname(o.path), { recursive: true });
  await writeFile(o.path, renderKubeconfig(o), { mode: 0o600 });
  return o.path;
}
