// An in-memory KubePort: a real class with API-server-like behaviour (resourceVersion bumps, merge
// patch with the resourceVersion precondition → 409, 404s, injected failures), used where the API
// emulator is not needed. Every call is logged so tests can assert "no call at all".
import type { MergePatch } from '../../src/core/build-patch';
import type { ConfigRef, KubeObject, WorkloadKind, WorkloadRef } from '../../src/core/types';
import {
  ApiUnavailableError,
  KubeApiError,
  type EventRegarding,
  type KubePort,
  type WorkloadEvent,
  type WorkloadList,
} from '../../src/kube/port';

export interface PortCall {
  verb: 'get' | 'list' | 'patch' | 'create';
  kind: string;
  namespace: string;
  name?: string;
}

export type Fault = { verb?: PortCall['verb']; kind?: string; status: number | 'unavailable'; times?: number };

export class MemoryPort implements KubePort {
  readonly calls: PortCall[] = [];
  /** Kubernetes Events written (kind 'Event' in calls; inject a fault with kind 'Event' to fail them) */
  readonly events: Array<{ regarding: EventRegarding; event: WorkloadEvent }> = [];
  private readonly objects = new Map<string, KubeObject>();
  private faults: Fault[] = [];
  private rv = 1000;
  /** runs before each patch is applied (lets a test simulate another writer) */
  beforePatch?: (ref: WorkloadRef) => void;

  constructor(objects: KubeObject[] = []) {
    for (const o of objects) this.put(o);
  }

  put(object: KubeObject): KubeObject {
    const copy = structuredClone(object);
    copy.metadata = { ...copy.metadata, resourceVersion: String(++this.rv) };
    this.objects.set(key(copy.kind!, copy.metadata.namespace ?? '', copy.metadata.name!), copy);
    return copy;
  }

  remove(kind: string, namespace: string, name: string): void {
    this.objects.delete(key(kind, namespace, name));
  }

  read(kind: string, namespace: string, name: string): KubeObject | undefined {
    const o = this.objects.get(key(kind, namespace, name));
    return o ? structuredClone(o) : undefined;
  }

  inject(fault: Fault): void {
    this.faults.push({ times: 1, ...fault });
  }

  patches(): PortCall[] {
    return this.calls.filter((c) => c.verb === 'patch');
  }

  getConfig(ref: ConfigRef): Promise<KubeObject | null> {
    return settle(() => {
      this.record({ verb: 'get', kind: ref.kind, namespace: ref.namespace, name: ref.name });
      return this.read(ref.kind, ref.namespace, ref.name) ?? null;
    });
  }

  listWorkloads(namespace: string, kinds: readonly WorkloadKind[]): Promise<WorkloadList> {
    return settle(() => {
      const result: WorkloadList = { workloads: [], failures: [] };
      for (const kind of kinds) {
        try {
          this.record({ verb: 'list', kind, namespace });
        } catch (err) {
          if (err instanceof KubeApiError) {
            result.failures.push({ kind, status: err.status, message: err.message });
            continue;
          }
          throw err;
        }
        for (const o of this.objects.values()) {
          if (o.kind === kind && o.metadata?.namespace === namespace)
            result.workloads.push({ kind, object: structuredClone(o) });
        }
      }
      return result;
    });
  }

  getWorkload(ref: WorkloadRef): Promise<KubeObject | null> {
    return settle(() => {
      this.record({ verb: 'get', kind: ref.kind, namespace: ref.namespace, name: ref.name });
      return this.read(ref.kind, ref.namespace, ref.name) ?? null;
    });
  }

  patchWorkload(ref: WorkloadRef, patch: MergePatch): Promise<KubeObject> {
    return settle(() => {
      this.beforePatch?.(ref);
      this.record({ verb: 'patch', kind: ref.kind, namespace: ref.namespace, name: ref.name });
      const current = this.objects.get(key(ref.kind, ref.namespace, ref.name));
      if (!current) throw new KubeApiError(404, 'patch', ref.kind, 'not found');
      if (patch.metadata.resourceVersion && patch.metadata.resourceVersion !== current.metadata?.resourceVersion) {
        throw new KubeApiError(
          409,
          'patch',
          ref.kind,
          'the object has been modified; please apply your changes to the latest version and try again',
        );
      }
      const merged = mergePatch(current, patch) as KubeObject;
      return this.put(merged);
    });
  }

  getNamespace(name: string): Promise<KubeObject | null> {
    return settle(() => {
      this.record({ verb: 'get', kind: 'Namespace', namespace: '', name });
      return this.read('Namespace', '', name) ?? null;
    });
  }

  /**
   * Every stored Namespace, whatever the selector (recorded as the call's name): the API server's
   * own selecting is checked against the emulator and the real tier; here the reconciler must not
   * rely on it.
   */
  listNamespaces(labelSelector: string): Promise<KubeObject[]> {
    return settle(() => {
      this.record({ verb: 'list', kind: 'Namespace', namespace: '', name: labelSelector });
      return [...this.objects.values()].filter((o) => o.kind === 'Namespace').map((o) => structuredClone(o));
    });
  }

  recordEvent(regarding: EventRegarding, event: WorkloadEvent): Promise<void> {
    return Promise.resolve().then(() => {
      this.record({ verb: 'create', kind: 'Event', namespace: regarding.namespace, name: regarding.name });
      this.events.push({ regarding: { ...regarding }, event: { ...event } });
    });
  }

  private record(call: PortCall): void {
    this.calls.push(call);
    const fault = this.faults.find(
      (f) =>
        (f.verb === undefined || f.verb === call.verb) &&
        (f.kind === undefined || f.kind === call.kind) &&
        (f.times ?? 1) > 0,
    );
    if (!fault) return;
    fault.times = (fault.times ?? 1) - 1;
    if (fault.status === 'unavailable') throw new ApiUnavailableError(call.verb, call.kind, 'connect ECONNREFUSED');
    throw new KubeApiError(fault.status, call.verb, call.kind, `injected ${fault.status}`);
  }
}

/**
 * What an async method does, without one: runs `body` now and settles with its value, a throw becoming
 * a rejection (the port's callers see injected faults as rejected promises, as from the real client).
 */
function settle<T>(body: () => T): Promise<T> {
  return new Promise<T>((resolve) => resolve(body()));
}

function key(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

// RFC 7386
function mergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target)
      ? { ...(target as Record<string, unknown>) }
      : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}
