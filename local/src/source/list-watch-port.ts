// The narrow Kubernetes port the emulated ApiServerSource needs: list (only for the collection's
// resourceVersion: the real adapter's store drops the initial list) and watch from a version.

export type WatchTarget = { apiVersion: string; kind: string; namespace: string; labelSelector: string | undefined };

export type WatchHandle = { stop(): void };

export type ListWatchPort = {
  /** The collection's current resourceVersion ("now"); the listed objects are ignored. */
  listResourceVersion(target: WatchTarget): Promise<string>;
  /**
   * Opens a watch from `resourceVersion`; resolves once the stream is established.
   * `onDone` is called once when the stream ends (err null = closed cleanly).
   */
  watch(
    target: WatchTarget,
    resourceVersion: string,
    onEvent: (type: string, object: unknown) => void,
    onDone: (err: unknown) => void,
  ): Promise<WatchHandle>;
};

/** Names of the objects a LIST returns (the namespaces a namespaceSelector selects), with the list's version. */
export type NameListPort = {
  listNames(target: WatchTarget): Promise<{ names: string[]; resourceVersion: string }>;
};

/** A 410 Gone (expired resourceVersion), as an HTTP status or an in-stream ERROR Status. */
export function isGone(errOrStatus: unknown): boolean {
  if (typeof errOrStatus !== 'object' || errOrStatus === null) return false;
  const e = errOrStatus as { statusCode?: unknown; code?: unknown; status?: unknown };
  return e.statusCode === 410 || e.code === 410;
}
