// Baseline for restart-cold-start: the least a CloudEvent receiver can be with the same libraries
// (express + cloudevents + ajv). It parses, validate()s and schema-checks the event, then answers
// 200, with no Kubernetes API call, no logging, no metrics. Bundled and run like the function.
import express from 'express';
import { HTTP, type CloudEvent } from 'cloudevents';
import { Ajv } from 'ajv';

const ajv = new Ajv();
const validateRef = ajv.compile({
  type: 'object',
  required: ['kind', 'name', 'namespace'],
  properties: {
    kind: { type: 'string' },
    name: { type: 'string' },
    namespace: { type: 'string' },
    apiVersion: { type: 'string' },
  },
});

const app = express();
app.post('/', express.raw({ type: () => true, limit: '4mb' }), (req, res) => {
  try {
    const event = HTTP.toEvent({
      headers: req.headers,
      body: (req.body as Buffer).toString('utf8'),
    });
    const events = (Array.isArray(event) ? event : [event]) as unknown as CloudEvent<unknown>[];
    for (const e of events) {
      e.validate();
      if (!validateRef(e.data)) {
        res.status(400).json({ error: 'invalid', field: 'data' });
        return;
      }
    }
    res.status(200).json({ events: events.map((e) => ({ id: e.id, type: e.type })) });
  } catch (err) {
    res.status(400).json({ error: 'invalid', detail: (err as Error).message });
  }
});
const server = app.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () =>
  console.log(`listening on http://127.0.0.1:${(server.address() as { port: number }).port}`),
);
