// TEST DOUBLE of the restart function's HTTP contract (not the real function): reads CloudEvents
// with the SDK like the function does and answers {event, decisions} in its shape, with simple
// made-up rules so replays have predictable totals:
//   resource.add → recorded; resource.update → rolled if data differs from the last seen, else
//   unchanged; resource.delete → skipped; ref.* and anything else → unchanged.
import express from 'express';
import { HTTP, type CloudEventV1 } from 'cloudevents';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

export type DoubleServer = { url: string; received: number; close(): Promise<void> };

function decide(event: CloudEventV1<unknown>, lastData: Map<string, string>) {
  const data = event.data as { data?: unknown; metadata?: { name?: string; namespace?: string } } | undefined;
  const key = event.subject ?? '';
  const decision = (action: string, reason: string) => ({
    kind: 'Deployment',
    namespace: data?.metadata?.namespace ?? 'demo',
    name: 'helloworld-test',
    action,
    reason,
  });
  const type = event.type;
  if (type.endsWith('resource.add')) {
    lastData.set(key, JSON.stringify(data?.data ?? null));
    return [decision('recorded', 'first hash recorded')];
  }
  if (type.endsWith('resource.update')) {
    const now = JSON.stringify(data?.data ?? null);
    const changed = lastData.get(key) !== now;
    lastData.set(key, now);
    return [decision(changed ? 'rolled' : 'unchanged', changed ? 'config hash changed' : 'config hash equal')];
  }
  if (type.endsWith('resource.delete')) return [decision('skipped', 'delete rolls nothing by default')];
  return [decision('unchanged', 'reference events re-read the live object')];
}

/** Starts the double on 127.0.0.1:0; `status` forces every answer (e.g. 400, 503). */
export async function startRestartFunctionDouble(forceStatus?: number): Promise<DoubleServer> {
  const lastData = new Map<string, string>();
  const app = express();
  app.use(express.text({ type: () => true, limit: '4mb' }));
  const state = { received: 0 };
  app.post('/', (req, res) => {
    state.received++;
    if (forceStatus === 400)
      return void res.status(400).json({ error: 'invalid', field: 'type', detail: 'unsupported event type' });
    if (forceStatus) return void res.status(forceStatus).type('text/plain').send('kubernetes API unavailable');
    let events: CloudEventV1<unknown>[];
    try {
      const parsed = HTTP.toEvent<unknown>({
        headers: req.headers,
        body: req.body as string,
      });
      events = Array.isArray(parsed) ? parsed : [parsed];
    } catch (err) {
      return void res.status(400).json({ error: 'invalid', field: 'body', detail: (err as Error).message });
    }
    const answers = events.map((e) => ({
      event: { id: e.id, type: e.type, subject: e.subject },
      decisions: decide(e, lastData),
    }));
    res
      .status(200)
      .json(answers.length === 1 && !String(req.headers['content-type']).includes('batch') ? answers[0] : answers);
  });
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    get received() {
      return state.received;
    },
    close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}
