// fast-check arbitraries for requests to the restart function: the recorded ApiServerSource traffic
// (recorded-events/) mutated (headers dropped or garbled, wrong types, huge bodies, deep JSON,
// invalid UTF-8, structured and batch modes with bad members, wrong specversion, unknown types), and
// purely random ones.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';

export interface FuzzRequest {
  headers: Record<string, string>;
  body: Buffer;
}

const EVENTS_DIR = fileURLToPath(new URL('../../../recorded-events', import.meta.url));
const HOP_HEADERS = new Set(['host', 'content-length', 'accept-encoding', 'connection', 'transfer-encoding']);

/** Every recorded request, minus what the HTTP client sets itself. */
export function loadRecorded(): FuzzRequest[] {
  const out: FuzzRequest[] = [];
  for (const mode of ['Resource', 'Reference']) {
    for (const file of readdirSync(join(EVENTS_DIR, mode)).filter((f) => f.endsWith('.jsonl'))) {
      for (const line of readFileSync(join(EVENTS_DIR, mode, file), 'utf8').split('\n')) {
        if (!line.trim()) continue;
        const r = JSON.parse(line) as { headers: Record<string, string>; body: string };
        const headers = Object.fromEntries(
          Object.entries(r.headers).filter(([k]) => !HOP_HEADERS.has(k.toLowerCase())),
        );
        out.push({ headers, body: Buffer.from(r.body ?? '', 'utf8') });
      }
    }
  }
  if (out.length === 0) throw new Error(`no recorded requests under ${EVENTS_DIR}`);
  return out;
}

const CE_HEADERS = [
  'ce-id',
  'ce-specversion',
  'ce-type',
  'ce-source',
  'ce-subject',
  'ce-time',
  'ce-kind',
  'ce-name',
  'ce-namespace',
  'ce-apiversion',
  'ce-datacontenttype',
  'content-type',
  'ce-dataschema',
  'ce-BAD_ext',
];

/** Header values: anything an HTTP/1.1 header line can carry (latin1, no CR/LF/NUL). */
const headerValue = fc
  .oneof(
    fc.string({ maxLength: 40 }),
    fc.constantFrom(
      '',
      ' ',
      '0.3',
      '2.0',
      '1.0 ',
      'null',
      '[]',
      '{}',
      '\u00ff\u00fe',
      'dev.knative.apiserver.resource.explode',
      'dev.knative.apiserver.ref.update',
      'dev.knative.apiserver.resource.delete',
      'dev.knative.sources.ping',
      'com.example.unknown',
      'application/cloudevents+json',
      'application/cloudevents-batch+json',
      'text/plain',
      'application/json',
      'application/json; charset=utf-16',
      '/apis/v1/namespaces/kube-system/configmaps/x',
      '/apis/v1/namespaces/demo/secrets/s',
      '/apis/v1/namespaces/demo/pods/p',
      '../../etc/passwd',
      'yesterday',
      '2026-13-45T99:99:99Z',
      'Deployment',
      'Secret',
      'ConfigMap',
      'demo',
      'kube-system',
      'a'.repeat(300),
    ),
    fc.integer().map(String),
  )
  .map((v) => v.replace(/[^\t\x20-\x7e\x80-\xff]/g, '?'));

const jsonValue = fc.jsonValue({ maxDepth: 3, depthSize: 'xsmall' });

type Mutation = (r: FuzzRequest) => FuzzRequest;

function withHeaders(r: FuzzRequest, change: (h: Record<string, string>) => void): FuzzRequest {
  const headers = { ...r.headers };
  change(headers);
  return { headers, body: r.body };
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** JSON text of a value; a value nested too deep to serialize (an earlier deep-JSON mutation) keeps `fallback`. */
function toBody(value: unknown, fallback: Buffer): Buffer {
  try {
    return Buffer.from(JSON.stringify(value) ?? '');
  } catch {
    return fallback;
  }
}

function setPath(root: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const base =
    typeof root === 'object' && root !== null && !Array.isArray(root) ? { ...(root as Record<string, unknown>) } : {};
  base[path[0]!] = setPath(base[path[0]!], path.slice(1), value);
  return base;
}

function deepJson(depth: number, kind: 'array' | 'object'): string {
  return kind === 'array' ? '['.repeat(depth) + ']'.repeat(depth) : '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
}

/** The recorded binary-mode event as a structured-mode JSON envelope. */
function toStructured(r: FuzzRequest): Record<string, unknown> {
  const envelope: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.headers)) if (k.startsWith('ce-')) envelope[k.slice(3)] = v;
  const data = parseJson(r.body);
  if (r.headers['content-type']) envelope.datacontenttype = r.headers['content-type'];
  if (data !== undefined) envelope.data = data;
  else if (r.body.length > 0) envelope.data = r.body.toString('utf8');
  return envelope;
}

const DATA_PATHS = [
  ['metadata', 'name'],
  ['metadata', 'namespace'],
  ['metadata'],
  ['kind'],
  ['apiVersion'],
  ['name'],
  ['namespace'],
  ['data'],
  ['metadata', 'labels'],
  ['binaryData'],
  [],
];
const ENVELOPE_ATTRS = [
  'specversion',
  'id',
  'type',
  'source',
  'subject',
  'time',
  'data',
  'data_base64',
  'datacontenttype',
  'kind',
  'name',
  'namespace',
  'BadExtension',
  'extension-with-dash',
];

