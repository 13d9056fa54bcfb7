// The express adapter for POST /: HTTP ↔ intake ↔ reconcile. Answers as restart does:
//   200 {event:{id,type,subject}, decisions[, note]}   (batch: {events:[…]})
//   400 {error, field, detail}    malformed/unsupported: the adapter never retries a 400
//   503 {error:'unavailable'} + Retry-After   the API stayed unavailable (never 500: the adapter drops a 500)
import express, { type NextFunction, type Request, type Response } from 'express';
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
  const app = express();
  app.disable('x-powered-by');
  app.post('/', express.raw({ type: () => true, limit: BODY_LIMIT }), (req, res) => handleEvents(deps, req, res));
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not-found', field: 'path', detail: 'POST CloudEvents to /' });
  });
  app.use((err: Error & { type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const body = {
      error: 'invalid' as const,
      field: 'body',
      detail: err.type === 'entity.too.large' ? `larger than ${BODY_LIMIT}` : err.message,
    };
    deps.metrics.events.inc({ type: 'unknown', outcome: 'rejected' });
    logRejected(deps.logger, body);
    res.status(400).json(body);
  });
  return app;
}

async function handleEvents(deps: AppDeps, req: Request, res: Response): Promise<void> {
  const { logger, metrics } = deps;
  const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  const intake = deps.readEvents({ headers: req.headers, body });
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
      for (const d of result.decisions) metrics.decisions.inc({ action: d.action });
      logEvent(logger, event, result);
      summaries.push({
        event: { id: event.id, type: event.type, ...(event.subject ? { subject: event.subject } : {}) },
        ...result,
      });
    } catch (err) {
      metrics.events.inc({ type: event.type, outcome: 'unavailable' });
      const unavailable = err instanceof ApiUnavailableError;
      if (unavailable)
        logger.warn({ event: { id: event.id, type: event.type } }, `[event] api unavailable: ${err.message}`);
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
  return deps.reconciler.reconcileService(target);
}
