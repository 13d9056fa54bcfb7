// The recording sink: every request it receives becomes one JSON line in the fixtures' format
// {method, path, headers (lower-cased, wire order), body (raw string), received_at, response_status}.
import express, { type Express } from 'express';

export type RecordedLine = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  received_at: string;
  response_status: number;
};

export type RecordSinkOptions = {
  /** Called once per request, in arrival order. */
  write: (line: RecordedLine) => void;
  status?: number;
  now?: () => Date;
  /** Larger than the 1 MiB ConfigMap maximum plus managedFields. */
  limit?: string;
};

/** Lower-cased names in wire order; repeated headers joined like Node joins them. */
export function headersFromRaw(rawHeaders: string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!.toLowerCase();
    headers[name] = name in headers ? `${headers[name]}, ${rawHeaders[i + 1]}` : rawHeaders[i + 1]!;
  }
  return headers;
}

export function createRecordSink(options: RecordSinkOptions): Express {
  const status = options.status ?? 202;
  const now = options.now ?? (() => new Date());
  const app = express();
  app.disable('x-powered-by');
  // Raw bytes for every content type, including none: the body is stored exactly as received.
  app.use(express.raw({ type: () => true, limit: options.limit ?? '16mb' }));
  app.all('/{*path}', (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    options.write({
      method: req.method,
      path: req.originalUrl,
      headers: headersFromRaw(req.rawHeaders),
      body,
      received_at: now().toISOString(),
      response_status: status,
    });
    res.status(status).end();
  });
  return app;
}
