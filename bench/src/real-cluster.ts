// The real control plane for the bench's real-* cases: etcd + kube-apiserver over TLS with RBAC
// (@reroll/envtest), one namespace, and the identities a cluster gives each party: the function as
// the reroll-restart ServiceAccount with the Role from knative/11-rbac-restart.yaml, the adapter as a
// source ServiceAccount that may watch ConfigMaps, the always-on baseline as a controller
// ServiceAccount. Every one authenticates with a TokenRequest token. When the binaries are not
// configured the case prints one line and measures nothing (the rest of the bench still runs).
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Deployment,
} from '@kubernetes/client-node';
import {
  REPO_ROOT,
  findRealTierAssets,
  startControlPlane,
  type AdapterBinary,
  type ControlPlane,
} from '@reroll/envtest';
import { ConnectionPool, createPooledConfiguration } from '@reroll/restart/connection-pool';

export interface RealCluster {
  cp: ControlPlane;
  namespace: string;
  /** the newest adapter build found (undefined when REROLL_ADAPTER_BIN is unset) */
  adapter?: AdapterBinary;
  /** admin clients over one keep-alive pool (the bench's own writes should not cost handshakes) */
  core: CoreV1Api;
  apps: AppsV1Api;
  /** kubeconfig files holding each ServiceAccount's token; `server` overrides the URL (a counting proxy) */
  kubeconfigFor(who: 'restart' | 'source' | 'controller', server?: string): Promise<string>;
  /** the username a ServiceAccount's requests carry in the audit log */
  userOf(who: 'restart' | 'source' | 'controller'): string;
  /** audit events of one identity since `since` (an index from auditCount) */
  auditSince(since: number, who: 'restart' | 'source' | 'controller'): Promise<AuditEvent[]>;
  auditCount(): Promise<number>;
  stop(): Promise<void>;
}

type AuditEvent = Awaited<ReturnType<ControlPlane['auditEvents']>>[number];
const MERGE_PATCH = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const SERVICE_ACCOUNTS = { restart: 'reroll-restart', source: 'bench-source', controller: 'bench-controller' };

/** Prints the skip line and returns undefined when the real tier is not configured. */
export async function startRealCluster(
  caseName: string,
  env: Readonly<Record<string, string | undefined>>,
  needs: { adapter?: boolean } = {},
): Promise<RealCluster | undefined> {
  const found = findRealTierAssets(env);
  if ('skipReason' in found) {
    process.stderr.write(`bench: ${caseName}: skipped, ${found.skipReason}\n`);
    return undefined;
  }
  const adapter = found.adapters.find((a) => a.version === '1.12.6') ?? found.adapters[0];
  if (needs.adapter && !adapter) {
    process.stderr.write(
      `bench: ${caseName}: skipped, REROLL_ADAPTER_BIN is unset: set it to the folder with apiserver_receive_adapter\n`,
    );
    return undefined;
  }
  const cp = await startControlPlane({ assets: found });
  try {
    const namespace = await cp.createNamespace('bench');
    await grantIdentities(cp, namespace);
    const pool = new ConnectionPool();
    const configuration = createPooledConfiguration(cp.kubeConfig, pool);
    const tokens = new Map<string, string>();
    const tokenOf = async (who: keyof typeof SERVICE_ACCOUNTS) => {
      let token = tokens.get(who);
      if (!token) {
        token = await cp.tokenFor(namespace, SERVICE_ACCOUNTS[who]);
        tokens.set(who, token);
      }
      return token;
    };
    const userOf = (who: keyof typeof SERVICE_ACCOUNTS) =>
      `system:serviceaccount:${namespace}:${SERVICE_ACCOUNTS[who]}`;
    return {
      cp,
      namespace,
      ...(adapter ? { adapter } : {}),
      core: new CoreV1Api(configuration),
      apps: new AppsV1Api(configuration),
      async kubeconfigFor(who, server) {
        const file = await cp.kubeconfigFor(await tokenOf(who), namespace);
        if (!server) return file;
        const kc = new KubeConfig();
        kc.loadFromFile(file);
        kc.clusters = kc.clusters.map((c) => ({ ...c, server }));
        const proxied = `${file}-proxied`;
        await writeFile(proxied, kc.exportConfig(), { mode: 0o600 });
        return proxied;
      },
      userOf,
      async auditSince(since, who) {
        const user = userOf(who);
        return (await cp.auditEvents()).slice(since).filter((e) => e.user.username === user);
      },
      async auditCount() {
        return (await cp.auditEvents()).length;
      },
      async stop() {
        pool.destroy();
        await cp.stop();
      },
    };
  } catch (err) {
    await cp.stop();
    throw err;
  }
}

