import { describe, expect, it } from 'vitest';
import { parseTarget, type EventAttributes } from '../../src/core/parse-target';
import { loadRecorded } from '../helpers/fixtures';

// The attributes the SDK yields for a recorded binary-mode request (ce-* headers, parsed JSON body).
function attributesOf(headers: Record<string, string>, body: string): Record<string, unknown> {
  const attrs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(headers)) if (k.startsWith('ce-')) attrs[k.slice(3)] = v;
  attrs.data = JSON.parse(body);
  return attrs;
}

const recorded = [...loadRecorded('Resource'), ...loadRecorded('Reference')];

describe('parseTarget on every recorded request', () => {
  for (const req of recorded) {
    it(req.label, () => {
      const attrs = attributesOf(req.headers, req.body);
      const result = parseTarget(attrs);
      expect(result.ok).toBe(true);
      if (!result.ok || result.target.type !== 'config') throw new Error('expected a config target');
      expect(result.target.ref).toEqual({ kind: attrs.kind, namespace: attrs.namespace, name: attrs.name });
      expect(result.target.action).toBe(String(attrs.type).split('.').pop());
      expect(result.target.mode).toBe(req.mode === 'Resource' ? 'resource' : 'ref');
    });
  }
});

const base = attributesOf(loadRecorded('Resource', '02')[0]!.headers, loadRecorded('Resource', '02')[0]!.body);
const ref = attributesOf(loadRecorded('Reference', '02')[0]!.headers, loadRecorded('Reference', '02')[0]!.body);
const withData = (attrs: Record<string, unknown>, change: (d: Record<string, unknown>) => void) => {
  const data = structuredClone(attrs.data) as Record<string, unknown>;
  change(data);
  return { ...attrs, data };
};

const cases: Array<{ name: string; event: EventAttributes; field?: string; error?: string; resync?: boolean }> = [
  {
    name: 'ping is a resync',
    event: { type: 'dev.knative.sources.ping', source: '/apis/v1/namespaces/demo/pingsources/reroll-resync' },
    resync: true,
  },
  {
    name: 'unknown type',
    event: { ...base, type: 'dev.knative.apiserver.resource.patch' },
    field: 'type',
    error: 'unsupported',
  },
  { name: 'missing subject', event: { ...base, subject: undefined }, field: 'subject' },
  { name: 'subject not a self link', event: { ...base, subject: 'helloworld-test' }, field: 'subject' },
  { name: 'name extension contradicts subject', event: { ...base, name: 'other' }, field: 'name' },
  { name: 'namespace extension contradicts subject', event: { ...base, namespace: 'kube-system' }, field: 'namespace' },
  {
    name: 'object name contradicts subject',
    event: withData(base, (d) => {
      (d.metadata as Record<string, unknown>).name = 'other';
    }),
    field: 'data.metadata.name',
  },
  {
    name: 'reference name contradicts subject',
    event: withData(ref, (d) => {
      d.name = 'other';
    }),
    field: 'data.name',
  },
  {
    name: 'reference namespace contradicts subject',
    event: withData(ref, (d) => {
      d.namespace = 'prod';
    }),
    field: 'data.namespace',
  },
  {
    name: 'kind extension Deployment is unsupported',
    event: { ...base, kind: 'Deployment' },
    field: 'kind',
    error: 'unsupported',
  },
  {
    name: 'subject for deployments is unsupported',
    event: { ...base, kind: undefined, data: {}, subject: '/apis/apps/v1/namespaces/demo/deployments/helloworld-test' },
    field: 'subject',
    error: 'unsupported',
  },
  {
    name: 'data kind contradicts kind extension',
    event: withData(base, (d) => {
      d.kind = 'Secret';
    }),
    field: 'data.kind',
  },
  {
    name: 'structured event without extensions (subject + data only)',
    event: { type: base.type, subject: base.subject, data: base.data },
  },
];

describe('parseTarget rejects inconsistent events, naming the field', () => {
  for (const c of cases) {
    it(c.name, () => {
      const result = parseTarget(c.event);
      if (c.field) {
        expect(result.ok).toBe(false);
        if (result.ok) return;
        expect(result.error.field).toBe(c.field);
        expect(result.error.error).toBe(c.error ?? 'invalid');
        expect(result.error.detail.length).toBeGreaterThan(5);
      } else {
        expect(result.ok).toBe(true);
        if (result.ok) expect(result.target.type).toBe(c.resync ? 'resync' : 'config');
      }
    });
  }
});
