// The emulated ApiServerSource receive adapter: one reflector per watched resource, starting
// from "now" (list for the resourceVersion, then watch: existing objects are NOT sent as adds,
// scenario 09), re-watching after a disconnect from the last version seen, and relisting
// without replay after a 410 (changes in between are lost, exactly like the real adapter).
import type { ApiServerSourceSpec } from './apiserver-source-spec';
import { formatApiServerEvent, type WatchEventType } from './format-apiserver-event';
import { isGone, type ListWatchPort, type WatchHandle, type WatchTarget } from './list-watch-port';
import type { Delivery, DeliveryLog } from './delivery';
import type { Clock, IdGenerator } from './clock';

export type ApiServerSourceOptions = {
  source: ApiServerSourceSpec;
  /** ce-source: the API server URL (kubeconfig server), like the adapter's rest.Config Host. */
  apiServerUrl: string;
  /** Overrides spec.sink.uri (local mode resolves sink refs itself). */
  sinkUrl?: string;
  listWatch: ListWatchPort;
  delivery: Delivery;
  log?: DeliveryLog;
  clock?: Clock;
  ids?: IdGenerator;
  sleep?: (ms: number) => Promise<void>;
  /** First backoff after a failed list/watch; doubles up to 30 s. */
  backoffMs?: number;
};

export type RunningApiServerSource = {
  /** Stops watching; events already queued are still delivered (await delivery.idle()). */
  stop(): void;
};

const WATCH_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED']);
const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** How a watch ended; `retried` marks a failed re-list/re-watch attempt of ours (always backs off). */
type WatchEnd = { gone: boolean; error: unknown; retried?: boolean };

/** Starts the source; resolves once every resource is watched, so later changes are seen. */
export async function startApiServerSource(options: ApiServerSourceOptions): Promise<RunningApiServerSource> {
  const { source, listWatch, delivery } = options;
  const sinkUrl = options.sinkUrl ?? source.sinkUri;
  if (!sinkUrl)
    throw new Error(
      `ApiServerSource ${source.namespace}/${source.name}: spec.sink.uri is not set and no sink URL was given`,
    );
  const log: DeliveryLog = options.log ?? (() => {});
  const sleep = options.sleep ?? realSleep;
  const baseBackoff = options.backoffMs ?? 200;
  let stopped = false;
  const handles = new Set<WatchHandle>();

  function emit(type: WatchEventType, object: unknown): void {
    try {
      const request = formatApiServerEvent(
        { mode: source.mode, eventType: type, object, source: options.apiServerUrl },
        { clock: options.clock, ids: options.ids },
      );
      void delivery.deliver(sinkUrl!, request);
    } catch (err) {
      log('error', `skipped a watch event that cannot be formatted: ${(err as Error).message}`, { type });
    }
  }

  /** Opens one watch from state.rv; resolves once established, with a promise of its end. */
  async function openWatch(target: WatchTarget, state: { rv: string }): Promise<{ ended: Promise<WatchEnd> }> {
    let finish!: (end: WatchEnd) => void;
    const ended = new Promise<WatchEnd>((resolve) => (finish = resolve));
    const opened: { handle?: WatchHandle } = {};
    let gone = false;
    let endedEarly = false;
    const onEvent = (type: string, object: unknown) => {
      if (stopped) return;
      if (type === 'ERROR') {
        // An in-stream Status (410 = our resourceVersion expired): end this watch, the loop decides.
        gone = isGone(object);
        finish({ gone, error: object });
        if (opened.handle) opened.handle.stop();
        else endedEarly = true;
        return;
      }
      const rv = (object as { metadata?: { resourceVersion?: unknown } } | null)?.metadata?.resourceVersion;
      if (typeof rv === 'string' && rv) state.rv = rv;
      if (WATCH_TYPES.has(type)) emit(type as WatchEventType, object);
    };
    const established = await listWatch.watch(target, state.rv, onEvent, (err) =>
      finish({ gone: gone || isGone(err), error: err }),
    );
    opened.handle = established;
    if (endedEarly) established.stop();
    handles.add(established);
    void ended.then(() => handles.delete(established));
    // Wrapped: an async function returning a bare promise would wait for the watch to END.
    return { ended };
  }

  async function runReflector(target: WatchTarget, state: { rv: string }, firstEnd: Promise<WatchEnd>): Promise<void> {
    let ended = firstEnd;
    let backoff = baseBackoff;
    while (!stopped) {
      const end = await ended;
      if (stopped) return;
      // Like client-go's reflector: a 410 relists at once; other failures back off first.
      const failedAttempt = end.error !== null && end.error !== undefined && (!end.gone || end.retried === true);
      if (failedAttempt) {
        log('warn', `watch of ${target.kind} failed: ${describe(end.error)}; retrying in ${backoff} ms`, {});
        await sleep(backoff);
        backoff = Math.min(backoff * 2, 30_000);
        if (stopped) return;
      }
      try {
        if (end.gone) {
          log('warn', `watch of ${target.kind} expired (410): relisting; changes made meanwhile are not replayed`, {});
          state.rv = await listWatch.listResourceVersion(target);
        }
        ended = (await openWatch(target, state)).ended;
        if (!failedAttempt) backoff = baseBackoff;
      } catch (err) {
        ended = Promise.resolve({ gone: end.gone || isGone(err), error: err, retried: true });
      }
    }
  }

  const reflectors = source.resources.map(async (resource) => {
    const target: WatchTarget = { ...resource, namespace: source.namespace };
    let state: { rv: string };
    try {
      state = { rv: await listWatch.listResourceVersion(target) };
    } catch (err) {
      throw new Error(
        `ApiServerSource ${source.namespace}/${source.name}: cannot list ${resource.apiVersion} ${resource.kind}: ${describe(err)}`,
      );
    }
    const { ended } = await openWatch(target, state);
    return () => void runReflector(target, state, ended);
  });
  let starters: (() => void)[];
  try {
    starters = await Promise.all(reflectors);
  } catch (err) {
    stopped = true;
    handles.forEach((h) => h.stop());
    throw err;
  }
  starters.forEach((start) => start());
  log(
    'info',
    `watching ${source.resources.map((r) => `${r.kind}${r.labelSelector ? ` (${r.labelSelector})` : ''}`).join(', ')} in ${source.namespace}, mode ${source.mode}, sink ${sinkUrl}`,
    {},
  );

  return {
    stop() {
      stopped = true;
      handles.forEach((h) => h.stop());
      handles.clear();
    },
  };
}

function describe(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && err !== null && 'message' in err) return String(err.message);
  return String(err);
}
