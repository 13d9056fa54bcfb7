import { createServer, type IncomingMessage, type ServerResponse, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

export type RawHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface FunctionServerOptions {
  name: string;
  port: number;
  host?: string;
  logger: Logger;
  registry: Registry;
  /** Hot-path handlers keyed `'GET /path'`, answered without express's per-request cost. */
  routes?: Record<string, RawHandler>;
  /** Everything else (express app or any request listener). */
  app?: RequestListener;
  /** Extra readiness condition (e.g. config loaded). Draining always makes the function unready. */
  isReady?: () => boolean;
  /** How long SIGTERM waits for in-flight requests before closing connections anyway. */
  drainTimeoutMs?: number;
}

export interface FunctionServer {
  url: string;
  port: number;
  /** Requests being answered right now. */
  inFlight(): number;
  /** Stop accepting, let in-flight requests finish (up to drainTimeoutMs), then close everything. */
  close(): Promise<void>;
}

const HEALTH_PATHS = new Set(['/healthz', '/_/health']);
const READY_PATHS = new Set(['/readyz', '/_/ready']);

/** Strip the query string without allocating a URL object on the hot path. */
function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function answer(res: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'content-type': type, 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/**
 * The runtime around a function (as faas-js-runtime is for knative/func): it owns the server, the
 * health routes Knative and OpenFaaS probe, /metrics and the drain on shutdown; the function only
 * supplies its handlers.
 */
export async function startFunctionServer(options: FunctionServerOptions): Promise<FunctionServer> {
  const { logger, registry, routes = {}, app, isReady = () => true, drainTimeoutMs = 25_000 } = options;
  let draining = false;
  let inFlight = 0;
  const idleWaiters: Array<() => void> = [];

  const onDone = (): void => {
    inFlight -= 1;
    if (inFlight === 0) idleWaiters.splice(0).forEach((wake) => wake());
  };

  const server = createServer((req, res) => {
    inFlight += 1;
    res.once('close', onDone);
    const path = pathOf(req.url);
    if (HEALTH_PATHS.has(path)) return answer(res, 200, 'ok\n');
    if (READY_PATHS.has(path)) {
      const ready = !draining && isReady();
      return answer(res, ready ? 200 : 503, ready ? 'ready\n' : 'not ready\n');
    }
    if (path === '/metrics' && req.method === 'GET') {
      registry
        .metrics()
        .then((text) => answer(res, 200, text, registry.contentType))
        .catch((err: unknown) => {
          logger.error({ err }, 'metrics collection failed');
          answer(res, 500, 'metrics unavailable\n');
        });
      return;
    }
    if (draining) {
      // Knative/OpenFaaS stop routing to us once /readyz fails; a straggler is told to retry elsewhere.
      res.setHeader('connection', 'close');
      res.setHeader('retry-after', '1');
      return answer(res, 503, 'shutting down\n');
    }
    const handler = routes[`${req.method ?? 'GET'} ${path}`];
    const run = handler ?? app;
    if (!run) return answer(res, 404, 'not found\n');
    try {
      const result: unknown = run(req, res);
      if (result instanceof Promise) result.catch((err: unknown) => failRequest(res, err));
    } catch (err) {
      failRequest(res, err);
    }
  });

  function failRequest(res: ServerResponse, err: unknown): void {
    // A handler bug must answer, not crash the process or leave the client hanging.
    logger.error({ err }, 'handler failed');
    if (!res.headersSent) answer(res, 500, 'internal error\n');
    else res.destroy();
  }

  // Knative's queue-proxy keeps connections alive longer than Node's 5 s default.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '0.0.0.0', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host && options.host !== '0.0.0.0' ? options.host : '127.0.0.1';
  logger.info({ port }, `${options.name} listening on http://${host}:${port}`);

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      draining = true;
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      if (inFlight > 0) {
        logger.info({ inFlight }, `draining ${inFlight} in-flight request(s)`);
        const idle = new Promise<void>((resolve) => idleWaiters.push(resolve));
        const timeout = new Promise<void>((resolve) => setTimeout(resolve, drainTimeoutMs).unref());
        await Promise.race([idle, timeout]);
      }
      server.closeAllConnections();
      await stopped;
    })();
    return closing;
  };

  return { url: `http://${host}:${port}`, port, inFlight: () => inFlight, close };
}
