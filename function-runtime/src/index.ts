export { createLogger, formatTextLine, type LogFormat, type LoggerOptions } from './create-logger';
export { createRegistry } from './create-registry';
export {
  startFunctionServer,
  type FunctionServer,
  type FunctionServerOptions,
  type RawHandler,
} from './start-function-server';
export { handleShutdownSignals } from './handle-shutdown-signals';
export { KubeApiError, ApiUnavailableError } from './kube-api-errors';
export { createApiCall, messageOf, type ApiCall, type ApiCallOptions, type AttemptPolicy } from './create-api-call';
export {
  readCloudEvents,
  describeValidationError,
  isIntakeError,
  type IntakeError,
  type IntakeResult,
  type IncomingCloudEventMessage,
  type EventCheck,
} from './read-cloud-events';
export { createCloudEventApp, type CloudEventAppOptions, type IntakeEvent } from './create-cloud-event-app';
export {
  findOwnNamespace,
  exitOnInvalidConfig,
  runEntryPoint,
  isMainDeferred,
  type KubeContextSource,
} from './run-entry-point';
