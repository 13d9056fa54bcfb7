// The express side of a CloudEvent function, shared: POST / takes the raw body (up to a limit) and
// hands it to the function's reader; every accepted event is handled in order. The answers are the
// contract the Knative adapter relies on:
//   200 {event:{id,type,subject}, …what the handler returns}   (a batch: {events:[…]})
//   400 {error, field, detail}   malformed or unsupported (never retried by the adapter)
//   503 {error:'unavailable', detail, event} + Retry-After   (never 500: the adapter drops a 500 after one try)
//   404 for any other path
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiUnavailableError } from './kube-api-errors';
import type { IncomingCloudEventMessage, IntakeError, IntakeResult } from './read-cloud-events';

export interface IntakeEvent {
  id: string;
  type: string;
  subject?: string;
}

export interface CloudEventAppOptions<E extends IntakeEvent> {
  /** express.raw's limit, e.g. '4mb'; a larger body is a 400 naming `body` */
  bodyLimit: string;
  retryAfterSeconds: number;
  /** the event types the function accepts: a rejected event is counted under its type only when it is one */
  acceptedTypes: readonly string[];
  read(message: IncomingCloudEventMessage): IntakeResult<E>;
  /** handles one event and returns what its answer carries besides `event`; a throw answers 503 */
  handle(event: E): Promise<object>;
  /** metrics and the log line for a 400; `type` is the accepted ce-type or 'unknown' */
  onRejected(error: IntakeError, type: string): void;
  /** metrics and the log line for a 503 */
  onUnavailable(event: E, err: unknown): void;
}

export function createCloudEventApp<E extends IntakeEvent>(options: CloudEventAppOptions<E>): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.post('/', express.raw({ type: () => true, limit: options.bodyLimit }), (req, res) =>
    answerEvents(options, req, res),
  );
  app.use((_req: Request, res: Response) => {
    res.status(404).json({ error: 'not-found', field: 'path', detail: 'POST CloudEvents to /' });
  });
  // body-parser errors (too large, bad encoding) end here: answer 400 naming the body
  app.use((err: Error & { type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const body: IntakeError = {
      error: 'invalid',
      field: 'body',
      detail: err.type === 'entity.too.large' ? `larger than ${options.bodyLimit}` : err.message,
    };
    options.onRejected(body, 'unknown');
    res.status(400).json(body);
  });
  return app;
}

async function answerEvents<E extends IntakeEvent>(
  options: CloudEventAppOptions<E>,
  req: Request,
  res: Response,
): Promise<void> {
  const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
  const intake = options.read({ headers: req.headers, body });
  if (!intake.ok) {
    const type = String(req.headers['ce-type'] ?? '');
    options.onRejected(intake.error, options.acceptedTypes.includes(type) ? type : 'unknown');
    res.status(400).json(intake.error);
    return;
  }
  const summaries: object[] = [];
  for (const event of intake.events) {
    try {
      const answer = await options.handle(event);
      summaries.push({
        event: { id: event.id, type: event.type, ...(event.subject ? { subject: event.subject } : {}) },
        ...answer,
      });
    } catch (err) {
      options.onUnavailable(event, err);
      res
        .status(503)
        .set('Retry-After', String(options.retryAfterSeconds))
        .json({
          error: 'unavailable',
          detail: err instanceof ApiUnavailableError ? err.message : 'reconcile failed unexpectedly; retry later',
          event: { id: event.id, type: event.type },
        });
      return;
    }
  }
  res.status(200).json(summaries.length === 1 ? summaries[0] : { events: summaries });
}
