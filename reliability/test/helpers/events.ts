// Events exactly as the emulated sources format them (the real adapter's header set and body).
import type { KObject } from '@reroll/local/emulator';
import {
  formatApiServerEvent,
  formatPingEvent,
  type OutgoingRequest,
  type SourceMode,
  type WatchEventType,
} from '@reroll/local/source';

export const API_SERVER_URL = 'https://10.96.0.1:443';

export function apiServerEvent(
  mode: SourceMode,
  eventType: WatchEventType,
  object: KObject | Record<string, unknown>,
): OutgoingRequest {
  return formatApiServerEvent({ mode, eventType, object, source: API_SERVER_URL });
}

/** knative/31-pingsource.yaml's resync tick */
export function resyncEvent(namespace = 'reroll-demo'): OutgoingRequest {
  return formatPingEvent({
    name: 'reroll-resync',
    namespace,
    schedule: '*/5 * * * *',
    timezone: undefined,
    contentType: 'application/json',
    data: '{"reason":"resync"}',
    dataBase64: undefined,
    sinkUri: undefined,
  });
}

/** The decisions in a 200 answer (single event or batch). */
export function decisionsOf(
  body: string,
): Array<{ kind: string; namespace: string; name: string; action: string; reason: string }> {
  try {
    const json = JSON.parse(body) as { decisions?: unknown[]; events?: Array<{ decisions?: unknown[] }> };
    const all = json.decisions ?? (json.events ?? []).flatMap((e) => e.decisions ?? []);
    return all as ReturnType<typeof decisionsOf>;
  } catch {
    return [];
  }
}
