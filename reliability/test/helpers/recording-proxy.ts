// A sink in front of the restart function: forwards each delivery unchanged and keeps what was sent
// (headers, body) and what the function answered (status, JSON), so a test can assert on both ends
// of a real adapter's delivery.
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Delivery {
  headers: Record<string, string>;
  body: string;
  status: number;
  answer: unknown;
}

export interface RecordingProxy {
  url: string;
  deliveries: Delivery[];
  /** resolves once `match` holds for a delivery; rejects after `timeoutMs` */
  waitFor(match: (d: Delivery) => boolean, timeoutMs?: number): Promise<Delivery>;
  stop(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

export async function startRecordingProxy(target: () => string): Promise<RecordingProxy> {
  const deliveries: Delivery[] = [];
  const app = express();
  app.post('/', express.raw({ type: () => true, limit: '8mb' }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
    const forwarded = Object.fromEntries(Object.entries(headers).filter(([k]) => !HOP_BY_HOP.has(k)));
    try {
      const answer = await fetch(`${target()}/`, { method: 'POST', headers: forwarded, body });
      const text = await answer.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: kept as text
      }
      deliveries.push({ headers, body, status: answer.status, answer: parsed });
      res
        .status(answer.status)
        .type(answer.headers.get('content-type') ?? 'text/plain')
        .send(text);
    } catch (err) {
      // the function is down: 503, which the adapter retries (as the activator would answer)
      deliveries.push({ headers, body, status: 503, answer: String(err) });
      res.status(503).send('upstream unavailable');
    }
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    deliveries,
    async waitFor(match, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = deliveries.find(match);
        if (found) return found;
        if (Date.now() > deadline)
          throw new Error(`no matching delivery within ${timeoutMs / 1000} s (${deliveries.length} seen)`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
