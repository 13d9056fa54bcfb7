// The failure rule for Kubernetes Events: they are a trace for people, so an event that cannot be
// written (403 without the RBAC, API down, validation) never fails or delays the decision it
// describes beyond the port's retry budget; it is reported (logged, counted) and dropped.
import type { EventRegarding, KubePort, WorkloadEvent } from './port';

export interface EventOutcome {
  regarding: EventRegarding;
  event: WorkloadEvent;
  ok: boolean;
  /** why it could not be written (the API's message) */
  error?: string;
}

export type EventReporter = (outcome: EventOutcome) => void;

/** Resolves true when the event was written; never rejects. */
export async function recordEventSafely(
  port: KubePort,
  regarding: EventRegarding,
  event: WorkloadEvent,
  report?: EventReporter,
): Promise<boolean> {
  try {
    await port.recordEvent(regarding, event);
    report?.({ regarding, event, ok: true });
    return true;
  } catch (err) {
    report?.({ regarding, event, ok: false, error: err instanceof Error ? err.message : String(err) });
    return false;
  }
}
