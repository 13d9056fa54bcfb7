// HTTP request → validated CloudEvents + targets, or one error that names the bad field. Binary,
// structured and batch modes all go through the SDK's HTTP.toEvent (function-runtime's
// readCloudEvents); each event is validate()d, its data checked against the schema of its type, and
// its identity cross-checked (parse-target).
import {
  describeValidationError,
  readCloudEvents,
  type IncomingCloudEventMessage,
  type IntakeError,
  type IntakeResult as RuntimeIntakeResult,
} from '@reroll/function-runtime';
import type { CloudEvent } from 'cloudevents';
import { parseTarget, ACCEPTED_TYPES, type Target } from '../core/parse-target';
import type { DataValidator } from './data-schemas';

export type { IntakeError } from '@reroll/function-runtime';

export interface AcceptedEvent {
  id: string;
  type: string;
  subject?: string;
  target: Target;
}

export type IntakeResult = RuntimeIntakeResult<AcceptedEvent>;
export type IncomingMessage = IncomingCloudEventMessage;

export function readEvents(message: IncomingMessage, validateData: DataValidator): IntakeResult {
  return readCloudEvents(message, (event) => checkEvent(event, validateData));
}

function checkEvent(event: CloudEvent<unknown>, validateData: DataValidator): AcceptedEvent | IntakeError {
  if (event.specversion !== '1.0') {
    return {
      error: 'unsupported',
      field: 'specversion',
      detail: `${JSON.stringify(event.specversion)}: only CloudEvents 1.0 is accepted`,
    };
  }
  try {
    event.validate();
  } catch (err) {
    return { error: 'invalid', ...describeValidationError(err) };
  }
  if (!ACCEPTED_TYPES.includes(event.type)) {
    return {
      error: 'unsupported',
      field: 'type',
      detail: `${JSON.stringify(event.type)} is not one of ${ACCEPTED_TYPES.join(', ')}`,
    };
  }
  const dataError = validateData(event.type, event.data);
  if (dataError) return { error: 'invalid', ...dataError };
  const result = parseTarget(event);
  if (!result.ok) return result.error;
  return {
    id: event.id,
    type: event.type,
    ...(event.subject ? { subject: event.subject } : {}),
    target: result.target,
  };
}
