// One Kubernetes API call, the way every function makes it: each attempt counted (verb, resource,
// status code), the attempts run by the caller's retry policy, and the outcome mapped to what a
// reconcile can act on: the result, a KubeApiError (a definite answer), or an ApiUnavailableError
// (transient failures outlasted the budget). The policy and what counts as transient are parameters:
// the functions keep their own retry settings, this keeps the mapping in one place.
import { ApiUnavailableError, KubeApiError } from './kube-api-errors';

/** cockatiel's IPolicy fits: it runs the attempts */
export interface AttemptPolicy {
  execute<T>(attempt: () => Promise<T>): Promise<T>;
}

export interface ApiCallOptions {
  /** runs a read's attempts (a 409 on a read is a race worth retrying) */
  readPolicy: AttemptPolicy;
  /** runs a write's attempts (a 409 on a write is the resourceVersion precondition: the caller decides) */
  writePolicy: AttemptPolicy;
  /** whether a failure is transient (the policies retry exactly these) */
  isTransient: (err: unknown, options: { conflictIsTransient: boolean }) => boolean;
  /** the HTTP status of a failed call; undefined for connection errors and timeouts */
  statusOf: (err: unknown) => number | undefined;
  /** one call per attempt: verb, resource and status code (or 'error'/'timeout') */
  onRequest?: (verb: string, resource: string, code: string) => void;
}

export type ApiCall = <T>(verb: string, resource: string, write: boolean, fn: () => Promise<T>) => Promise<T>;

export function createApiCall(options: ApiCallOptions): ApiCall {
  const { isTransient, statusOf, onRequest } = options;
  const codeOf = (err: unknown): string => {
    const status = statusOf(err);
    if (status !== undefined) return String(status);
    if ((err as Error)?.name === 'TaskCancelledError') return 'timeout';
    return 'error';
  };
  return async (verb, resource, write, fn) => {
    let last: unknown;
    const transient = (e: unknown) => isTransient(e, { conflictIsTransient: !write });
    try {
      return await (write ? options.writePolicy : options.readPolicy).execute(async () => {
        try {
          const result = await fn();
          onRequest?.(verb, resource, '200');
          return result;
        } catch (err) {
          last = err;
          onRequest?.(verb, resource, codeOf(err));
          throw err;
        }
      });
    } catch (err) {
      const status = statusOf(err);
      if (status !== undefined && !transient(err)) throw new KubeApiError(status, verb, resource, messageOf(err));
      if (transient(err) || transient(last)) throw new ApiUnavailableError(verb, resource, messageOf(last ?? err));
      throw err;
    }
  };
}

/** The API's Status message (names and reasons only: the API never echoes ConfigMap data in errors). */
export function messageOf(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { message?: string };
      if (parsed.message) return parsed.message;
    } catch {
      return body.slice(0, 200);
    }
  }
  if (body && typeof body === 'object' && 'message' in body) return String(body.message);
  return err instanceof Error ? err.message.split('\n')[0]!.slice(0, 300) : String(err);
}
