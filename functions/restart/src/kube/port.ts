// The narrow Kubernetes port the reconcile service needs: nothing else of the API is reachable from
// it, which keeps RBAC (get configmaps; get/list/patch workloads; get/list namespaces) and tests honest.
import type { MergePatch } from '../core/build-patch';
import type { ConfigRef, KubeObject, WorkloadKind, WorkloadRef } from '../core/types';

export interface WorkloadList {
  workloads: Array<{ kind: WorkloadKind; object: KubeObject }>;
  /** kinds that could not be listed (403 …); a missing CRD (404) is just an empty list */
  failures: Array<{ kind: WorkloadKind; status: number; message: string }>;
}

/** A Kubernetes Event on a workload, as a controller records it (events.k8s.io/v1). */
export interface WorkloadEvent {
  type: 'Normal' | 'Warning';
  /** CamelCase, e.g. Rolled, RollFailed, Recorded */
  reason: string;
  /** human-readable, never a config value (at most 1 KiB; longer notes are cut) */
  note: string;
  /** what the controller did or tried, e.g. Roll, Record */
  action: string;
}

/** The workload an event regards; the uid is what `kubectl describe` selects events by. */
export interface EventRegarding extends WorkloadRef {
  uid?: string;
}

export interface KubePort {
  /** null = 404 */
  getConfig(ref: ConfigRef): Promise<KubeObject | null>;
  /** every page (limit/continue) of each kind in the namespace */
  listWorkloads(namespace: string, kinds: readonly WorkloadKind[]): Promise<WorkloadList>;
  /** null = 404 */
  getWorkload(ref: WorkloadRef): Promise<KubeObject | null>;
  /** a JSON merge patch (Content-Type application/merge-patch+json); the patch carries the resourceVersion precondition */
  patchWorkload(ref: WorkloadRef, patch: MergePatch): Promise<KubeObject>;
  /**
   * create an events.k8s.io/v1 Event regarding the workload (reporting controller reroll.dev/restart),
   * or bump its series when the same event was recorded moments ago. Throws like the other methods;
   * callers go through recordEventSafely (an event failing to write never fails the reconcile).
   */
  recordEvent(regarding: EventRegarding, event: WorkloadEvent): Promise<void>;
  /** null = 404; asked only with a namespace selector (its labels decide whether the event is served) */
  getNamespace(name: string): Promise<KubeObject | null>;
  /** one LIST of the namespaces matching a label selector (every page), for a resync */
  listNamespaces(labelSelector: string): Promise<KubeObject[]>;
}

// The error classes are function-runtime's, so routes and restart raise and recognise the same ones.
export { ApiUnavailableError, KubeApiError } from '@reroll/function-runtime';
