// Retries for API calls (cockatiel): capped exponential backoff with decorrelated jitter, a per-attempt
// timeout and a short total budget. The budget is short on purpose: the ApiServerSource adapter
// sends one event at a time, so a long wait here delays every later event; after the budget the
// function answers 503 and the adapter retries the delivery itself.
import {
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IPolicy,
} from 'cockatiel';

export interface RetryOptions {
  /** retries after the first attempt */
  maxRetries: number;
  initialDelayMs: number;
  maxDelayMs: number;
  attemptTimeoutMs: number;
  budgetMs: number;
}

export const DEFAULT_RETRY: RetryOptions = {
  maxRetries: 5,
  initialDelayMs: 100,
  maxDelayMs: 1000,
  attemptTimeoutMs: 2000,
  budgetMs: 3500,
};

const TRANSIENT_STATUS = new Set([429, 500, 502, 503, 504]);
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EAI_AGAIN',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);

export function statusOf(err: unknown): number | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** 409 counts as transient for reads only: a 409 on a patch is the resourceVersion precondition. */
export function isTransient(err: unknown, { conflictIsTransient }: { conflictIsTransient: boolean }): boolean {
  if (err instanceof TaskCancelledError) return true;
  const status = statusOf(err);
  if (status !== undefined) return TRANSIENT_STATUS.has(status) || (conflictIsTransient && status === 409);
  const e = err as { code?: unknown; errno?: unknown; type?: unknown; cause?: { code?: unknown } } | null;
  const code = typeof e?.code === 'string' ? e.code : typeof e?.errno === 'string' ? e.errno : e?.cause?.code;
  return (
    (typeof code === 'string' && CONNECTION_CODES.has(code)) || e?.type === 'system' || e?.type === 'request-timeout'
  );
}

export function createRetryPolicy(
  options: RetryOptions,
  conflictIsTransient: boolean,
  onRetry?: (err: unknown) => void,
): IPolicy {
  const retries = retry(
    handleWhen((err) => isTransient(err, { conflictIsTransient })),
    {
      maxAttempts: options.maxRetries,
      backoff: new ExponentialBackoff({ initialDelay: options.initialDelayMs, maxDelay: options.maxDelayMs }),
    },
  );
  if (onRetry) retries.onRetry((reason) => onRetry('error' in reason ? reason.error : reason.value));
  return wrap(
    timeout(options.budgetMs, TimeoutStrategy.Aggressive),
    retries,
    timeout(options.attemptTimeoutMs, TimeoutStrategy.Aggressive),
  );
}

/**
 * What function-runtime's createApiCall takes, from one set of retry settings: a read policy (409
 * retried), a write policy (409 left to the caller), and the same transient test the policies use.
 */
export function createCallPolicies(options: Partial<RetryOptions> = {}) {
  const settings = { ...DEFAULT_RETRY, ...options };
  return {
    readPolicy: createRetryPolicy(settings, true),
    writePolicy: createRetryPolicy(settings, false),
    isTransient,
    statusOf,
  };
}
