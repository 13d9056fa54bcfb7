import { CloudEvent, HTTP } from 'cloudevents';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { asNew, recordedObject } from '../helpers/fixtures';
import { makeWorkload } from '../helpers/workloads';
import { startHarness, type Harness } from '../helpers/harness';

let h: Harness;
beforeAll(async () => { h = await startHarness({ seed: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } }, asNew(recordedObject('02')), makeWorkload()] }); }, 30_000);
afterAll(async () => { await h?.stop(); });

it('smoke', async () => {
  const msg = HTTP.binary(new CloudEvent({ type: 'dev.knative.apiserver.ref.update', source: 'https://10.96.0.1:443', subject: '/apis/v1/namespaces/demo/configmaps/helloworld-test', kind: 'ConfigMap', name: 'helloworld-test', namespace: 'demo', data: { kind: 'ConfigMap', namespace: 'demo', name: 'helloworld-test', apiVersion: 'v1' } }));
  const res = await h.post(msg.headers as Record<string, string>, msg.body as string);
  console.log(res.status, JSON.stringify(res.json), h.lines.join('\n'), JSON.stringify(h.emulator!.requests().map((r) => [r.verb, r.resource, r.status, r.contentType])));
  expect(res.status).toBe(200);
}, 30_000);
