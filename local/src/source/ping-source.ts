// The emulated PingSource: sends dev.knative.sources.ping on its schedule through the same
// delivery as the ApiServerSource (same retries), plus sendNow() for tests and local mode.
import type { Delivery, DeliveryResult } from './delivery';
import type { Clock, IdGenerator } from './clock';
import { formatPingEvent } from './format-ping-event';
import { parseSchedule } from './ping-schedule';
import type { PingSourceSpec } from './ping-source-spec';

export type TimerPort = {
  now(): Date;
  /** Calls fn after ms; returns a cancel function. */
  setTimer(ms: number, fn: () => void): () => void;
};

// setTimeout cannot wait longer than ~24.8 days; long waits are chained.
const MAX_TIMER_MS = 2 ** 31 - 1;

export const realTimers: TimerPort = {
  now: () => new Date(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, Math.min(Math.max(ms, 0), MAX_TIMER_MS));
    t.unref?.();
    return () => clearTimeout(t);
  },
};

export type PingSourceOptions = {
  source: PingSourceSpec;
  /** Overrides spec.sink.uri. */
  sinkUrl?: string;
  delivery: Delivery;
  timers?: TimerPort;
  clock?: Clock;
  ids?: IdGenerator;
  /** Called with each scheduled send's outcome (logging, tests). */
  onSent?: (result: DeliveryResult) => void;
};

export type RunningPingSource = {
  /** Sends one ping now (outside the schedule); resolves when delivered or dropped. */
  sendNow(): Promise<DeliveryResult>;
  /** When the next scheduled ping fires. */
  nextFireAt(): Date | undefined;
  stop(): void;
};

export function startPingSource(options: PingSourceOptions): RunningPingSource {
  const { source, delivery } = options;
  const sinkUrl = options.sinkUrl ?? source.sinkUri;
  if (!sinkUrl)
    throw new Error(
      `PingSource ${source.namespace}/${source.name}: spec.sink.uri is not set and no sink URL was given`,
    );
  const schedule = parseSchedule(source.schedule, source.timezone);
  const timers = options.timers ?? realTimers;
  let cancel: (() => void) | undefined;
  let nextAt: Date | undefined;
  let stopped = false;

  const send = () => delivery.deliver(sinkUrl, formatPingEvent(source, { clock: options.clock, ids: options.ids }));

  function arm(after: Date): void {
    if (stopped) return;
    nextAt = schedule.next(after);
    const fireAt = nextAt;
    const wait = () => {
      const remaining = fireAt.getTime() - timers.now().getTime();
      if (remaining > MAX_TIMER_MS) {
        cancel = timers.setTimer(MAX_TIMER_MS, wait);
        return;
      }
      cancel = timers.setTimer(remaining, () => {
        if (stopped) return;
        void send().then((r) => options.onSent?.(r));
        arm(fireAt);
      });
    };
    wait();
  }
  arm(timers.now());

  return {
    sendNow: send,
    nextFireAt: () => nextAt,
    stop() {
      stopped = true;
      cancel?.();
      nextAt = undefined;
    },
  };
}
