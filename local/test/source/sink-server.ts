// A real HTTP sink on 127.0.0.1:0 that records every request and answers what the test says.
import express from 'express';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export type SinkRequest = {
  headers: Record<string, string>;
  rawHeaderNames: string[];
  body: string;
  arrivedAt: number;
};
export type SinkAnswer = (req: SinkRequest, index: number) => number | Promise<number>;

export type TestSink = { url: string; requests: SinkRequest[]; answeredAt: number[]; close(): Promise<void> };

export async function startSink(answer: SinkAnswer = () => 202): Promise<TestSink> {
  const requests: SinkRequest[] = [];
  const answeredAt: number[] = [];
  const app = express();
  app.use(express.text({ type: () => true, limit: '4mb' }));
  app.post('/{*path}', async (req, res) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : String(v);
    const entry: SinkRequest = {
      headers,
      rawHeaderNames: req.rawHeaders.filter((_, i) => i % 2 === 0),
      body: typeof req.body === 'string' ? req.body : '',
      arrivedAt: performance.now(),
    };
    const index = requests.push(entry) - 1;
    const status = await answer(entry, index);
    answeredAt[index] = performance.now();
    res.status(status).end();
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    answeredAt,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls until `check` is true (no fixed sleeps: the machine is shared). */
export async function waitFor(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
