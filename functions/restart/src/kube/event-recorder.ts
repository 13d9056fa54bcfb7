// Kubernetes Events as a controller records them (client-go tools/events): events.k8s.io/v1 through
// client-node's EventsV1Api, reportingController reroll.dev/restart, reportingInstance the pod.
// The same event seen again within the series window bumps `series` (a merge patch) instead of
// creating another object, which is why RBAC grants `patch` on events besides `create`.
import { hostname } from 'node:os';
import {
  EventsV1Api,
  PatchStrategy,
  setHeaderOptions,
  type Configuration,
  type KubeConfig,
} from '@kubernetes/client-node';
import type { EventRegarding, WorkloadEvent } from './port';
import type { WorkloadKind } from '../core/types';

export const REPORTING_CONTROLLER = 'reroll.dev/restart';
/** client-go's events series: an event not observed again within 6 minutes starts a new object */
const SERIES_WINDOW_MS = 6 * 60 * 1000;
const NOTE_LIMIT = 1024;
const CACHE_LIMIT = 1000;

export interface EventRecorderOptions {
  kubeConfig: KubeConfig;
  /** the port's pooled configuration, so Events ride the same keep-alive connections as every other call */
  configuration?: Configuration;
  /** this replica (default: the host name, which is the pod name in a cluster) */
  reportingInstance?: string;
  now?: () => Date;
  /** runs each call through the port's retry policy and request accounting */
  call: <T>(verb: string, resource: string, fn: () => Promise<T>) => Promise<T>;
  apiVersionOf: (kind: WorkloadKind) => string;
}

interface SeriesEntry {
  name: string;
  namespace: string;
  count: number;
  lastObserved: number;
}

/**
 * metav1.MicroTime: the apiserver parses "2006-01-02T15:04:05.000000Z07:00" and rejects the
 * millisecond form Date.toISOString() gives (a Date would be serialized that way by client-node).
 */
export function formatMicroTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** A note within the API's 1 KiB limit (cut on a character boundary). */
export function limitNote(note: string): string {
  if (Buffer.byteLength(note) <= NOTE_LIMIT) return note;
  let cut = note.slice(0, NOTE_LIMIT - 3);
  while (Buffer.byteLength(cut) > NOTE_LIMIT - 3) cut = cut.slice(0, -1);
  return `${cut}...`;
}

export function createEventRecorder(options: EventRecorderOptions) {
  const api = options.configuration
    ? new EventsV1Api(options.configuration)
    : options.kubeConfig.makeApiClient(EventsV1Api);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const now = options.now ?? (() => new Date());
  const reportingInstance = options.reportingInstance ?? hostname();
  const series = new Map<string, SeriesEntry>();
  let sequence = 0;

  async function create(regarding: EventRegarding, event: WorkloadEvent, at: Date, key: string): Promise<void> {
    // client-go names events <object>.<unix nanos in hex>; the sequence keeps two in one ms apart
    const name = `${regarding.name}.${(BigInt(at.getTime()) * 1_000_000n + BigInt(sequence++ % 1_000_000)).toString(16)}`;
    const body = {
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { name, namespace: regarding.namespace },
      eventTime: formatMicroTime(at) as unknown as Date,
      reportingController: REPORTING_CONTROLLER,
      reportingInstance,
      action: event.action,
      reason: event.reason,
      type: event.type,
      note: limitNote(event.note),
      regarding: {
        apiVersion: options.apiVersionOf(regarding.kind),
        kind: regarding.kind,
        namespace: regarding.namespace,
        name: regarding.name,
        ...(regarding.uid ? { uid: regarding.uid } : {}),
      },
    };
    await options.call('create', 'events.events.k8s.io', () =>
      api.createNamespacedEvent({ namespace: regarding.namespace, body }),
    );
    remember(key, { name, namespace: regarding.namespace, count: 1, lastObserved: at.getTime() });
  }

  function remember(key: string, entry: SeriesEntry): void {
    series.delete(key);
    series.set(key, entry);
    if (series.size > CACHE_LIMIT) series.delete(series.keys().next().value!);
  }

  return async function recordEvent(regarding: EventRegarding, event: WorkloadEvent): Promise<void> {
    const at = now();
    const key = [
      regarding.uid ?? '',
      regarding.kind,
      regarding.namespace,
      regarding.name,
      event.type,
      event.reason,
      event.action,
      event.note,
    ].join('\u0000');
    const seen = series.get(key);
    if (!seen || at.getTime() - seen.lastObserved > SERIES_WINDOW_MS) return create(regarding, event, at, key);
    const next = { ...seen, count: seen.count + 1, lastObserved: at.getTime() };
    try {
      await options.call('patch', 'events.events.k8s.io', () =>
        api.patchNamespacedEvent(
          {
            namespace: seen.namespace,
            name: seen.name,
            body: { series: { count: next.count, lastObservedTime: formatMicroTime(at) } },
          },
          mergePatch,
        ),
      );
      remember(key, next);
    } catch (err) {
      // the earlier event expired (events have a TTL) or was deleted: start again
      if ((err as { status?: number }).status === 404) return create(regarding, event, at, key);
      throw err;
    }
  };
}
