// Counts rollouts of any kind the way its controller sees them: changes of the object's pod template
// (a CronJob's is its jobTemplate's, which is what its next Job is made from), from one watch, so
// none is missed between two reads. template-watch.ts is this for Deployments.
import { CustomObjectsApi, Watch, type KubeConfig } from '@kubernetes/client-node';

export interface WatchedKind {
  group: string;
  version: string;
  plural: string;
  /** the pod template inside the object */
  templateOf(object: Record<string, unknown>): unknown;
}

export interface PodTemplateWatch {
  /** pod template changes seen for the object since it was first seen, once the watch caught up with it */
  rollouts(name: string): Promise<number>;
  stop(): void;
}

interface Seen {
  template: string;
  count: number;
  resourceVersion: number;
}

export async function startPodTemplateWatch(
  kubeConfig: KubeConfig,
  namespace: string,
  kind: WatchedKind,
): Promise<PodTemplateWatch> {
  const custom = kubeConfig.makeApiClient(CustomObjectsApi);
  const gvr = { group: kind.group, version: kind.version, plural: kind.plural, namespace };
  const seen = new Map<string, Seen>();
  const note = (o: { metadata?: { name?: string; resourceVersion?: string } } & Record<string, unknown>) => {
    const name = o.metadata?.name ?? '';
    const template = JSON.stringify(kind.templateOf(o) ?? null);
    const resourceVersion = Number(o.metadata?.resourceVersion ?? 0);
    const known = seen.get(name);
    if (!known) seen.set(name, { template, count: 0, resourceVersion });
    else if (resourceVersion > known.resourceVersion) {
      if (template !== known.template) known.count += 1;
      known.template = template;
      known.resourceVersion = resourceVersion;
    }
  };
  const list = (await custom.listNamespacedCustomObject(gvr)) as {
    items: Array<Record<string, unknown>>;
    metadata?: { resourceVersion?: string };
  };
  for (const o of list.items) note(o);
  let failure: unknown;
  const prefix = kind.group ? `/apis/${kind.group}/${kind.version}` : `/api/${kind.version}`;
  const controller = await new Watch(kubeConfig).watch(
    `${prefix}/namespaces/${namespace}/${kind.plural}`,
    { resourceVersion: list.metadata?.resourceVersion },
    (phase, obj: Record<string, unknown>) => {
      if (phase === 'ADDED' || phase === 'MODIFIED') note(obj);
    },
    (err: unknown) => {
      if (err && !controller.signal.aborted) failure = err;
    },
  );
  return {
    async rollouts(name) {
      const live = (await custom.getNamespacedCustomObject({ ...gvr, name })) as {
        metadata?: { resourceVersion?: string };
      };
      const target = Number(live.metadata?.resourceVersion ?? 0);
      const deadline = Date.now() + 30_000;
      while ((seen.get(name)?.resourceVersion ?? 0) < target) {
        if (failure)
          throw new Error(
            `${kind.plural} watch ended: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}`,
          );
        if (Date.now() > deadline) throw new Error(`${kind.plural} watch did not reach ${name}@${target} within 30 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return seen.get(name)!.count;
    },
    stop: () => controller.abort(),
  };
}
