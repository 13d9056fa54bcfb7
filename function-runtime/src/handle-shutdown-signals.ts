import type { Logger } from 'pino';
import type { FunctionServer } from './start-function-server';

/**
 * SIGTERM (Kubernetes, Knative scale-down) and SIGINT (Ctrl-C) drain in-flight work, then exit 0,
 * so a scale-to-zero never cuts an event in half. A second signal exits at once.
 */
export function handleShutdownSignals(
  server: FunctionServer,
  logger: Logger,
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      logger.warn({ signal }, `second ${signal}: exiting now`);
      exit(1);
      return;
    }
    stopping = true;
    logger.info({ signal }, `${signal} received: finishing in-flight requests`);
    server
      .close()
      .then(() => {
        logger.info('stopped cleanly');
        logger.flush?.();
        exit(0);
      })
      .catch((err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
