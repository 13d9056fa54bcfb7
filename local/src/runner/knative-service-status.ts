// Knative Services get the status Knative's controller would give them (url, latest created/ready
// revision, a new revision name per template change, Ready): the emulator computes that in its
// 'immediate' mode, but the runner starts it in 'external' mode so that it can write Deployment
// status from the real local pods itself, so this writes the Knative part back in, with the
// emulator's own pure status function.
import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { RESOURCE_TABLE, type KObject } from '@reroll/local/emulator';
import { asText } from '../emulator/object-types';
import { settledStatus } from '../emulator/workload-status';
import { type ObjectWatch, watchObjects } from './kube-client';
import type { KubeObject } from './kube-shapes';
import { isRecord } from './kube-shapes';
import type { LogLine } from './part-log';

const KSVC = RESOURCE_TABLE.find((t) => t.group === 'serving.knative.dev' && t.resource === 'services');

export async function settleKnativeServices(kc: KubeConfig, namespace: string, log: LogLine): Promise<ObjectWatch> {
  const api = kc.makeApiClient(CustomObjectsApi);
  // The object each status was computed from: a template that differs from it is a new revision.
  const settled = new Map<string, KObject>();
  const settle = (obj: KubeObject) => {
    if (!KSVC) return;
    const name = obj.metadata?.name ?? '';
    const status = isRecord(obj.status) ? obj.status : {};
    if (status.observedGeneration === obj.metadata?.generation) return;
    const next = settledStatus(KSVC, obj as KObject, settled.get(name) ?? (obj as KObject));
    if (!next) return;
    settled.set(name, { ...(obj as KObject), status: next });
    api
      .patchNamespacedCustomObjectStatus(
        { group: KSVC.group, version: KSVC.version, namespace, plural: KSVC.resource, name, body: { status: next } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      )
      .then(
        () => log(`knative service ${name}: revision ${asText(next.latestReadyRevisionName, '?')} ready`),
        (err: unknown) => log(`knative service ${name}: could not write its status: ${(err as Error).message}`),
      );
  };
  return watchObjects(kc, {
    apiVersion: `${KSVC?.group ?? 'serving.knative.dev'}/${KSVC?.version ?? 'v1'}`,
    kind: 'Service',
    namespace,
    log,
    onAdd: settle,
    onUpdate: settle,
  });
}
