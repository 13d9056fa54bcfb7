// The SendPort over Node's fetch: POST, answer status and body text.
import type { SendPort } from './run-replay';

export function createFetchSender(timeoutMs = 60_000): SendPort {
  return async (url, request) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { status: res.status, body: await res.text() };
  };
}
