// Sends one CloudEvent per rolled/failed/deferred/notified decision to K_SINK (binary mode, as a
// Knative Broker ingress takes it). A sink that is down must never fail or hold up a reconcile: each
// send gets a short timeout, failures are counted and logged once per batch, and after a run of
// failures a circuit breaker skips sends for a while instead of paying the timeout every event.
import { CloudEvent, HTTP } from 'cloudevents';
import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  TaskCancelledError,
  TimeoutStrategy,
  circuitBreaker,
  handleAll,
  timeout,
  wrap,
} from 'cockatiel';
import type { Logger } from 'pino';
import { buildDecisionEvent, isDecisionEventWorthy } from '../core/decision-cloud-event';
import type { Decision } from '../core/types';
import type { Counter } from 'prom-client';

export interface DecisionSinkOptions {
  url: string;
  logger: Logger;
  /** reroll_restart_decision_events_total{action, outcome} */
  counter: Counter<'action' | 'outcome'>;
  /** per send (default 1000 ms) */
  timeoutMs?: number;
  /** consecutive failures that open the breaker (default 5) and how long it stays open (default 30 s) */
  breakAfter?: number;
  halfOpenAfterMs?: number;
  now?: () => Date;
}

export interface DecisionSink {
  /** resolves when every send is done, failed or timed out; never rejects */
  send(decisions: readonly Decision[]): Promise<void>;
}

export function createDecisionSink(options: DecisionSinkOptions): DecisionSink {
  const timeoutMs = options.timeoutMs ?? 1000;
  const breaker = circuitBreaker(handleAll, {
    halfOpenAfter: options.halfOpenAfterMs ?? 30_000,
    breaker: new ConsecutiveBreaker(options.breakAfter ?? 5),
  });
  const policy = wrap(breaker, timeout(timeoutMs, TimeoutStrategy.Aggressive));
  const now = options.now ?? (() => new Date());

  async function sendOne(decision: Decision): Promise<string> {
    const spec = buildDecisionEvent(decision);
    const event = new CloudEvent({
      type: spec.type,
      source: spec.source,
      subject: spec.subject,
      time: now().toISOString(),
      datacontenttype: 'application/json',
      data: spec.data,
    });
    const message = HTTP.binary(event);
    try {
      await policy.execute(async ({ signal }) => {
        const res = await fetch(options.url, {
          method: 'POST',
          headers: message.headers as Record<string, string>,
          body: message.body as string,
          signal,
        });
        await res.arrayBuffer(); // release the connection
        if (res.status >= 300) throw new Error(`sink answered ${res.status}`);
      });
      return 'sent';
    } catch (err) {
      if (err instanceof BrokenCircuitError) return 'skipped';
      // the timeout aborts fetch's signal: fetch may reject (AbortError) before the policy does
      const name = (err as Error)?.name;
      return err instanceof TaskCancelledError || name === 'AbortError' ? 'timeout' : 'failed';
    }
  }

  return {
    async send(decisions) {
      const worthy = decisions.filter(isDecisionEventWorthy);
      if (worthy.length === 0) return;
      const outcomes = await Promise.all(worthy.map(sendOne));
      const problems = new Map<string, number>();
      worthy.forEach((d, i) => {
        const outcome = outcomes[i]!;
        options.counter.inc({ action: d.action, outcome });
        if (outcome !== 'sent') problems.set(outcome, (problems.get(outcome) ?? 0) + 1);
      });
      if (problems.size > 0) {
        const summary = [...problems].map(([k, v]) => `${k}=${v}`).join(' ');
        options.logger.warn(
          { sink: options.url, outcomes: Object.fromEntries(problems) },
          `[sink] decision events not delivered: ${summary} of ${worthy.length} (the reconcile is unaffected)`,
        );
      }
    },
  };
}
