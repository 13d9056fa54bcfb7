// Every request the real ApiServerSource adapter sent (recorded-events/) replayed byte for byte
// through the real HTTP server, with the cluster (API emulator) in the state the recording implies.
// The answers must be what the contract says, in sequence, as on the real cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DecisionAction, KubeObject } from '../../src/core/types';
import { applyRecordedState } from '../helpers/cluster-state';
import { DEMO_NAMESPACE, loadRecorded } from '../helpers/fixtures';
import { replayHeaders, startHarness, type Harness } from '../helpers/harness';
import { makeWorkload } from '../helpers/workloads';

// Opted-in workloads, each using one recorded config; app labels differ so only references match.
const workloads = [
  makeWorkload({
    name: 'hw-test',
    labels: { app: 'hw-test', env: 'test' },
    podSpec: { containers: [{ name: 'hello', envFrom: [{ configMapRef: { name: 'helloworld-test' } }] }] },
  }),
  makeWorkload({
    name: 'hw-bin',
    labels: { app: 'hw-bin', env: 'test' },
    podSpec: { containers: [{ name: 'hello' }], volumes: [{ name: 'cfg', configMap: { name: 'helloworld-bin' } }] },
  }),
  makeWorkload({
    name: 'hw-restart',
    labels: { app: 'hw-restart', env: 'test' },
    podSpec: {
      containers: [
        {
          name: 'hello',
          env: [
            { name: 'ENV_MESSAGE', valueFrom: { configMapKeyRef: { name: 'helloworld-restart', key: 'ENV_MESSAGE' } } },
          ],
        },
      ],
    },
  }),
  makeWorkload({
    kind: 'StatefulSet',
    name: 'hw-secret',
    labels: { app: 'hw-secret', env: 'test' },
    podSpec: {
      containers: [
        {
          name: 'hello',
          env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'helloworld-secret', key: 'PASSWORD' } } }],
        },
      ],
    },
  }),
  makeWorkload({
    name: 'hw-apiserver',
    labels: { app: 'hw-apiserver', env: 'test' },
    podSpec: {
      initContainers: [{ name: 'init', envFrom: [{ configMapRef: { name: 'apiserver-restart-cm' } }] }],
      containers: [{ name: 'hello' }],
    },
  }),
];
const userOf: Record<string, string> = {
  'helloworld-test': 'hw-test',
  'helloworld-bin': 'hw-bin',
  'helloworld-restart': 'hw-restart',
  'helloworld-secret': 'hw-secret',
  'apiserver-restart-cm': 'hw-apiserver',
};

// What the contract says for each recorded request, in order (`scenario#index`).
const EXPECTED: Record<string, DecisionAction> = {
  '01-create#0': 'recorded', // add, first sight: record only
  '02-patch-data#0': 'rolled',
  '03-metadata-only#0': 'unchanged',
  '04b-ssa-same-value-new-manager#0': 'unchanged', // managedFields-only write
  '05-rapid-5-patches#0': 'rolled',
  '05-rapid-5-patches#1': 'rolled',
  '05-rapid-5-patches#2': 'rolled',
  '05-rapid-5-patches#3': 'rolled',
  '05-rapid-5-patches#4': 'rolled',
  '06-delete#0': 'skipped', // delete rolls nothing by default
  '07-binarydata-two-keys#0': 'skipped', // helloworld-bin was never opted in (no triggerRestart)
  '09-restart-adapter#0': 'recorded',
  '09-restart-adapter#1': 'rolled', // the changes missed while the adapter was down are caught by the next event
  '10-secret#0': 'recorded',
  '10-secret#1': 'rolled',
  '10-secret#2': 'skipped',
  '11-sink-errors#0': 'rolled',
  '11-sink-errors#1': 'rolled',
  // the adapter's five retries of the 503'd send: same ce-id, same body, nothing left to do
  '11-sink-errors#2': 'unchanged',
  '11-sink-errors#3': 'unchanged',
  '11-sink-errors#4': 'unchanged',
  '11-sink-errors#5': 'unchanged',
  '11-sink-errors#6': 'unchanged',
  '11-sink-errors#7': 'rolled',
  '12-apiserver-restart#0': 'skipped',
  '12-apiserver-restart#1': 'skipped',
  '12-apiserver-restart#2': 'skipped',
  '12-apiserver-restart#3': 'skipped', // never opted in
};

