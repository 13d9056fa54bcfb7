// Delivers emulated-source requests like the Go adapter: one event at a time (a slow sink
// delays every later event), retry only what sdk-go retries, then drop and log.
import { randomIds, withNewSpan, type IdGenerator } from './clock';
import type { OutgoingRequest } from './outgoing-request';
import { MAX_RETRIES, isAcknowledged, retryDelayMs, shouldRetry, type AttemptOutcome } from './retry-policy';

/** Sends one request; resolves with the HTTP status, rejects on a connection error. */
export type SendPort = (sinkUrl: string, request: OutgoingRequest) => Promise<{ status: number }>;

export type DeliveryLog = (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;

export type DeliveryResult = {
  delivered: boolean;
  attempts: number;
  /** Last outcome: an HTTP status or a connection error message. */
  last: AttemptOutcome;
};

export type DeliveryOptions = {
  send: SendPort;
  log?: DeliveryLog;
  sleep?: (ms: number) => Promise<void>;
  ids?: IdGenerator;
  retryBaseMs?: number;
};

export type Delivery = {
  /** Queues a request for the sink; resolves once it was delivered or dropped. */
  deliver(sinkUrl: string, request: OutgoingRequest): Promise<DeliveryResult>;
  /** Resolves when everything queued so far is done. */
  idle(): Promise<void>;
};

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function describeOutcome(outcome: AttemptOutcome): string {
  return 'status' in outcome ? String(outcome.status) : outcome.error;
}

export function createDelivery(options: DeliveryOptions): Delivery {
  const sleep = options.sleep ?? realSleep;
  const ids = options.ids ?? randomIds;
  const log: DeliveryLog = options.log ?? (() => {});
  let tail: Promise<unknown> = Promise.resolve();

  async function attempt(sinkUrl: string, request: OutgoingRequest): Promise<AttemptOutcome> {
    try {
      return { status: (await options.send(sinkUrl, request)).status };
    } catch (err) {
      return { error: err instanceof Error ? err.message : String(err) };
    }
  }

  async function sendWithRetries(sinkUrl: string, request: OutgoingRequest): Promise<DeliveryResult> {
    let current = request;
    let last = await attempt(sinkUrl, current);
    let attempts = 1;
    while (!isAcknowledged(last) && shouldRetry(last) && attempts <= MAX_RETRIES) {
      await sleep(retryDelayMs(attempts, options.retryBaseMs));
      // Same ce-id, ce-time and body on a retry; only the span id changes (as recorded).
      current = {
        ...current,
        headers: { ...current.headers, traceparent: withNewSpan(current.headers.traceparent ?? '', ids) },
      };
      last = await attempt(sinkUrl, current);
      attempts++;
    }
    const delivered = isAcknowledged(last);
    const fields = {
      id: request.headers['ce-id'],
      type: request.headers['ce-type'],
      subject: request.headers['ce-subject'],
      sink: sinkUrl,
      attempts,
      result: describeOutcome(last),
    };
    if (delivered) log('info', 'sent cloudevent', fields);
    else log('error', `failed to send cloudevent: ${describeOutcome(last)} (dropped, never re-sent)`, fields);
    return { delivered, attempts, last };
  }

  return {
    deliver(sinkUrl, request) {
      const result = tail.then(() => sendWithRetries(sinkUrl, request));
      tail = result.catch(() => undefined);
      return result;
    },
    idle: async () => {
      let seen: Promise<unknown>;
      do {
        seen = tail;
        await seen;
      } while (seen !== tail);
    },
  };
}
