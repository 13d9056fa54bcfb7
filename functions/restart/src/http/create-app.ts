// The express adapter for POST /: HTTP ↔ intake ↔ reconcile, on function-runtime's CloudEvent app.
// Answers:
//   200 {event:{id,type,subject}, decisions}   (batch: {events:[…]})
//   400 {error, field, detail}                 malformed/unsupported: the adapter never retries a 400
//   503 {error:'unavailable', detail} + Retry-After   the API stayed unavailable: the adapter retries 503
import { createCloudEventApp } from '@reroll/function-runtime';
import type express from 'express';
import type { Logger } from 'pino';
import { ACCEPTED_TYPES } from '../core/parse-target';
import type { KubeObject } from '../core/types';
import type { DataValidator } from '../intake/data-schemas';
import { readEvents, type AcceptedEvent } from '../intake/read-events';
import { ApiUnavailableError } from '../kube/port';
import type { ReconcileResult, Reconciler } from '../reconcile';
import { logEvent, logRejected } from './event-log';
import type { RestartMetrics } from './metrics';
import type { DecisionSink } from '../sink/decision-sink';

/** Above the 1 MiB ConfigMap maximum, with room for managedFields and the envelope. */
export const BODY_LIMIT = '4mb';
export const RETRY_AFTER_SECONDS = 2;

export interface AppDeps {
  reconciler: Reconciler;
  validateData: DataValidator;
  logger: Logger;
  metrics: RestartMetrics;
  /** K_SINK: one CloudEvent per decision that matters (bounded by its own short timeout) */
  decisionSink?: DecisionSink;
}

export function createApp(deps: AppDeps): express.Express {
  const { logger, metrics, validateData } = deps;
  return createCloudEventApp<AcceptedEvent>({
    bodyLimit: BODY_LIMIT,
    retryAfterSeconds: RETRY_AFTER_SECONDS,
    acceptedTypes: ACCEPTED_TYPES,
    read: (message) => readEvents(message, validateData),
    handle: (event) => handleEvent(deps, event),
    onRejected: (error, type) => {
      metrics.events.inc({ type, outcome: 'rejected' });
      logRejected(logger, error);
    },
    onUnavailable: (event, err) => {
      metrics.events.inc({ type: event.type, outcome: 'unavailable' });
      if (err instanceof ApiUnavailableError)
        logger.warn(
          { event: { id: event.id, type: event.type }, err: { message: err.message } },
          `[event] api unavailable: ${err.message}`,
        );
      else logger.error({ err }, `[event] reconcile failed: ${(err as Error)?.message}`);
    },
  });
}

async function handleEvent(deps: AppDeps, event: AcceptedEvent): Promise<Omit<ReconcileResult, 'restartedAt' | 'env'>> {
  const { logger, metrics } = deps;
  const stop = metrics.reconcileDuration.startTimer({ trigger: event.target.type === 'resync' ? 'resync' : 'event' });
  const result = await reconcile(deps, event);
  stop();
  metrics.events.inc({ type: event.type, outcome: 'accepted' });
  for (const d of result.decisions) {
    metrics.decisions.inc({ action: d.action });
    if (d.action === 'rolled') metrics.rollouts.inc({ kind: d.kind });
  }
  logEvent(logger, event, result);
  await deps.decisionSink?.send(result.decisions);
  const { restartedAt: _restartedAt, env: _env, ...answer } = result;
  return answer;
}

function reconcile(deps: AppDeps, event: AcceptedEvent): Promise<ReconcileResult> {
  const { target } = event;
  if (target.type === 'resync') return deps.reconciler.resync();
  return deps.reconciler.reconcileConfig({
    ref: target.ref,
    action: target.action,
    ...(target.object ? { lastKnown: withoutValues(target.object) } : {}),
  });
}

/** The event's copy of a config is only needed for its labels/annotations: drop the values at once. */
function withoutValues(object: KubeObject): KubeObject {
  const { data: _data, binaryData: _binary, stringData: _string, ...rest } = object;
  return rest;
}