/** The function's Role exactly as knative/ ships it; the adapter's and the baseline's as small as their jobs. */
async function grantIdentities(cp: ControlPlane, namespace: string): Promise<void> {
  const rbac = await readFile(path.join(REPO_ROOT, 'knative/11-rbac-restart.yaml'), 'utf8');
  await cp.kubectl(['-n', namespace, 'apply', '-f', '-'], { input: rbac });
  // the manifest's RoleBinding names its ServiceAccount's namespace (reroll-demo): point it here
  await cp.kubectl([
    '-n',
    namespace,
    'patch',
    'rolebinding',
    'reroll-restart',
    '--type',
    'json',
    '-p',
    JSON.stringify([{ op: 'replace', path: '/subjects/0/namespace', value: namespace }]),
  ]);
  const roles: Array<[string, string[]]> = [
    [SERVICE_ACCOUNTS.source, ['--verb=get,list,watch', '--resource=configmaps']],
    [SERVICE_ACCOUNTS.controller, ['--verb=get,list,watch,patch', '--resource=configmaps,deployments.apps']],
  ];
  for (const [name, rule] of roles) {
    await cp.kubectl(['-n', namespace, 'create', 'serviceaccount', name]);
    await cp.kubectl(['-n', namespace, 'create', 'role', name, ...rule]);
    await cp.kubectl([
      '-n',
      namespace,
      'create',
      'rolebinding',
      name,
      `--role=${name}`,
      `--serviceaccount=${namespace}:${name}`,
    ]);
  }
}

/** A ConfigMap the function and the baseline both act on (seed 001's labels and annotation). */
export function benchConfigMap(name: string, app: string, value: string): V1ConfigMap {
  return {
    metadata: {
      name,
      labels: { app, env: 'bench', 'reroll.dev/watch': 'true' },
      annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
    },
    data: { MESSAGE: value },
  };
}

/** A Deployment that opts in and takes its env from `configMap`. */
export function benchDeployment(name: string, configMap: string): V1Deployment {
  return {
    metadata: {
      name,
      labels: { app: name, env: 'bench' },
      annotations: { 'rolling.restart.controller/restartOnTrigger': 'true' },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'a', image: 'reroll/hello:0.1.0', envFrom: [{ configMapRef: { name: configMap } }] }],
        },
      },
    },
  };
}

/** Creates objects `concurrency` at a time (5,000 one after the other would take minutes). */
export async function createAll<T>(items: T[], create: (item: T) => Promise<unknown>, concurrency = 16): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await create(items[next++]!);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

/** Really changes a ConfigMap's data (a merge patch, as `kubectl patch --type merge` sends). */
export async function changeConfigMap(cluster: RealCluster, name: string, value: string): Promise<void> {
  await cluster.core.patchNamespacedConfigMap(
    { name, namespace: cluster.namespace, body: { data: { MESSAGE: value } } },
    MERGE_PATCH,
  );
}

/** `count` ConfigMaps cm-<i>, each used by one Deployment app-<i> (labels app-<i>/bench for the baseline). */
export async function seedPairs(cluster: RealCluster, count: number): Promise<void> {
  const { namespace } = cluster;
  const indices = Array.from({ length: count }, (_, i) => i);
  await createAll(indices, (i) =>
    cluster.core.createNamespacedConfigMap({ namespace, body: benchConfigMap(`cm-${i}`, `app-${i}`, 'v0') }),
  );
  await createAll(indices, (i) =>
    cluster.apps.createNamespacedDeployment({ namespace, body: benchDeployment(`app-${i}`, `cm-${i}`) }),
  );
}

export async function waitFor(what: string, check: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
