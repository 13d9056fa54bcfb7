import { describe, expect, it } from 'vitest';
import { summariseAnswer } from '../src/summarise-answer';
import { compareExpectations, parseExpectations } from '../src/expectations';
import type { ReplayRequest } from '../src/build-requests';
import type { Totals } from '../src/summarise-answer';

const subject = '/apis/v1/namespaces/demo/configmaps/helloworld-test';
const one: ReplayRequest = {
  headers: {},
  body: '',
  events: [{ id: '1', type: 'dev.knative.apiserver.resource.update', subject }],
};
const decisions = [
  { kind: 'Deployment', namespace: 'demo', name: 'helloworld-test', action: 'rolled', reason: 'configHash changed' },
  { kind: 'Deployment', namespace: 'demo', name: 'helloworld-prod', action: 'unchanged', reason: 'does not use it' },
  { kind: 'Service', namespace: 'demo', name: 'hello-ksvc', action: 'unchanged', reason: 'hash equal' },
];

describe('summariseAnswer', () => {
  const cases = [
    {
      name: '200 with decisions',
      request: one,
      status: 200,
      body: JSON.stringify({ event: { id: '1', type: 'dev.knative.apiserver.resource.update', subject }, decisions }),
      lines: [`200 dev.knative.apiserver.resource.update ${subject} rolled=1 unchanged=2`],
      totals: { rolled: 1, unchanged: 2 },
      failed: false,
    },
    {
      name: 'batch answered with an array',
      request: { ...one, events: [one.events[0]!, { id: '2', type: 'dev.knative.sources.ping', subject: undefined }] },
      status: 200,
      body: JSON.stringify([
        { event: { type: 'dev.knative.apiserver.resource.update', subject }, decisions: [] },
        { event: { type: 'dev.knative.sources.ping' }, decisions: [decisions[1]] },
      ]),
      lines: [
        `200 dev.knative.apiserver.resource.update ${subject} no decisions`,
        '200 dev.knative.sources.ping - unchanged=1',
      ],
      totals: { unchanged: 1 },
      failed: false,
    },
    {
      name: '400 names the field',
      request: one,
      status: 400,
      body: JSON.stringify({ error: 'invalid', field: 'data.metadata.name', detail: 'is required' }),
      lines: [
        `400 dev.knative.apiserver.resource.update ${subject} error: invalid field=data.metadata.name is required`,
      ],
      totals: {},
      failed: true,
    },
    {
      name: '503 plain text',
      request: one,
      status: 503,
      body: 'upstream unavailable\n',
      lines: [`503 dev.knative.apiserver.resource.update ${subject} error: upstream unavailable`],
      totals: {},
      failed: true,
    },
    {
      name: 'no answer at all',
      request: one,
      status: 0,
      body: 'fetch failed: connect ECONNREFUSED',
      lines: [`ERR dev.knative.apiserver.resource.update ${subject} error: fetch failed: connect ECONNREFUSED`],
      totals: {},
      failed: true,
    },
    {
      name: '202 from a plain sink',
      request: one,
      status: 202,
      body: '',
      lines: [`202 dev.knative.apiserver.resource.update ${subject} no decisions in answer`],
      totals: {},
      failed: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () =>
      expect(summariseAnswer(c.request, c.status, c.body)).toEqual({
        lines: c.lines,
        totals: c.totals,
        failed: c.failed,
      }),
    );
  }
});

describe('--expect', () => {
  const cases: { name: string; specs: string[]; actual: Totals; mismatches: number }[] = [
    {
      name: 'matching totals',
      specs: ['rolled=1,unchanged=2'],
      actual: { rolled: 1, unchanged: 2, skipped: 4 },
      mismatches: 0,
    },
    { name: 'repeatable flags add up', specs: ['rolled=1', 'rolled=1'], actual: { rolled: 2 }, mismatches: 0 },
    { name: 'a missing action counts as 0', specs: ['rolled=0', 'failed=1'], actual: {}, mismatches: 1 },
    { name: 'a different count', specs: ['unchanged=3'], actual: { unchanged: 2 }, mismatches: 1 },
  ];
  for (const c of cases)
    it(c.name, () => expect(compareExpectations(parseExpectations(c.specs), c.actual)).toHaveLength(c.mismatches));
  it('says what differs', () =>
    expect(compareExpectations({ rolled: 1 }, { rolled: 2, unchanged: 1 })).toEqual([
      'expected rolled=1, got rolled=2 (all: rolled=2 unchanged=1)',
    ]));
  for (const bad of ['rolled', 'rolled=x', '=1', 'rolled=-1']) {
    it(`rejects ${JSON.stringify(bad)}`, () => expect(() => parseExpectations([bad])).toThrow(/use action=count/));
  }
});
