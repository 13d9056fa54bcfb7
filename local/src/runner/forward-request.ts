// One proxied attempt: send a buffered request to an upstream and stream its answer back. The body
// is buffered first (requests here are small: CloudEvents below the 1 MiB ConfigMap limit, GETs) so
// an attempt that failed before the upstream answered can be retried elsewhere, as Envoy's
// connect-failure retry does.
import {
  type Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  type ServerResponse,
  request,
} from 'node:http';

const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

export class BodyTooLargeError extends Error {}

/** Reads the whole request body, refusing more than `limit` bytes. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new BodyTooLargeError(`request body is larger than ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** Request headers minus hop-by-hop ones, with overrides applied. */
export function forwardHeaders(headers: IncomingHttpHeaders, overrides: OutgoingHttpHeaders = {}): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connectionListed = String(headers.connection ?? '')
    .split(',')
    .map((h) => h.trim().toLowerCase());
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || connectionListed.includes(name)) continue;
    out[name] = value;
  }
  return { ...out, ...overrides };
}

export type AttemptResult =
  | { kind: 'answered'; status: number }
  /** Failed before any answer; `retryable` when it is safe to send the request again. */
  | { kind: 'failed'; error: Error; retryable: boolean };

export interface AttemptOptions {
  host: string;
  port: number;
  method: string;
  path: string;
  headers: OutgoingHttpHeaders;
  body: Buffer;
  agent: Agent;
  res: ServerResponse;
  timeoutMs: number;
}

/** Sends once; on an answer, streams it into `res` and resolves when it is done. */
export function attemptForward(o: AttemptOptions): Promise<AttemptResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (r: AttemptResult) => {
      if (!settled) {
        settled = true;
        resolve(r);
      }
    };
    const upstream = request(
      {
        host: o.host,
        port: o.port,
        method: o.method,
        path: o.path,
        headers: { ...o.headers, 'content-length': String(o.body.length) },
        agent: o.agent,
        timeout: o.timeoutMs,
      },
      (answer) => {
        const headers = forwardHeaders(answer.headers);
        o.res.writeHead(answer.statusCode ?? 502, headers);
        answer.pipe(o.res);
        answer.on('end', () => finish({ kind: 'answered', status: answer.statusCode ?? 502 }));
        answer.on('error', () => {
          o.res.destroy();
          finish({ kind: 'answered', status: answer.statusCode ?? 502 });
        });
        o.res.on('close', () => finish({ kind: 'answered', status: answer.statusCode ?? 502 }));
      },
    );
    upstream.on('timeout', () => upstream.destroy(new Error(`upstream did not answer within ${o.timeoutMs} ms`)));
    upstream.on('error', (error: NodeJS.ErrnoException) => {
      if (o.res.headersSent) {
        o.res.destroy();
        finish({ kind: 'answered', status: 502 });
        return;
      }
      // A refused connection never reached the process. A reset on a reused keep-alive socket means
      // the upstream closed it while idle (a draining pod does this): Node's docs say retry.
      const retryable =
        error.code === 'ECONNREFUSED' ||
        (upstream.reusedSocket && (error.code === 'ECONNRESET' || error.message === 'socket hang up'));
      finish({ kind: 'failed', error, retryable });
    });
    upstream.end(o.body);
  });
}

/** A plain-text error answer from the proxy itself. */
export function answerError(res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = `${message}\n`;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}