const resourceBodies = new Map(loadRecorded('Resource').map((r) => [`${r.scenario}#${r.label.split('#')[1]}`, r]));

for (const mode of ['Resource', 'Reference'] as const) {
  describe(`${mode} mode: every recorded request, in order`, () => {
    let h: Harness;
    const rolledSoFar: string[] = [];
    let rolledExpected = 0;
    beforeAll(async () => {
      h = await startHarness({ seed: [DEMO_NAMESPACE, ...workloads] });
    }, 30_000);
    afterAll(async () => {
      await h?.stop();
    });

    const requests = loadRecorded(mode);
    const seen = new Map<string, number>();
    for (const req of requests) {
      const index = seen.get(req.scenario) ?? 0;
      seen.set(req.scenario, index + 1);
      const key = `${req.scenario}#${index}`;
      if (EXPECTED[key] === 'rolled') rolledExpected++;
      it(`${req.label} → ${EXPECTED[key]}`, async () => {
        // the cluster as it was when this event was sent (Reference events carry no data: take the Resource recording's)
        const source = resourceBodies.get(`${req.scenario}#${index + 1}`)!;
        const object = JSON.parse(source.body) as KubeObject;
        applyRecordedState(h.emulator!, object, req.headers['ce-type']!.endsWith('.delete'));
        h.emulator!.clearRequests();

        const res = await h.post(replayHeaders(req.headers), req.body);

        expect(res.status).toBe(200);
        expect(res.json.event).toEqual({
          id: req.headers['ce-id'],
          type: req.headers['ce-type'],
          subject: req.headers['ce-subject'],
        });
        const user = userOf[req.headers['ce-name']!]!;
        expect(res.json.decisions).toEqual([
          expect.objectContaining({ name: user, namespace: 'demo', action: EXPECTED[key] }),
        ]);
        const allWrites = h.emulator!.requests().filter((r) => r.verb !== 'get' && r.verb !== 'list');
        const writes = allWrites.filter((r) => r.resource !== 'events');
        const wrote = EXPECTED[key] === 'rolled' || EXPECTED[key] === 'recorded';
        expect(writes.map((w) => `${w.verb} ${w.resource}/${w.name} ${w.contentType}`)).toEqual(
          wrote
            ? [`patch ${user === 'hw-secret' ? 'statefulsets' : 'deployments'}/${user} application/merge-patch+json`]
            : [],
        );
        // and one Kubernetes Event (Rolled / Recorded) on that workload when it wrote, none otherwise
        expect(allWrites.filter((r) => r.resource === 'events').map((r) => `${r.verb} ${r.group} ${r.status}`)).toEqual(
          wrote ? ['create events.k8s.io 201'] : [],
        );
        if (EXPECTED[key] === 'rolled') rolledSoFar.push(user);
      });
    }

    it('no ConfigMap or Secret value ever reached the log', () => {
      const log = h.lines.join('\n');
      for (const value of ['Hello again', 'rapid-3', 'czNjcjN0', 'bjN3', 's3cr3t', 'sink says 503', 'AAECYmluYXJ5/w=='])
        expect(log).not.toContain(value);
      expect(log).toContain('[event] type=MODIFIED configmap=helloworld-test env=test');
      expect(log).toMatch(/\[restart\] patched deployment=hw-test restartedAt=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/);
      expect(rolledSoFar).toHaveLength(rolledExpected);
    });
  });
}
