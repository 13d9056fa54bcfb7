// Counts rollouts the way a cluster makes them: a change of a Deployment's pod template (what makes its
// controller start a new ReplicaSet). Not metadata.generation: the real apiserver bumps a Deployment's
// generation for an annotation change on its own metadata too (annotations are copied to ReplicaSets),
// which is exactly what reroll's "record the hash, no rollout" writes.
import { AppsV1Api, Watch, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';

export interface TemplateWatch {
  /** template changes seen for the Deployment since it was created, once the watch caught up with it */
  rollouts(name: string): Promise<number>;
  stop(): void;
}

export async function startTemplateWatch(kubeConfig: KubeConfig, namespace: string): Promise<TemplateWatch> {
  const apps = kubeConfig.makeApiClient(AppsV1Api);
  const seen = new Map<string, { template: string; count: number; resourceVersion: number }>();
  const list = await apps.listNamespacedDeployment({ namespace });
  for (const d of list.items) note(d);
  function note(d: V1Deployment): void {
    const name = d.metadata?.name ?? '';
    const template = JSON.stringify(d.spec?.template ?? {});
    const resourceVersion = Number(d.metadata?.resourceVersion ?? 0);
    const known = seen.get(name);
    if (!known) seen.set(name, { template, count: 0, resourceVersion });
    else if (resourceVersion > known.resourceVersion) {
      if (template !== known.template) known.count += 1;
      known.template = template;
      known.resourceVersion = resourceVersion;
    }
  }
  let failure: unknown;
  const controller = await new Watch(kubeConfig).watch(
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    { resourceVersion: list.metadata?.resourceVersion },
    (phase, obj: V1Deployment) => {
      if (phase === 'ADDED' || phase === 'MODIFIED') note(obj);
    },
    (err: unknown) => {
      if (err && !controller.signal.aborted) failure = err;
    },
  );
  return {
    async rollouts(name) {
      const live = await apps.readNamespacedDeployment({ name, namespace });
      const target = Number(live.metadata?.resourceVersion ?? 0);
      const deadline = Date.now() + 30_000;
      while ((seen.get(name)?.resourceVersion ?? 0) < target) {
        if (failure)
          throw new Error(
            `deployment watch ended: ${failure instanceof Error ? failure.message : JSON.stringify(failure)}`,
          );
        if (Date.now() > deadline) throw new Error(`deployment watch did not reach ${name}@${target} within 30 s`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return seen.get(name)!.count;
    },
    stop: () => controller.abort(),
  };
}
