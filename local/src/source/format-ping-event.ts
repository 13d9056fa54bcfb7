// Pure: a PingSource tick → the HTTP request Knative's mt-ping adapter sends (runner.go makeEvent),
// built with the cloudevents SDK and finished with the Go transport headers.
import { CloudEvent, HTTP } from 'cloudevents';
import { encodeGoRawMessageMap } from './go-json';
import { randomIds, systemClock } from './clock';
import { toGoWireRequest, type FormatDeps } from './format-apiserver-event';
import type { OutgoingRequest } from './outgoing-request';
import type { PingSourceSpec } from './ping-source-spec';

export const PING_EVENT_TYPE = 'dev.knative.sources.ping';

/** v1.PingSourceSource: the source is a path naming the PingSource, not a URL. */
export function formatPingSource(namespace: string, name: string): string {
  return `/apis/v1/namespaces/${namespace}/pingsources/${name}`;
}

/**
 * The body, as makeEvent encodes it: JSON data is re-marshalled from a map[string]RawMessage
 * (top-level keys sorted, compacted); other data and dataBase64 go out as the spec's bytes
 * (dataBase64 is not decoded: the adapter passes []byte(dataBase64)).
 */
export function formatPingBody(spec: Pick<PingSourceSpec, 'data' | 'dataBase64' | 'contentType'>): string | undefined {
  if (spec.dataBase64 !== undefined) return spec.dataBase64;
  if (spec.data === undefined) return undefined;
  if (spec.contentType === 'application/json')
    return encodeGoRawMessageMap(JSON.parse(spec.data) as Record<string, unknown>);
  return spec.data;
}

export function formatPingEvent(spec: PingSourceSpec, deps: FormatDeps = {}): OutgoingRequest {
  const clock = deps.clock ?? systemClock;
  const ids = deps.ids ?? randomIds;
  const nowNs = clock();
  const body = formatPingBody(spec);
  const event = new CloudEvent<string>({
    id: ids.uuid(),
    time: new Date(Number(nowNs / 1_000_000n)).toISOString(),
    type: PING_EVENT_TYPE,
    source: formatPingSource(spec.namespace, spec.name),
    ...(spec.contentType && body !== undefined ? { datacontenttype: spec.contentType } : {}),
    ...(body !== undefined ? { data: body } : {}),
  });
  const message = HTTP.binary(event);
  // sdk-go writes no Content-Type without a data content type; the JS SDK would default one.
  if (!spec.contentType || body === undefined) delete (message.headers as Record<string, unknown>)['content-type'];
  return toGoWireRequest({ headers: message.headers, body: body ?? '' }, nowNs, ids);
}
