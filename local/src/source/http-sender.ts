// The SendPort over node:http(s). Not fetch: undici adds headers Go never sends (accept,
// accept-language, sec-fetch-mode), and the recordings' header set is part of the contract.
import http from 'node:http';
import https from 'node:https';
import type { SendPort } from './delivery';

/** Go's canonical header form (ce-id → Ce-Id), as net/http writes them. */
export function canonicalHeaderName(name: string): string {
  return name
    .split('-')
    .map((part) => (part ? part[0]!.toUpperCase() + part.slice(1).toLowerCase() : part))
    .join('-');
}

export type HttpSenderOptions = {
  /** Give up on an unanswered request after this long (counts as a connection error). */
  timeoutMs?: number;
};

export function createHttpSender(options: HttpSenderOptions = {}): SendPort {
  const timeoutMs = options.timeoutMs ?? 60_000;
  return (sinkUrl, request) =>
    new Promise((resolve, reject) => {
      let url: URL;
      try {
        url = new URL(sinkUrl);
      } catch {
        reject(new Error(`sink URL is not a valid URL: ${JSON.stringify(sinkUrl)}`));
        return;
      }
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) headers[canonicalHeaderName(name)] = value;
      const client = url.protocol === 'https:' ? https : http;
      const req = client.request(url, { method: request.method, headers, timeout: timeoutMs }, (res) => {
        res.resume(); // the adapter ignores the answer's body
        res.on('end', () => resolve({ status: res.statusCode ?? 0 }));
        res.on('error', reject);
      });
      // Go sends no Connection header; Node would add "Connection: keep-alive".
      req.removeHeader('connection');
      req.on('timeout', () => req.destroy(new Error(`no answer from ${sinkUrl} within ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(request.body);
    });
}
