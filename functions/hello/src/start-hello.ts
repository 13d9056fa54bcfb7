// Wires hello together (used by main.ts and by the tests, which start it on port 0).
import type { Logger } from 'pino';
import { Counter } from 'prom-client';
import { createLogger, createRegistry, startFunctionServer, type FunctionServer } from '@reroll/function-runtime';
import type { HelloConfig } from './config';
import { createApp, createRootHandler } from './handler';
import type { Messages } from './message';

export interface Hello {
  server: FunctionServer;
  logger: Logger;
}

export interface StartHelloOptions {
  config: HelloConfig;
  messages: Messages;
  /** Where log lines go (tests collect them); stdout by default. */
  logDestination?: { write(line: string): unknown };
}

export async function startHello({ config, messages, logDestination }: StartHelloOptions): Promise<Hello> {
  const logger = createLogger({
    name: 'hello',
    format: config.logFormat,
    level: config.logLevel,
    destination: logDestination,
  });
  const registry = createRegistry();
  // GET / bumps a plain integer; prom-client reads it only when /metrics is scraped, so the hot
  // path pays an addition instead of a labelled-counter update per request.
  let served = 0;
  new Counter({
    name: 'hello_root_requests_total',
    help: 'GET / requests answered',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(served);
    },
  });
  // Where the message came from, never the message: ConfigMap values stay out of logs.
  const source = messages.fromEnv !== undefined ? 'ENV_MESSAGE' : `MESSAGE_FILE ${config.messageFile ?? ''}`.trim();
  logger.info(
    { source, length: messages.main.length },
    `[hello] message read once from ${source} (${messages.main.length} chars); a change needs a restart`,
  );
  const server = await startFunctionServer({
    name: 'hello',
    port: config.port,
    host: config.host,
    logger,
    registry,
    routes: { 'GET /': createRootHandler(messages, config.appEnv, () => (served += 1)) },
    app: createApp(messages),
  });
  return { server, logger };
}
