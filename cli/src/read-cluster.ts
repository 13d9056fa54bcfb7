// Everything the CLI reads, through client-node with the kubeconfig's user. Read-only by
// construction: the restart function's port is narrowed to its get/list methods, and the only
// other calls are namespace lists and ConfigMap/Secret lists (label-selected, or the whole kind
// when a Reloader reload list holds patterns).
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import {
  CONFIG_KINDS,
  WORKLOAD_KINDS,
  configKey,
  hasReloadPatterns,
  isWorkloadOptedIn,
  listConfigsNeeded,
  readReloaderOptIn,
  type ConfigKind,
  type ConfigLookup,
  type ConfigRef,
  type KubeObject,
  type MatchMode,
  type Workload,
} from '@reroll/restart/core';
import { createClientNodePort } from '@reroll/restart/kube';

export interface NamespaceSnapshot {
  namespace: string;
  workloads: Workload[];
  /** live configs the workloads may use (null = 404) */
  configs: ConfigLookup;
  /** kinds that could not be listed (403 …) */
  warnings: string[];
}

export interface ClusterReader {
  listNamespaces(): Promise<string[]>;
  readNamespace(namespace: string, match: MatchMode): Promise<NamespaceSnapshot>;
}

export function createClusterReader(kubeConfig: KubeConfig): ClusterReader {
  const full = createClientNodePort({ kubeConfig, retry: { budgetMs: 5000 } });
  const port: Pick<typeof full, 'getConfig' | 'listWorkloads'> = full; // never patchWorkload
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const plain = (o: unknown, kind: string) => ({ ...(JSON.parse(JSON.stringify(o)) as KubeObject), kind });

  /** ConfigMaps/Secrets carrying a workload's app+env labels: seed 001's label matching needs them. */
  async function listByLabels(namespace: string, app: string, env: string): Promise<KubeObject[]> {
    const labelSelector = `app=${app},env=${env}`;
    const [cms, secrets] = await Promise.all([
      core.listNamespacedConfigMap({ namespace, labelSelector }),
      core.listNamespacedSecret({ namespace, labelSelector }).catch(() => ({ items: [] })),
    ]);
    return [...cms.items.map((o) => plain(o, 'ConfigMap')), ...secrets.items.map((o) => plain(o, 'Secret'))];
  }

  /** Every ConfigMap (or Secret) of the namespace: what a Reloader reload-list pattern may name. */
  async function listAll(namespace: string, kind: ConfigKind): Promise<KubeObject[]> {
    const list =
      kind === 'ConfigMap'
        ? await core.listNamespacedConfigMap({ namespace })
        : await core.listNamespacedSecret({ namespace });
    return list.items.map((o) => plain(o, kind));
  }

  return {
    async listNamespaces() {
      const list = await core.listNamespace();
      return list.items.map((n) => n.metadata?.name ?? '').filter(Boolean);
    },

    async readNamespace(namespace, match) {
      const listed = await port.listWorkloads(namespace, WORKLOAD_KINDS);
      const warnings = listed.failures.map((f) => `cannot list ${f.kind}s in ${namespace}: ${f.message}`);
      const configs = new Map<string, KubeObject | null>();
      const refs: ConfigRef[] = listConfigsNeeded(listed.workloads, match, namespace);
      await Promise.all(refs.map(async (ref) => configs.set(configKey(ref), await port.getConfig(ref))));
      if (match !== 'reference') {
        const pairs = new Set(
          listed.workloads
            .filter((w) => isWorkloadOptedIn(w.object))
            .map((w) => w.object.metadata?.labels)
            .filter((l): l is Record<string, string> => Boolean(l?.app && l.env))
            .map((l) => `${l.app}\n${l.env}`),
        );
        for (const pair of pairs) {
          const [app, env] = pair.split('\n') as [string, string];
          for (const c of await listByLabels(namespace, app, env)) {
            const ref = { kind: c.kind as ConfigRef['kind'], namespace, name: c.metadata?.name ?? '' };
            configs.set(configKey(ref), c);
          }
        }
      }
      // a reload list of patterns ("hello-.*") names configs no reference points at: list their kind
      const optedIn = listed.workloads.filter((w) => isWorkloadOptedIn(w.object));
      for (const kind of CONFIG_KINDS) {
        if (!optedIn.some((w) => hasReloadPatterns(readReloaderOptIn(w.object), kind))) continue;
        try {
          for (const c of await listAll(namespace, kind))
            configs.set(configKey({ kind, namespace, name: c.metadata?.name ?? '' }), c);
        } catch (err) {
          warnings.push(
            `cannot list ${kind}s in ${namespace} for a Reloader reload pattern: ${(err as Error).message}`,
          );
        }
      }
      return { namespace, workloads: listed.workloads, configs, warnings };
    },
  };
}
