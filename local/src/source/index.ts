// Emulated Knative sources for local mode and tests: ApiServerSource (watch → real-format
// CloudEvents) and PingSource (scheduled resync pings), with the real adapter's delivery policy.
export {
  formatApiServerEvent,
  formatSubject,
  formatObjectReference,
  type SourceMode,
  type WatchEventType,
  type ApiServerEventInput,
} from './format-apiserver-event';
export { formatPingEvent, formatPingSource, PING_EVENT_TYPE } from './format-ping-event';
export type { OutgoingRequest } from './outgoing-request';
export { systemClock, randomIds, formatRfc3339Nano, type Clock, type IdGenerator } from './clock';
export { createDelivery, type Delivery, type DeliveryResult, type DeliveryLog, type SendPort } from './delivery';
export { RETRIABLE_STATUSES, MAX_RETRIES, retryDelayMs } from './retry-policy';
export { createHttpSender } from './http-sender';
export { parseApiServerSource, formatLabelSelector, type ApiServerSourceSpec } from './apiserver-source-spec';
export { startApiServerSource, type RunningApiServerSource, type ApiServerSourceOptions } from './apiserver-source';
export { startSelectedApiServerSource, type RunningSelectedSource } from './namespace-selected-source';
export { createKubeListWatch } from './kube-list-watch';
export type { ListWatchPort, NameListPort, WatchTarget } from './list-watch-port';
export { parsePingSource, type PingSourceSpec } from './ping-source-spec';
export { parseSchedule } from './ping-schedule';
export { startPingSource, type RunningPingSource, type TimerPort } from './ping-source';
export { startSources, type RunningSources, type StartSourcesOptions } from './start-sources';
