// Generic in-memory storage: resource -> namespace -> name, a cluster-wide monotonic resourceVersion,
// and a bounded event history that watches replay from (older than the history = 410 Expired).
// The namespace index is what keeps a label-selected LIST in one namespace from scanning the store.
import type { KObject } from './object-types';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: EventType;
  /** storage key (resource.group) */
  key: string;
  namespace: string;
  rv: number;
  object: KObject;
  /** the object before this change (MODIFIED/DELETED), so selector watches can turn it into ADDED/DELETED */
  previous?: KObject;
}

export type StoreListener = (e: StoreEvent) => void;

export class ObjectStore {
  private rv = 0;
  private readonly data = new Map<string, Map<string, Map<string, KObject>>>();
  private readonly history: StoreEvent[] = [];
  private historyStart = 0; // index of the oldest kept event in a ring-less array (we splice in chunks)
  private readonly listeners = new Set<StoreListener>();
  /** the rv of the newest event dropped from the history: watching from below it is 410 */
  private compactedRv = 0;

  constructor(private readonly historyLimit = 10_000) {}

  currentRv(): number {
    return this.rv;
  }

  oldestWatchableRv(): number {
    return this.compactedRv;
  }

  nextRv(): number {
    return ++this.rv;
  }

  get(key: string, namespace: string, name: string): KObject | undefined {
    return this.data.get(key)?.get(namespace)?.get(name);
  }

  /** Objects of one resource: one namespace bucket when namespace is given, else all (sorted like etcd keys). */
  list(key: string, namespace?: string): KObject[] {
    const byNs = this.data.get(key);
    if (!byNs) return [];
    if (namespace !== undefined) {
      const bucket = byNs.get(namespace);
      if (!bucket) return [];
      return [...bucket.keys()].sort().map((n) => bucket.get(n)!);
    }
    const out: KObject[] = [];
    for (const ns of [...byNs.keys()].sort()) {
      const bucket = byNs.get(ns)!;
      for (const n of [...bucket.keys()].sort()) out.push(bucket.get(n)!);
    }
    return out;
  }

  namespacesOf(key: string): string[] {
    return [...(this.data.get(key)?.keys() ?? [])];
  }

  count(): number {
    let n = 0;
    for (const byNs of this.data.values()) for (const b of byNs.values()) n += b.size;
    return n;
  }

  /** Store an object whose metadata.resourceVersion the caller already set from nextRv(). */
  put(key: string, obj: KObject, type: 'ADDED' | 'MODIFIED', previous?: KObject): void {
    const ns = obj.metadata.namespace ?? '';
    let byNs = this.data.get(key);
    if (!byNs) this.data.set(key, (byNs = new Map<string, Map<string, KObject>>()));
    let bucket = byNs.get(ns);
    if (!bucket) byNs.set(ns, (bucket = new Map<string, KObject>()));
    bucket.set(obj.metadata.name!, obj);
    this.record({ type, key, namespace: ns, rv: Number(obj.metadata.resourceVersion), object: obj, previous });
  }

  remove(key: string, namespace: string, name: string, finalState: KObject): void {
    const bucket = this.data.get(key)?.get(namespace);
    const previous = bucket?.get(name);
    if (!bucket || !previous) return;
    bucket.delete(name);
    if (bucket.size === 0) this.data.get(key)!.delete(namespace);
    this.record({
      type: 'DELETED',
      key,
      namespace,
      rv: Number(finalState.metadata.resourceVersion),
      object: finalState,
      previous,
    });
  }

  private record(e: StoreEvent): void {
    this.history.push(e);
    if (this.history.length - this.historyStart > this.historyLimit) {
      const dropped = this.history[this.historyStart]!;
      this.compactedRv = dropped.rv;
      this.historyStart++;
      // compact the array now and then rather than shifting on every write
      if (this.historyStart > 1024 && this.historyStart > this.history.length / 2) {
        this.history.splice(0, this.historyStart);
        this.historyStart = 0;
      }
    }
    for (const l of this.listeners) l(e);
  }

  /** Events after rv, or 'expired' when the history no longer reaches back that far. */
  eventsSince(rv: number): StoreEvent[] | 'expired' {
    if (rv < this.compactedRv) return 'expired';
    const out: StoreEvent[] = [];
    // binary search the first event with e.rv > rv
    let lo = this.historyStart;
    let hi = this.history.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.history[mid]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo; i < this.history.length; i++) out.push(this.history[i]!);
    return out;
  }

  subscribe(l: StoreListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }
}
