import { CloudEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { compileDataValidators } from '../../src/intake/data-schemas';
import { readEvents, type IncomingMessage } from '../../src/intake/read-events';
import { loadRecorded, type RecordedRequest } from '../helpers/fixtures';

const validateData = compileDataValidators();
const recorded = [...loadRecorded('Resource'), ...loadRecorded('Reference')];

describe('every recorded ApiServerSource request is accepted', () => {
  for (const req of recorded) {
    it(req.label, () => {
      const result = readEvents({ headers: req.headers, body: req.body }, validateData);
      expect(result).toMatchObject({
        ok: true,
        events: [{ id: req.headers['ce-id'], type: req.headers['ce-type'], subject: req.headers['ce-subject'] }],
      });
    });
  }
});

const resource = loadRecorded('Resource', '02')[0]!;
const reference = loadRecorded('Reference', '02')[0]!;
const variant = (
  req: RecordedRequest,
  headers: Record<string, string | undefined>,
  body?: (b: Record<string, unknown>) => unknown,
): IncomingMessage => {
  const merged: Record<string, string | undefined> = { ...req.headers, ...headers };
  let text = req.body;
  if (body) {
    const parsed = JSON.parse(req.body) as Record<string, unknown>;
    const out = body(parsed);
    text = typeof out === 'string' ? out : JSON.stringify(out ?? parsed);
  }
  return { headers: merged, body: text };
};
const structured = (overrides: Record<string, unknown>): IncomingMessage => {
  const msg = HTTP.structured(
    new CloudEvent({
      type: 'dev.knative.apiserver.ref.update',
      source: 'https://10.96.0.1:443',
      subject: '/apis/v1/namespaces/demo/configmaps/helloworld-test',
      data: { kind: 'ConfigMap', namespace: 'demo', name: 'helloworld-test', apiVersion: 'v1' },
    }),
  );
  return {
    headers: msg.headers,
    body: JSON.stringify({ ...JSON.parse(msg.body as string), ...overrides }),
  };
};
const batch = (events: Array<Record<string, unknown>>): IncomingMessage => ({
  headers: { 'content-type': 'application/cloudevents-batch+json' },
  body: JSON.stringify(events),
});
const goodEvent = {
  specversion: '1.0',
  id: '1',
  source: 'https://10.96.0.1:443',
  type: 'dev.knative.apiserver.ref.update',
  subject: '/apis/v1/namespaces/demo/configmaps/helloworld-test',
  datacontenttype: 'application/json',
  data: { kind: 'ConfigMap', namespace: 'demo', name: 'helloworld-test', apiVersion: 'v1' },
};

const malformed: Array<{ name: string; message: IncomingMessage; field: string; error?: string }> = [
  {
    name: 'unknown ce-type',
    message: variant(resource, { 'ce-type': 'dev.knative.apiserver.resource.patched' }),
    field: 'type',
    error: 'unsupported',
  },
  { name: 'missing ce-subject', message: variant(resource, { 'ce-subject': undefined }), field: 'subject' },
  {
    name: 'ce-specversion 0.3',
    message: variant(resource, { 'ce-specversion': '0.3' }),
    field: 'specversion',
    error: 'unsupported',
  },
  { name: 'missing ce-source', message: variant(resource, { 'ce-source': undefined }), field: 'source' },
  { name: 'missing ce-id', message: variant(resource, { 'ce-id': undefined }), field: 'id' },
  { name: 'bad JSON body', message: variant(resource, {}, () => '{"apiVersion":"v1",'), field: 'data' },
  {
    name: 'object without metadata.name',
    message: variant(resource, {}, (b) => {
      delete (b.metadata as Record<string, unknown>).name;
      return b;
    }),
    field: 'data.metadata.name',
  },
  {
    name: 'object with non-string data values',
    message: variant(resource, {}, (b) => ({ ...b, data: { ENV_MESSAGE: 42 } })),
    field: 'data.data.ENV_MESSAGE',
  },
  { name: 'data is not an object', message: variant(resource, {}, () => '"hello"'), field: 'data' },
  {
    name: 'reference without name',
    message: variant(reference, {}, (b) => {
      delete b.name;
      return b;
    }),
    field: 'data.name',
  },
  {
    name: 'ce-name contradicts the subject',
    message: variant(reference, { 'ce-name': 'helloworld-prod' }),
    field: 'name',
  },
  {
    name: 'ce-kind Deployment is unsupported',
    message: variant(reference, { 'ce-kind': 'Deployment' }),
    field: 'kind',
    error: 'unsupported',
  },
  {
    name: 'not a CloudEvent at all',
    message: { headers: { 'content-type': 'application/json' }, body: '{}' },
    field: 'content-type',
  },
  {
    name: 'structured: bad JSON',
    message: { headers: { 'content-type': 'application/cloudevents+json' }, body: '{"specversion":' },
    field: 'body',
  },
  { name: 'structured: missing type', message: structured({ type: undefined }), field: 'type' },
  { name: 'batch: empty', message: batch([]), field: 'body' },
  {
    name: 'batch: second event has an unknown type',
    message: batch([goodEvent, { ...goodEvent, id: '2', type: 'com.example.other' }]),
    field: '[1].type',
    error: 'unsupported',
  },
];

describe('malformed events get a 400 body naming the field', () => {
  for (const c of malformed) {
    it(c.name, () => {
      const result = readEvents(c.message, validateData);
      expect(result.ok).toBe(false);
      if (result.ok) return;
      expect(result.error.field).toBe(c.field);
      expect(result.error.error).toBe(c.error ?? 'invalid');
    });
  }
});

describe('newer adapters', () => {
  it('knative >= 1.10 adds a ce-apiversion extension: accepted', () => {
    const result = readEvents(
      { headers: { ...resource.headers, 'ce-apiversion': 'v1' }, body: resource.body },
      validateData,
    );
    expect(result.ok).toBe(true);
  });
});

describe('structured and batch modes', () => {
  it('structured mode is accepted', () => {
    expect(readEvents(structured({}), validateData)).toMatchObject({
      ok: true,
      events: [{ type: 'dev.knative.apiserver.ref.update' }],
    });
  });
  it('a batch yields every event', () => {
    const result = readEvents(
      batch([
        goodEvent,
        { ...goodEvent, id: '2', type: 'dev.knative.sources.ping', subject: undefined, data: { any: 'thing' } },
      ]),
      validateData,
    );
    expect(result).toMatchObject({ ok: true, events: [{ id: '1' }, { id: '2', target: { type: 'resync' } }] });
  });
});
