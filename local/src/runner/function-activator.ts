// Scale to zero, emulated (Knative's activator): the sink port the event sources post to. The
// first request starts the function process and is held until its /readyz answers, then forwarded;
// the cold start is logged with its duration. After `idleMs` without requests the process is sent
// SIGTERM (it drains), and the next request starts it again.
import { Agent, type IncomingMessage, type ServerResponse } from 'node:http';
import { BodyTooLargeError, answerError, attemptForward, forwardHeaders, readBody } from './forward-request';
import { listenLocal } from './listen-local';
import type { LocalProcess } from './local-process';
import type { LogLine } from './part-log';

export interface FunctionActivatorOptions {
  port: number;
  host?: string;
  /** Starts one instance of the function listening on `port` (async: it may read its ConfigMaps first). */
  startInstance: (port: number) => LocalProcess | Promise<LocalProcess>;
  findFreePort: () => Promise<number>;
  idleMs: number;
  readyTimeoutMs?: number;
  log: LogLine;
  now?: () => number;
  /** Told when an instance starts (1) and when it is gone (0): a Revision's actualReplicas. */
  onScale?: (replicas: 0 | 1) => void;
}

export interface FunctionActivator {
  url: string;
  port: number;
  /** Whether an instance is running (or starting) now. */
  isRunning(): boolean;
  /** How many times an instance was started (cold starts). */
  coldStarts(): number;
  /** Start an instance now and wait for it to be ready (a new revision's first pod); idles out as usual. */
  warm(): Promise<void>;
  stop(): Promise<void>;
}

const BODY_LIMIT = 8 * 1024 * 1024;

/** `dev.knative.apiserver.ref.update /apis/v1/namespaces/ns/configmaps/x` from binary-mode headers. */
function describeEvent(req: IncomingMessage): string {
  const type = req.headers['ce-type'];
  const subject = req.headers['ce-subject'];
  if (typeof type !== 'string') return `${req.method ?? 'POST'} ${req.url ?? '/'}`;
  return typeof subject === 'string' ? `${type} ${subject}` : type;
}

export async function startFunctionActivator(opts: FunctionActivatorOptions): Promise<FunctionActivator> {
  const agent = new Agent({ keepAlive: true });
  const now = opts.now ?? (() => performance.now());
  let instance: { process: LocalProcess; ready: Promise<void> } | undefined;
  let stopping: Promise<void> | undefined;
  let inFlight = 0;
  let idleTimer: NodeJS.Timeout | undefined;
  let starts = 0;
  let closed = false;

  function armIdleTimer(): void {
    clearTimeout(idleTimer);
    if (!instance || inFlight > 0 || closed) return;
    idleTimer = setTimeout(() => void scaleToZero(`idle for ${Math.round(opts.idleMs / 1000)} s`), opts.idleMs);
    idleTimer.unref();
  }

  async function scaleToZero(reason: string): Promise<void> {
    const current = instance;
    if (!current || inFlight > 0) return;
    instance = undefined;
    opts.log(`scaling to zero (${reason})`);
    stopping = current.process.stop().then(() => {
      opts.log('stopped');
      stopping = undefined;
      opts.onScale?.(0);
    });
    await stopping;
  }

  let starting: Promise<{ process: LocalProcess; ready: Promise<void> }> | undefined;

  async function ensureInstance(): Promise<{ process: LocalProcess; ready: Promise<void> }> {
    // A request that arrives while the previous instance drains waits for it, then starts anew.
    while (stopping) await stopping;
    if (instance && !instance.process.hasExited()) return instance;
    // Requests arriving together share one start.
    starting ??= startOne().finally(() => (starting = undefined));
    return starting;
  }

  async function startOne(): Promise<{ process: LocalProcess; ready: Promise<void> }> {
    const port = await opts.findFreePort();
    const started = now();
    starts++;
    const process = await opts.startInstance(port);
    opts.onScale?.(1);
    const ready = process.waitReady(opts.readyTimeoutMs ?? 30_000).then(
      () => opts.log(`cold start ${Math.round(now() - started)} ms`),
      async (err: Error) => {
        opts.log(`cold start failed: ${err.message}`);
        if (instance?.process === process) instance = undefined;
        await process.stop();
        throw err;
      },
    );
    ready.catch(() => undefined);
    void process.exited.then((code) => {
      if (instance?.process === process) {
        instance = undefined;
        opts.onScale?.(0);
        if (!closed) opts.log(`exited unexpectedly (${code}); the next event starts it again`);
      }
    });
    instance = { process, ready };
    return instance;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const received = now();
    inFlight++;
    clearTimeout(idleTimer);
    try {
      let body: Buffer;
      try {
        body = await readBody(req, BODY_LIMIT);
      } catch (err) {
        answerError(res, err instanceof BodyTooLargeError ? 413 : 400, `activator: ${(err as Error).message}`);
        return;
      }
      // One retry covers an instance that exited between requests.
      for (let attempt = 0; attempt < 2; attempt++) {
        let current;
        try {
          current = await ensureInstance();
          await current.ready;
        } catch (err) {
          // 503 is what Knative's activator answers; the source retries it.
          answerError(res, 503, `activator: the function did not start: ${(err as Error).message}`);
          return;
        }
        const result = await attemptForward({
          host: '127.0.0.1',
          port: current.process.port,
          method: req.method ?? 'POST',
          path: req.url ?? '/',
          headers: forwardHeaders(req.headers),
          body,
          agent,
          res,
          timeoutMs: 60_000,
        });
        if (result.kind === 'answered') {
          opts.log(`${describeEvent(req)} → ${result.status} (${Math.round(now() - received)} ms)`);
          return;
        }
        if (!result.retryable && attempt === 0 && !current.process.hasExited()) {
          answerError(res, 502, `activator: ${result.error.message}`);
          return;
        }
      }
      answerError(res, 502, 'activator: the function instance went away');
    } finally {
      inFlight--;
      armIdleTimer();
    }
  }

  const { server, port } = await listenLocal('activator', handle, opts.port, opts.host);

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    isRunning: () => instance !== undefined,
    coldStarts: () => starts,
    async warm() {
      const current = await ensureInstance();
      await current.ready;
      armIdleTimer();
    },
    async stop() {
      closed = true;
      clearTimeout(idleTimer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      const current = instance;
      instance = undefined;
      if (current) await current.process.stop(5000);
      if (stopping) await stopping;
      agent.destroy();
    },
  };
}
