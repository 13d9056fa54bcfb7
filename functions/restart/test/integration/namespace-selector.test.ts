// The cluster-wide install's function, over HTTP with the real client-node port and the emulator:
// REROLL_NAMESPACE_SELECTOR=reroll.dev/enabled=true, two labelled namespaces and one not. What a user
// sees: rollouts only in the labelled ones; an event from the other is answered 200 with no decisions
// and a note, logged as a skip; a resync (PingSource) touches nothing there.
import { RESOURCE_TABLE } from '@reroll/local/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseLabelSelector } from '../../src/core/label-selector';
import { ANNOTATIONS, type KubeObject } from '../../src/core/types';
import { configMapEvent, pingEvent } from '../helpers/cloud-events';
import { applyRecordedState } from '../helpers/cluster-state';
import { startHarness, type Harness } from '../helpers/harness';
import { makeWorkload } from '../helpers/workloads';

const SELECTOR = 'reroll.dev/enabled=true';
const parsed = parseLabelSelector(SELECTOR);
if (!parsed.ok) throw new Error(parsed.error);

const namespace = (name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Namespace',
  metadata: { name, labels },
});
const configMap = (ns: string, message: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'helloworld-test', namespace: ns, annotations: { [ANNOTATIONS.triggerRestart]: 'true' } },
  data: { ENV_MESSAGE: message },
});
const NAMESPACES = ['team-a', 'team-b', 'team-c'];

let h: Harness;
beforeAll(async () => {
  h = await startHarness({
    config: {
      namespaces: [],
      namespaceSelector: { text: SELECTOR, requirements: parsed.requirements },
    },
    seed: [
      namespace('team-a', { 'reroll.dev/enabled': 'true' }),
      namespace('team-b', { 'reroll.dev/enabled': 'true' }),
      namespace('team-c'),
      ...NAMESPACES.flatMap((ns) => [configMap(ns, 'one'), makeWorkload({ namespace: ns })]),
    ],
  });
}, 30_000);
afterAll(async () => {
  await h?.stop();
});

const DEPLOYMENTS = RESOURCE_TABLE.find((r) => r.group === 'apps' && r.kind === 'Deployment')!;
const restartedAt = (ns: string) =>
  (
    h.emulator!.core.get(DEPLOYMENTS, ns, 'helloworld-test') as unknown as {
      spec: { template: { metadata: { annotations?: Record<string, string> } } };
    }
  ).spec.template.metadata.annotations?.[ANNOTATIONS.restartTimestamp];

describe('restart with REROLL_NAMESPACE_SELECTOR', () => {
  it('an update in each namespace: rolled in the labelled two, a note and nothing read in the third', async () => {
    const answers: Record<string, Record<string, unknown>> = {};
    for (const ns of NAMESPACES) {
      applyRecordedState(h.emulator!, configMap(ns, 'two'), false);
      const e = configMapEvent('update', 'helloworld-test', ns);
      h.emulator!.clearRequests();
      const res = await h.post(e.headers, e.body);
      expect(res.status).toBe(200);
      answers[ns] = { ...res.json, requests: h.emulator!.requests().map((r) => `${r.verb} ${r.resource}`) };
    }
    expect(answers['team-a']).toMatchObject({ decisions: [{ namespace: 'team-a', action: 'rolled' }] });
    expect(answers['team-b']).toMatchObject({ decisions: [{ namespace: 'team-b', action: 'rolled' }] });
    expect(answers['team-c']).toMatchObject({
      decisions: [],
      note: 'namespace team-c does not match REROLL_NAMESPACE_SELECTOR=reroll.dev/enabled=true: nothing read or written',
      requests: ['get namespaces'],
    });
    expect(restartedAt('team-a')).toBeDefined();
    expect(restartedAt('team-b')).toBeDefined();
    expect(restartedAt('team-c')).toBeUndefined();
    expect(h.lines.join('\n')).toContain('[skip] namespace team-c does not match REROLL_NAMESPACE_SELECTOR');
  });

  it('a resync lists namespaces once by the selector and rolls nothing in the unlabelled one', async () => {
    applyRecordedState(h.emulator!, configMap('team-c', 'three'), false);
    h.emulator!.clearRequests();
    const e = pingEvent();
    const res = await h.post(e.headers, e.body);
    expect(res.status).toBe(200);
    const decisions = res.json.decisions as Array<{ namespace: string; action: string }>;
    expect(decisions.map((d) => d.namespace).sort()).toEqual(['team-a', 'team-b']);
    const requests = h.emulator!.requests();
    expect(requests.filter((r) => r.resource === 'namespaces').map((r) => r.verb)).toEqual(['list']);
    expect(requests.filter((r) => r.namespace === 'team-c')).toEqual([]);
    expect(restartedAt('team-c')).toBeUndefined();
  });
});
