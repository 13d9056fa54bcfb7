export { createLogger, formatTextLine, type LogFormat, type LoggerOptions } from './create-logger';
export { createRegistry } from './create-registry';
export {
  startFunctionServer,
  type FunctionServer,
  type FunctionServerOptions,
  type RawHandler,
} from './start-function-server';
export { handleShutdownSignals } from './handle-shutdown-signals';
