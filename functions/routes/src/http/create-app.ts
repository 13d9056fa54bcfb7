// The express adapter for POST /: HTTP ↔ intake ↔ reconcile, on function-runtime's CloudEvent app
// (as restart's). Answers:
//   200 {event:{id,type,subject}, decisions[, note]}   (batch: {events:[…]})
//   400 {error, field, detail}    malformed/unsupported: the adapter never retries a 400
//   503 {error:'unavailable'} + Retry-After   the API stayed unavailable (never 500: the adapter drops a 500)
import { createCloudEventApp } from '@reroll/function-runtime';
import type express from 'express';
import type { Logger } from 'pino';
import { ACCEPTED_TYPES, type AcceptedEvent, type EventReader } from '../intake/read-events';
import { ApiUnavailableError } from '../kube/port';
import type { ReconcileResult, RoutesReconciler } from '../reconcile';
import { logEvent, logRejected } from './event-log';
import type { RoutesMetrics } from './metrics';

/** A Resource-mode Service event is small, but managedFields can grow: well above what one needs. */
export const BODY_LIMIT = '4mb';
export const RETRY_AFTER_SECONDS = 2;

export interface AppDeps {
  reconciler: RoutesReconciler;
  readEvents: EventReader;
  logger: Logger;
  metrics: RoutesMetrics;
}

export function createApp(deps: AppDeps): express.Express {
  const { logger, metrics } = deps;
  return createCloudEventApp<AcceptedEvent>({
    bodyLimit: BODY_LIMIT,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    acceptedTypes: ACCEPTED_TYPES,
    read: deps.readEvents,
    handle: (event) => handleEvent(deps, event),
    onRejected: (error, type) => {
      metrics.events.inc({ type, outcome: 'rejected' });
      logRejected(logger, error);
    },
    onUnavailable: (event, err) => {
      metrics.events.inc({ type: event.type, outcome: 'unavailable' });
      if (err instanceof ApiUnavailableError)
        logger.warn({ event: { id: event.id, type: event.type } }, `[event] api unavailable: ${err.message}`);
      else logger.error({ err }, `[event] reconcile failed: ${(err as Error)?.message}`);
    },
  });
}

async function handleEvent(deps: AppDeps, event: AcceptedEvent): Promise<ReconcileResult> {
  const { logger, metrics } = deps;
  const stop = metrics.reconcileDuration.startTimer({ trigger: event.target.type === 'resync' ? 'resync' : 'event' });
  const result = await reconcile(deps, event);
  stop();
  metrics.events.inc({ type: event.type, outcome: 'accepted' });
  for (const d of result.decisions) metrics.decisions.inc({ action: d.action });
  logEvent(logger, event, result);
  return result;
}

function reconcile(deps: AppDeps, event: AcceptedEvent): Promise<ReconcileResult> {
  const { target } = event;
  if (target.type === 'resync') return deps.reconciler.resync();
  return deps.reconciler.reconcileService(target);
}