function mutations(recorded: FuzzRequest[], hugeBodies: boolean): fc.Arbitrary<Mutation> {
  const member = fc.oneof(fc.constantFrom(...recorded).map(toStructured), jsonValue);
  return fc.oneof(
    {
      weight: 40,
      arbitrary: fc.constantFrom(...CE_HEADERS).map(
        (name): Mutation =>
          (r) =>
            withHeaders(r, (h) => delete h[name]),
      ),
    },
    {
      weight: 40,
      arbitrary: fc.tuple(fc.constantFrom(...CE_HEADERS), headerValue).map(
        ([name, value]): Mutation =>
          (r) =>
            withHeaders(r, (h) => {
              h[name] = value;
            }),
      ),
    },
    {
      weight: 20,
      arbitrary: fc
        .tuple(
          fc.string({ minLength: 1, maxLength: 20 }).map((s) => `x-${s.replace(/[^a-z0-9-]/gi, 'q')}`),
          headerValue,
        )
        .map(
          ([name, value]): Mutation =>
            (r) =>
              withHeaders(r, (h) => {
                h[name] = value;
              }),
        ),
    },
    {
      weight: 30,
      arbitrary: fc
        .nat({ max: 4000 })
        .map((n): Mutation => (r) => ({ ...r, body: r.body.subarray(0, n % (r.body.length + 1)) })),
    },
    {
      weight: 30,
      arbitrary: jsonValue.map((v): Mutation => (r) => ({ ...r, body: Buffer.from(JSON.stringify(v) ?? '') })),
    },
    {
      weight: 50,
      arbitrary: fc
        .tuple(fc.constantFrom(...DATA_PATHS), jsonValue)
        .map(([path, v]): Mutation => (r) => ({ ...r, body: toBody(setPath(parseJson(r.body), path, v), r.body) })),
    },
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          fc.oneof(
            { weight: 9, arbitrary: fc.integer({ min: 1, max: 5_000 }) },
            { weight: 1, arbitrary: fc.constant(200_000) },
          ),
          fc.constantFrom('array' as const, 'object' as const),
          fc.boolean(),
        )
        .map(([depth, kind, inData]): Mutation => (r) => ({
          ...r,
          body: Buffer.from(
            inData
              ? r.body.toString('utf8').replace(/}\s*$/, `,"deep":${deepJson(depth, kind)}}`)
              : deepJson(depth, kind),
          ),
        })),
    },
    {
      weight: 20,
      arbitrary: fc
        .tuple(
          fc.nat(),
          fc.constantFrom(
            [0xff],
            [0xc3, 0x28],
            [0xe2, 0x28, 0xa1],
            [0xed, 0xa0, 0x80],
            [0xf8, 0x88, 0x80, 0x80, 0x80],
            [0x00],
          ),
        )
        .map(([at, bytes]): Mutation => (r) => {
          const i = r.body.length === 0 ? 0 : at % r.body.length;
          return { ...r, body: Buffer.concat([r.body.subarray(0, i), Buffer.from(bytes), r.body.subarray(i)]) };
        }),
    },
    {
      weight: hugeBodies ? 1 : 0,
      arbitrary: fc
        .constantFrom(
          512 * 1024,
          1024 * 1024 + 1,
          3 * 1024 * 1024,
          4 * 1024 * 1024 - 600,
          4 * 1024 * 1024 + 1,
          5 * 1024 * 1024,
        )
        .map((size): Mutation => (r) => {
          const json = parseJson(r.body);
          const padded = setPath(
            json,
            typeof json === 'object' && json !== null && 'metadata' in json ? ['data', 'big'] : ['padding'],
            'x'.repeat(size),
          );
          return { ...r, body: toBody(padded, r.body) };
        }),
    },
    {
      weight: 30,
      arbitrary: fc
        .tuple(fc.constantFrom(...ENVELOPE_ATTRS), fc.oneof(jsonValue, fc.constant(undefined)))
        .map(([attr, v]): Mutation => (r) => {
          const envelope = toStructured(r);
          if (v === undefined) delete envelope[attr];
          else envelope[attr] = v;
          return { headers: { 'content-type': 'application/cloudevents+json' }, body: toBody(envelope, r.body) };
        }),
    },
    {
      weight: 30,
      arbitrary: fc.array(member, { maxLength: 5 }).map((members): Mutation => () => ({
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body: toBody(members, Buffer.from('[]')),
      })),
    },
  );
}

const randomRequest: fc.Arbitrary<FuzzRequest> = fc.record({
  headers: fc.dictionary(
    fc.oneof(
      fc.constantFrom(...CE_HEADERS),
      fc.string({ minLength: 1, maxLength: 12 }).map((s) => `x-${s.replace(/[^a-z0-9-]/gi, 'q')}`),
    ),
    headerValue,
    { maxKeys: 12 },
  ),
  body: fc.oneof(
    fc.string({ maxLength: 500 }).map((s) => Buffer.from(s)),
    fc.uint8Array({ maxLength: 500 }).map((a) => Buffer.from(a)),
    jsonValue.map((v) => Buffer.from(JSON.stringify(v) ?? '')),
  ),
});

/**
 * hugeBodies: 0.5–5 MiB bodies, around the 4 MiB limit: only the HTTP server has a limit, and
 * building them is what makes a run slow, so the intake-only fuzzing leaves them out.
 * 85% mutated recordings (1–4 mutations each; huge bodies and deep JSON kept rare: they are slow to build), 15% random. */
export function fuzzRequests(
  recorded: FuzzRequest[],
  options: { hugeBodies: boolean } = { hugeBodies: true },
): fc.Arbitrary<FuzzRequest> {
  const mutated = fc
    .tuple(
      fc.constantFrom(...recorded),
      fc.array(mutations(recorded, options.hugeBodies), { minLength: 1, maxLength: 4 }),
    )
    .map(([base, steps]) => steps.reduce((r, step) => step(r), base));
  return fc.oneof({ weight: 85, arbitrary: mutated }, { weight: 15, arbitrary: randomRequest });
}
