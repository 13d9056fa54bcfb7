// sdk-go v2.12's retry rules as the ApiServerSource and PingSource adapters use them
// (ContextWithRetriesExponentialBackoff(ctx, 50ms, 5); protocol/http result classification).

/** Statuses sdk-go treats as "try again"; every other non-2xx (500 included) is final. */
export const RETRIABLE_STATUSES: ReadonlySet<number> = new Set([404, 413, 425, 429, 502, 503, 504]);

export const MAX_RETRIES = 5;

/** Delay before retry n (1-based): 100, 200, 400, 800, 1600 ms, as measured in scenario 11. */
export function retryDelayMs(retry: number, baseMs = 100): number {
  return baseMs * 2 ** (retry - 1);
}

export type AttemptOutcome = { status: number } | { error: string };

export function isAcknowledged(outcome: AttemptOutcome): boolean {
  return 'status' in outcome && outcome.status >= 200 && outcome.status < 300;
}

/** Connection errors (no HTTP answer at all) are retried too. */
export function shouldRetry(outcome: AttemptOutcome): boolean {
  return 'error' in outcome || RETRIABLE_STATUSES.has(outcome.status);
}
