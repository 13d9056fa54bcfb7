// The identity and plumbing of the local controllers and kubelet: their own kubeconfig (so the
// API log can tell their writes from the user's, as a cluster's audit log would), the cluster
// port the supervisor writes ReplicaSets, Pods and Events through, the container output behind
// pods/log, and the Pod watch that turns `kubectl delete pod` into a stopped process.
import { KubeConfig } from '@kubernetes/client-node';
import type { Emulator } from '@reroll/local/emulator';
import { type ContainerLogs, createContainerLogs } from './container-logs';
import { createClusterPort, createSupervisorPort, watchObjects } from './kube-client';
import type { LogLine } from './part-log';
import type { PodSupervisor, SupervisorPort } from './pod-supervisor';

/** The user the controllers act as; system:masters, as kube-controller-manager's own RBAC would allow. */
export const CONTROLLERS_USER = 'system:kube-controller-manager';

export interface LocalControllers {
  kubeConfig: KubeConfig;
  port: SupervisorPort;
  containerLogs: ContainerLogs;
  /** Follow the namespace's Pods for the supervisor; returns the stop. */
  followPods(supervisor: PodSupervisor, namespace: string, log: LogLine): Promise<() => Promise<void>>;
}

export async function connectLocalControllers(emulator: Emulator, namespace: string): Promise<LocalControllers> {
  const path = await emulator.writeKubeconfig({ user: CONTROLLERS_USER, groups: ['system:masters'], namespace });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(path);
  const containerLogs = createContainerLogs();
  emulator.setPodLogSource(containerLogs.source);
  return {
    kubeConfig,
    containerLogs,
    port: { ...createSupervisorPort(kubeConfig), cluster: createClusterPort(kubeConfig) },
    async followPods(supervisor, ns, log) {
      const watch = await watchObjects(kubeConfig, {
        apiVersion: 'v1',
        kind: 'Pod',
        namespace: ns,
        log,
        onUpdate: (pod) => supervisor.podChanged(pod, false),
        onDelete: (pod) => supervisor.podChanged(pod, true),
      });
      return () => watch.stop();
    },
  };
}
