// Malformed variants derived from every recorded request, sent through the real server: each gets a
// 400 whose body names the bad field, and the API is never called.
import { CloudEvent, HTTP } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_NAMESPACE, loadRecorded, type RecordedRequest } from '../helpers/fixtures';
import { replayHeaders, startHarness, type Harness } from '../helpers/harness';

interface Variant {
  name: string;
  field: string;
  error?: 'invalid' | 'unsupported';
  make(req: RecordedRequest): { headers: Record<string, string>; body: string };
}

const edit = (req: RecordedRequest, headers: Record<string, string | undefined>, body = req.body) => {
  const merged: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...replayHeaders(req.headers), ...headers }))
    if (v !== undefined) merged[k] = v;
  return { headers: merged, body };
};
const editBody = (req: RecordedRequest, change: (b: Record<string, unknown>) => void) => {
  const b = JSON.parse(req.body) as Record<string, unknown>;
  change(b);
  return edit(req, {}, JSON.stringify(b));
};
const isResource = (req: RecordedRequest) => req.mode === 'Resource';

const variants: Variant[] = [
  {
    name: 'unknown ce-type',
    field: 'type',
    error: 'unsupported',
    make: (r) => edit(r, { 'ce-type': r.headers['ce-type']!.replace(/\.(add|update|delete)$/, '.modified') }),
  },
  { name: 'no ce-subject', field: 'subject', make: (r) => edit(r, { 'ce-subject': undefined }) },
  {
    name: 'ce-specversion 0.3',
    field: 'specversion',
    error: 'unsupported',
    make: (r) => edit(r, { 'ce-specversion': '0.3' }),
  },
  {
    name: 'body cut in half (bad JSON)',
    field: 'data',
    make: (r) => edit(r, {}, r.body.slice(0, Math.floor(r.body.length / 2))),
  },
  {
    name: 'ce-name contradicts the subject',
    field: 'name',
    make: (r) => edit(r, { 'ce-name': `${r.headers['ce-name']}-other` }),
  },
  {
    name: 'ce-namespace contradicts the subject',
    field: 'namespace',
    make: (r) => edit(r, { 'ce-namespace': 'kube-system' }),
  },
  {
    name: 'ce-kind is not ConfigMap/Secret',
    field: 'kind',
    error: 'unsupported',
    make: (r) => edit(r, { 'ce-kind': 'Deployment' }),
  },
  {
    name: 'data without its name',
    field: 'data.name',
    make: (r) =>
      editBody(r, (b) => {
        if (isResource(r)) delete (b.metadata as Record<string, unknown>).name;
        else delete b.name;
      }),
  },
];

const requests = [...loadRecorded('Resource'), ...loadRecorded('Reference')];

describe('malformed variants of every recorded request → 400 naming the field, no API call', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness({ seed: [DEMO_NAMESPACE] });
  }, 30_000);
  afterAll(async () => {
    await h?.stop();
  });

  for (const v of variants) {
    it(
      v.name,
      async () => {
        h.emulator!.clearRequests();
        for (const req of requests) {
          const { headers, body } = v.make(req);
          const res = await h.post(headers, body);
          const field = v.field === 'data.name' && isResource(req) ? 'data.metadata.name' : v.field;
          expect({ label: req.label, status: res.status, field: res.json.field, error: res.json.error }).toEqual({
            label: req.label,
            status: 400,
            field,
            error: v.error ?? 'invalid',
          });
          expect(typeof res.json.detail).toBe('string');
        }
        expect(h.emulator!.requests()).toEqual([]);
      },
      60_000,
    );
  }

  it('a body over the limit → 400 naming the body', async () => {
    const req = loadRecorded('Resource', '02')[0]!;
    const big = JSON.parse(req.body) as { data: Record<string, string> };
    big.data.HUGE = 'x'.repeat(5 * 1024 * 1024);
    const res = await h.post(replayHeaders(req.headers), JSON.stringify(big));
    expect(res.status).toBe(400);
    expect(res.json).toMatchObject({ field: 'body', error: 'invalid' });
  });

  it('a 1 MiB ConfigMap (the API maximum) in Resource mode is accepted', async () => {
    const req = loadRecorded('Resource', '02')[0]!;
    const big = JSON.parse(req.body) as { data: Record<string, string> };
    big.data.LARGE = 'x'.repeat(1024 * 1024 - 100);
    const res = await h.post(replayHeaders(req.headers), JSON.stringify(big));
    expect(res.status).toBe(200);
  });

  it('not a CloudEvent → 400 naming content-type', async () => {
    const res = await h.post({ 'content-type': 'text/plain' }, 'hello');
    expect(res.status).toBe(400);
    expect(res.json.field).toBe('content-type');
  });

  it('structured and batch modes are accepted; a bad batch member is named by index', async () => {
    const event = new CloudEvent({
      type: 'dev.knative.apiserver.ref.update',
      source: 'https://10.96.0.1:443',
      subject: '/apis/v1/namespaces/demo/configmaps/none',
      data: { kind: 'ConfigMap', namespace: 'demo', name: 'none', apiVersion: 'v1' },
    });
    const s = HTTP.structured(event);
    expect((await h.post(s.headers as Record<string, string>, s.body as string)).status).toBe(200);
    const batch = [
      JSON.parse(event.toString()),
      { ...JSON.parse(event.toString()), id: 'second', type: 'dev.knative.sources.ping', subject: undefined },
    ];
    const ok = await h.post({ 'content-type': 'application/cloudevents-batch+json' }, JSON.stringify(batch));
    expect(ok.status).toBe(200);
    expect((ok.json.events as unknown[]).length).toBe(2);
    const bad = await h.post(
      { 'content-type': 'application/cloudevents-batch+json' },
      JSON.stringify([batch[0], { ...batch[0], specversion: '0.3' }]),
    );
    expect(bad.status).toBe(400);
    expect(bad.json.field).toBe('[1].specversion');
  });
});
