// The local ingress gateway: one HTTP port that routes by Host header the way the Gateways and
// VirtualServices in the emulator say, to the ready local pods behind the destination Service.
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { BodyTooLargeError, answerError, attemptForward, forwardHeaders, readBody } from './forward-request';
import { listenLocal } from './listen-local';
import type { LogLine } from './part-log';
import { type Endpoint, type RouteInputs, normalizeHost, resolveRoute } from './resolve-route';

export interface GatewayOptions {
  port: number;
  host?: string;
  /** The current Gateways, VirtualServices, Services and pod endpoints. */
  routeInputs: () => RouteInputs;
  log: LogLine;
  /** One line per proxied request. */
  accessLog?: boolean;
  /**
   * Hosts served before the VirtualServices are consulted: the Knative Services' own routes
   * (`hello.<ns>.example.com` → the activator of the revision that takes the traffic).
   */
  hostRoutes?: (host: string) => Endpoint | undefined;
  /** How often a request that found no upstream is tried again (Istio's default is 2 retries). */
  retries?: number;
}

export interface Gateway {
  url: string;
  port: number;
  /** Resolves once no request is in flight to this endpoint; the caller then stops it. */
  drain(endpoint: Pick<Endpoint, 'host' | 'port'>): Promise<void>;
  stop(): Promise<void>;
}

const BODY_LIMIT = 8 * 1024 * 1024;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startGateway(opts: GatewayOptions): Promise<Gateway> {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  const inFlight = new Map<string, number>();
  const drainWaiters = new Map<string, (() => void)[]>();
  const retries = opts.retries ?? 2;
  let counter = 0;

  const key = (e: Pick<Endpoint, 'host' | 'port'>) => `${e.host}:${e.port}`;
  const release = (k: string) => {
    const n = (inFlight.get(k) ?? 1) - 1;
    if (n > 0) {
      inFlight.set(k, n);
      return;
    }
    inFlight.delete(k);
    for (const wake of drainWaiters.get(k) ?? []) wake();
    drainWaiters.delete(k);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now();
    const rawHost = req.headers.host ?? '';
    const host = normalizeHost(rawHost);
    const path = req.url ?? '/';
    const method = req.method ?? 'GET';
    let body: Buffer;
    try {
      body = await readBody(req, BODY_LIMIT);
    } catch (err) {
      answerError(res, err instanceof BodyTooLargeError ? 413 : 400, `gateway: ${(err as Error).message}`);
      return;
    }
    let lastError = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) await sleep(25 * attempt);
      let decision: ReturnType<typeof resolveRoute>;
      const direct = opts.hostRoutes?.(host);
      try {
        decision = direct
          ? { kind: 'route', virtualService: '', service: direct.pod, endpoints: [direct], path, authority: rawHost }
          : resolveRoute(opts.routeInputs(), { host: rawHost, path, method, headers: req.headers }, Math.random());
      } catch (err) {
        answerError(res, 500, `gateway: could not route: ${(err as Error).message}`);
        return;
      }
      if (decision.kind === 'no-host' || decision.kind === 'no-route') {
        answerError(res, 404, `gateway: ${decision.reason}`);
        opts.log(`${method} ${host}${path} → 404 (${decision.reason})`);
        return;
      }
      if (decision.kind === 'no-endpoint') {
        lastError = decision.reason;
        continue;
      }
      const endpoint = decision.endpoints[counter++ % decision.endpoints.length] as Endpoint;
      const k = key(endpoint);
      inFlight.set(k, (inFlight.get(k) ?? 0) + 1);
      let result;
      try {
        result = await attemptForward({
          host: endpoint.host,
          port: endpoint.port,
          method,
          path: decision.path,
          headers: forwardHeaders(req.headers, {
            host: decision.authority,
            'x-forwarded-for': req.socket.remoteAddress ?? '127.0.0.1',
            'x-forwarded-host': rawHost,
            'x-forwarded-proto': 'http',
          }),
          body,
          agent,
          res,
          timeoutMs: 30_000,
        });
      } finally {
        release(k);
      }
      if (result.kind === 'answered') {
        if (opts.accessLog || result.status >= 500) {
          opts.log(`${method} ${host}${path} → ${endpoint.pod} ${result.status} (${Date.now() - started} ms)`);
        }
        return;
      }
      lastError = `pod ${endpoint.pod} (${k}): ${result.error.message}`;
      if (!result.retryable) break;
    }
    answerError(res, 502, `gateway: no healthy upstream for host "${host}": ${lastError}`);
    opts.log(`${method} ${host}${path} → 502 (${lastError})`);
  }

  const { server, port } = await listenLocal('gateway', handle, opts.port, opts.host);
  // Knative's and Istio's proxies keep connections alive longer than Node's 5 s default.
  server.keepAliveTimeout = 65_000;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    drain(endpoint) {
      const k = key(endpoint);
      if (!inFlight.get(k)) return Promise.resolve();
      return new Promise((resolve) => drainWaiters.set(k, [...(drainWaiters.get(k) ?? []), resolve]));
    },
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
    },
  };
}
