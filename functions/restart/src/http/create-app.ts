// The express adapter for POST /: HTTP ↔ intake ↔ reconcile. Answers:
//   200 {event:{id,type,subject}, decisions}   (batch: {events:[…]})
//   400 {error, field, detail}                 malformed/unsupported: the adapter never retries a 400
//   503 {error:'unavailable', detail} + Retry-After   the API stayed unavailable: the adapter retries 503
import express, { type NextFunction, type Request, type Response } from 'express';
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
  const app = express();
  app.disable('x-powered-by');
  app.post('/', express.raw({ type: () => true, limit: BODY_LIMIT }), (req, res) => handleEvents(deps, req, res));
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not-found', field: 'path', detail: 'POST CloudEvents to /' });
  });
  // body-parser errors (too large, bad encoding) end here: answer 400 naming the body
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const tooLarge = err.type === 'entity.too.large';
    const body = { error: 'invalid', field: 'body', detail: tooLarge ? `larger than ${BODY_LIMIT}` : err.message };
    deps.metrics.events.inc({ type: 'unknown', outcome: 'rejected' });
    logRejected(deps.logger, body as { error: 'invalid'; field: string; detail: string });
    res.status(400).json(body);
  });
  return app;
}

async function handleEvents(deps: AppDeps, req: Request, res: Response): Promise<void> {
  const { logger, metrics, validateData } = deps;
  const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  const intake = readEvents({ headers: req.headers, body }, validateData);
  if (!intake.ok) {
    const type = String(req.headers['ce-type'] ?? '');
    metrics.events.inc({ type: ACCEPTED_TYPES.includes(type) ? type : 'unknown', outcome: 'rejected' });
    logRejected(logger, intake.error);
    res.status(400).json(intake.error);
    return;
  }

  const summaries: Array<{ event: { id: string; type: string; subject?: string } } & ReconcileResult> = [];
  for (const event of intake.events) {
    const stop = metrics.reconcileDuration.startTimer({ trigger: event.target.type === 'resync' ? 'resync' : 'event' });
    try {
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
      summaries.push({
        event: { id: event.id, type: event.type, ...(event.subject ? { subject: event.subject } : {}) },
        ...answer,
      });
    } catch (err) {
      // Never 500: the adapter drops a 500 after one try, but retries a 503.
      metrics.events.inc({ type: event.type, outcome: 'unavailable' });
      const unavailable = err instanceof ApiUnavailableError;
      if (unavailable)
        logger.warn(
          { event: { id: event.id, type: event.type }, err: { message: err.message } },
          `[event] api unavailable: ${err.message}`,
        );
      else logger.error({ err }, `[event] reconcile failed: ${(err as Error)?.message}`);
      res
        .status(503)
        .set('Retry-After', String(RETRY_AFTER_SECONDS))
        .json({
          error: 'unavailable',
          detail: unavailable ? err.message : 'reconcile failed unexpectedly; retry later',
          event: { id: event.id, type: event.type },
        });
      return;
    }
  }
  res.status(200).json(summaries.length === 1 ? summaries[0] : { events: summaries });
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
