// The two ways a Kubernetes API call ends badly, shared by every function so an `instanceof` in one
// package recognises an error raised in another: a definite answer (retrying will not change it),
// or an API that stayed unavailable for the whole retry budget (the function answers 503).

/** A definite answer from the API server that retrying will not change (403, 404, 409 on a write, 422 …). */
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly verb: string,
    readonly resource: string,
    message: string,
  ) {
    super(`${verb} ${resource}: ${status} ${message}`);
    this.name = 'KubeApiError';
  }
}

/** The API stayed unreachable (5xx, 429, timeouts, connection errors) for the whole retry budget. */
export class ApiUnavailableError extends Error {
  constructor(
    readonly verb: string,
    readonly resource: string,
    readonly lastError: string,
  ) {
    super(`${verb} ${resource}: API server unavailable (${lastError})`);
    this.name = 'ApiUnavailableError';
  }
}
