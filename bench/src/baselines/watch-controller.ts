// Baseline for the restart function: an always-on controller doing seed 001's job, written with
// client-node as seed 001 wrote its Python one. It watches ConfigMaps (an informer's list, then a
// watch from that resourceVersion, so existing ones do not fire); for one annotated
// `rolling.restart.controller/triggerRestart: "true"` it LISTs the Deployments of its namespace with
// the ConfigMap's `app` and `env` labels and patches the pod template's restartTimestamp of those
// annotated `restartOnTrigger: "true"`. It gets the same keep-alive pool as the function.
// Run: KUBECONFIG=… NAMESPACE=… node --import tsx watch-controller.ts; prints "watching" when ready.
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  Watch,
  setHeaderOptions,
  type V1ConfigMap,
} from '@kubernetes/client-node';
import { ConnectionPool, createPooledConfiguration } from '@reroll/restart/connection-pool';

const namespace = process.env.NAMESPACE ?? 'default';
const kubeConfig = new KubeConfig();
kubeConfig.loadFromDefault();
const configuration = createPooledConfiguration(kubeConfig, new ConnectionPool());
const apps = new AppsV1Api(configuration);
const core = new CoreV1Api(configuration);
const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

async function performRollingRestart(cm: V1ConfigMap): Promise<void> {
  const labels = cm.metadata?.labels ?? {};
  const deployments = await apps.listNamespacedDeployment({
    namespace,
    labelSelector: `app=${labels.app ?? ''},env=${labels.env ?? ''}`,
  });
  for (const d of deployments.items) {
    if (d.metadata?.annotations?.['rolling.restart.controller/restartOnTrigger'] !== 'true') continue;
    const body = {
      spec: {
        template: {
          metadata: { annotations: { 'rolling.restart.controller/restartTimestamp': new Date().toISOString() } },
        },
      },
    };
    await apps.patchNamespacedDeployment({ name: d.metadata.name!, namespace, body }, mergePatch);
  }
}

async function watchFrom(resourceVersion: string | undefined): Promise<void> {
  let last = resourceVersion;
  await new Watch(kubeConfig).watch(
    `/api/v1/namespaces/${namespace}/configmaps`,
    last ? { resourceVersion: last } : {},
    (type: string, cm: V1ConfigMap) => {
      last = cm.metadata?.resourceVersion ?? last;
      if (type !== 'ADDED' && type !== 'MODIFIED') return;
      if (cm.metadata?.annotations?.['rolling.restart.controller/triggerRestart'] !== 'true') return;
      performRollingRestart(cm).catch((err: unknown) => console.error('restart failed:', err));
    },
    () => void watchFrom(last), // a watch ends (timeout, 410): start again where it stopped
  );
}

const listed = await core.listNamespacedConfigMap({ namespace, limit: 1 });
await watchFrom(listed.metadata?.resourceVersion);
console.log('watching');
