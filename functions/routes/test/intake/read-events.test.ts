// What routes accepts and what it answers 400 with: the Knative adapter's Service events in both
// modes, the PingSource resync, and each way a delivery can be wrong, named by its field.
import { CloudEvent, HTTP } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { createEventReader, type Target } from '../../src/intake/read-events';
import { service } from '../helpers/fixtures';

const readEvents = createEventReader();
type Message = { headers: Record<string, string>; body: string };

/** as the v1.12.6 adapter sends it: binary mode, the ce-kind/name/namespace extensions */
const ref = (action: string, namespace = 'dev-alice', name = 'web', extra: Record<string, unknown> = {}) =>
  new CloudEvent({
    id: `${action}-1`,
    type: `dev.knative.apiserver.ref.${action}`,
    source: 'https://10.96.0.1:443',
    subject: `/apis/v1/namespaces/${namespace}/services/${name}`,
    kind: 'Service',
    name,
    namespace,
    apiversion: 'v1',
    datacontenttype: 'application/json',
    data: { apiVersion: 'v1', kind: 'Service', name, namespace },
    ...extra,
  });
const binary = (e: CloudEvent<unknown>): Message => {
  const m = HTTP.binary(e);
  return { headers: m.headers as Record<string, string>, body: m.body as string };
};
const ping = new CloudEvent({
  id: 'ping-1',
  type: 'dev.knative.sources.ping',
  source: '/apis/v1/namespaces/reroll-demo/pingsources/routes-resync',
  datacontenttype: 'application/json',
  data: { reason: 'resync' },
});

describe('routes intake: accepted', () => {
  const cases: Array<[string, Message, Target]> = [
    [
      'a Reference-mode add',
      binary(ref('add')),
      { type: 'service', namespace: 'dev-alice', name: 'web', action: 'add' },
    ],
    [
      'a Reference-mode delete',
      binary(ref('delete', 'demo')),
      { type: 'service', namespace: 'demo', name: 'web', action: 'delete' },
    ],
    [
      'a Resource-mode update (the whole Service)',
      binary(
        new CloudEvent({
          id: 'r-1',
          type: 'dev.knative.apiserver.resource.update',
          source: 'https://10.96.0.1:443',
          datacontenttype: 'application/json',
          data: service('web', 'demo'),
        }),
      ),
      { type: 'service', namespace: 'demo', name: 'web', action: 'update' },
    ],
    ['the PingSource resync', binary(ping), { type: 'resync' }],
  ];
  for (const [name, message, target] of cases)
    it(name, () => {
      const result = readEvents(message);
      expect(result.ok && result.events.map((e) => e.target)).toEqual([target]);
    });
});

describe('routes intake: 400 naming what is wrong', () => {
  const cases: Array<[string, Message, { error: string; field: string }]> = [
    [
      'not a CloudEvent',
      { headers: { 'content-type': 'text/plain' }, body: 'hi' },
      { error: 'invalid', field: 'content-type' },
    ],
    ['data that is not JSON', { ...binary(ref('add')), body: '{"kind":' }, { error: 'invalid', field: 'data' }],
    [
      'an event type routes does not take',
      binary(ref('add', 'demo', 'web', { type: 'dev.knative.apiserver.ref.patch' })),
      { error: 'unsupported', field: 'type' },
    ],
    [
      'a Knative Service, not a core/v1 Service',
      binary(
        ref('add', 'demo', 'web', {
          data: { apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'web', namespace: 'demo' },
        }),
      ),
      { error: 'unsupported', field: 'data.kind' },
    ],
    [
      'a reference without a name',
      binary(ref('add', 'demo', 'web', { data: { apiVersion: 'v1', kind: 'Service', namespace: 'demo' } })),
      { error: 'invalid', field: 'data.name' },
    ],
    [
      'a ce-name extension that disagrees with the data (a forged mix)',
      binary(ref('add', 'demo', 'web', { name: 'other' })),
      { error: 'invalid', field: 'name' },
    ],
    [
      'one bad event in a batch, by its index',
      {
        headers: { 'content-type': 'application/cloudevents-batch+json' },
        body: JSON.stringify([ref('add').toJSON(), ref('add', 'demo', 'web', { type: 'other' }).toJSON()]),
      },
      { error: 'unsupported', field: '[1].type' },
    ],
  ];
  for (const [name, message, expected] of cases)
    it(name, () => {
      const result = readEvents(message);
      expect(result.ok ? 'accepted' : result.error).toMatchObject(expected);
    });
});
