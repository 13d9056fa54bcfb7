// Delivers events to the function like the real ApiServerSource adapter (the source's own delivery
// policy: retries of 404/413/425/429/502/503/504 and connection errors, 5 retries, then dropped), on
// several lanes at once so deliveries race each other. Every answer of every attempt is recorded.
import { randomBytes } from 'node:crypto';
import { createDelivery, type Delivery, type DeliveryResult, type OutgoingRequest } from '@reroll/local/source';

export interface Answer {
  status: number;
  body: string;
}

export interface Deliverer {
  /** every HTTP answer (all attempts) */
  answers: Answer[];
  /** resolves with the final outcome and the body of the last answer */
  deliver(lane: number, request: OutgoingRequest): Promise<DeliveryResult & { body: string }>;
}

export function createDeliverer(sinkUrl: string, lanes: number, retryBaseMs = 20): Deliverer {
  const answers: Answer[] = [];
  const lastBody = new Map<string, string>();
  const traceOf = (r: OutgoingRequest) => r.headers.traceparent?.split('-')[1] ?? '';
  // The source's own sender ignores answer bodies; the tests need them, so this one reads them.
  const send = async (url: string, request: OutgoingRequest): Promise<{ status: number }> => {
    const headers = { ...request.headers };
    delete headers['content-length'];
    delete headers['accept-encoding'];
    const res = await fetch(url, { method: 'POST', headers, body: request.body });
    const body = await res.text();
    answers.push({ status: res.status, body });
    lastBody.set(traceOf(request), body);
    return { status: res.status };
  };
  const queues: Delivery[] = Array.from({ length: lanes }, () => createDelivery({ send, retryBaseMs }));
  return {
    answers,
    async deliver(lane, request) {
      // each delivery gets its own trace id (a re-send by a restarted adapter would too), so its answer can be found
      const own = {
        ...request,
        headers: {
          ...request.headers,
          traceparent: `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`,
        },
      };
      const result = await queues[lane % lanes]!.deliver(sinkUrl, own);
      const trace = traceOf(own);
      const body = lastBody.get(trace) ?? '';
      lastBody.delete(trace);
      return { ...result, body };
    },
  };
}
