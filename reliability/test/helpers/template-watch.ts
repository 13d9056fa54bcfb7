// Counts rollouts the way a cluster makes them: a change of a Deployment's pod template (what makes its
// controller start a new ReplicaSet). Not metadata.generation: the real apiserver bumps a Deployment's
// generation for an annotation change on its own metadata too (annotations are copied to ReplicaSets),
// which is exactly what reroll's "record the hash, no rollout" writes.
import type { KubeConfig } from '@kubernetes/client-node';
import { startPodTemplateWatch, type PodTemplateWatch } from './pod-template-watch';

export type TemplateWatch = PodTemplateWatch;

const DEPLOYMENTS = {
  group: 'apps',
  version: 'v1',
  plural: 'deployments',
  templateOf: (d: Record<string, unknown>) => (d.spec as { template?: unknown } | undefined)?.template,
};

export function startTemplateWatch(kubeConfig: KubeConfig, namespace: string): Promise<TemplateWatch> {
  return startPodTemplateWatch(kubeConfig, namespace, DEPLOYMENTS);
}
