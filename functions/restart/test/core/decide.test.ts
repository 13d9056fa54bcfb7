// The contract's rules as a table, over ConfigMap/Secret bodies recorded from a real API server.
import { describe, expect, it } from 'vitest';
import {
  decideEvent,
  decideResync,
  findCandidates,
  listConfigsNeeded,
  type DecideOptions,
  type Plan,
  type Workload,
} from '../../src/core/decide';
import { findConfigsUsed } from '../../src/core/match-workload';
import { hashConfigs } from '../../src/core/hash-config';
import { isNamespaceServed } from '../../src/core/namespaces';
import type { ConfigRef, DecisionAction, EventAction, KubeObject, WorkloadKind } from '../../src/core/types';
import { ANNOTATIONS, configKey } from '../../src/core/types';
import { recordedObject } from '../helpers/fixtures';
import { envFromPod, makeWorkload } from '../helpers/workloads';

const created = recordedObject('01'); // ENV_MESSAGE="Hello from test", rv 360
const patched = recordedObject('02'); // ENV_MESSAGE="Hello again"
const annotated = recordedObject('03'); // same data as 02, one more annotation
const ssaSameValue = recordedObject('04b'); // same data as 02, one more managedFields entry
const rapid5 = recordedObject('05', 4); // ENV_MESSAGE="rapid-5"
const deletedBody = recordedObject('06'); // last state carried by the delete event
// data ENV_MESSAGE + SECOND_KEY, binaryData blob.bin; recorded without the opt-in annotation, added here
const binary = optIn(recordedObject('07'));
const secret = recordedObject('10'); // Secret helloworld-secret, data PASSWORD
const secretPatched = recordedObject('10', 1);

function optIn(o: KubeObject): KubeObject {
  const c = structuredClone(o);
  c.metadata!.annotations = { ...c.metadata!.annotations, [ANNOTATIONS.triggerRestart]: 'true' };
  return c;
}
const ref = (o: KubeObject): ConfigRef => ({
  kind: o.kind as ConfigRef['kind'],
  namespace: o.metadata!.namespace!,
  name: o.metadata!.name!,
});
const clone = <T>(o: T): T => structuredClone(o);
const withData = (o: KubeObject, data: Record<string, string>, binaryData?: Record<string, string>): KubeObject => ({
  ...clone(o),
  data,
  ...(binaryData ? { binaryData } : {}),
});
const withoutOptIn = (o: KubeObject): KubeObject => {
  const c = clone(o);
  delete c.metadata!.annotations![ANNOTATIONS.triggerRestart];
  return c;
};
const hashOf = (
  workload: KubeObject,
  configs: KubeObject[],
  mode: DecideOptions['match'] = 'both',
  labelMatched: ConfigRef[] = [],
): string => {
  const byName = new Map(configs.map((c) => [`${c.kind}/${c.metadata!.name}`, c]));
  return hashConfigs(findConfigsUsed(workload, mode, labelMatched), (u) => byName.get(`${u.kind}/${u.name}`) ?? null);
};
const recordedHash = (hash: string) => ({ [ANNOTATIONS.configHash]: hash });

const keyRefPod = (cm: string, keys: string[]) => ({
  containers: [
    { name: 'hello', env: keys.map((k) => ({ name: k, valueFrom: { configMapKeyRef: { name: cm, key: k } } })) },
  ],
});
const baseDeployment = makeWorkload();
const binDeployment = (keys: string[] | null, annotations: Record<string, string> = {}) =>
  makeWorkload({
    name: 'helloworld-bin',
    podSpec: keys ? keyRefPod('helloworld-bin', keys) : envFromPod('helloworld-bin'),
    annotations,
  });

interface Case {
  name: string;
  /** event action, or 'resync' */
  action: EventAction | 'resync';
  /** the event's config as the event named it */
  target?: ConfigRef;
  /** live configs in the namespace (the event's config absent = deleted) */
  live: KubeObject[];
  /** what a Resource-mode event carried (for deleted configs) */
  lastKnown?: KubeObject;
  workloads: Array<{ kind?: WorkloadKind; object: KubeObject }>;
  options?: Partial<DecideOptions>;
  expected: Array<{ name: string; action: DecisionAction; reason?: RegExp }>;
}

const NOW = new Date('2026-11-23T09:00:00.123Z');

const cases: Case[] = [
  // rule 2: no hash recorded
  {
    name: 'update with no hash recorded rolls',
    action: 'update',
    target: ref(patched),
    live: [patched],
    workloads: [{ object: baseDeployment }],
    expected: [{ name: 'helloworld-test', action: 'rolled', reason: /no config hash recorded/ }],
  },
  {
    name: 'add with no hash recorded only records',
    action: 'add',
    target: ref(created),
    live: [created],
    workloads: [{ object: baseDeployment }],
    expected: [{ name: 'helloworld-test', action: 'recorded', reason: /first sight on add/ }],
  },
  {
    name: 'resync with no hash recorded only records',
    action: 'resync',
    live: [patched],
    workloads: [{ object: baseDeployment }],
    expected: [{ name: 'helloworld-test', action: 'recorded', reason: /first sight on resync/ }],
  },
  // rule 1: roll only when the hash differs
  {
    name: 'update with a different recorded hash rolls',
    action: 'update',
    target: ref(patched),
    live: [patched],
    workloads: [{ object: makeWorkload({ annotations: recordedHash(hashOf(baseDeployment, [created])) }) }],
    expected: [{ name: 'helloworld-test', action: 'rolled', reason: /config hash changed/ }],
  },
  {
    name: 'metadata-only update (scenario 03) rolls nothing',
    action: 'update',
    target: ref(annotated),
    live: [annotated],
    workloads: [{ object: makeWorkload({ annotations: recordedHash(hashOf(baseDeployment, [patched])) }) }],
    expected: [{ name: 'helloworld-test', action: 'unchanged' }],
  },
  {
    name: 'same-value server-side apply (scenario 04b) rolls nothing',
    action: 'update',
    target: ref(ssaSameValue),
    live: [ssaSameValue],
    workloads: [{ object: makeWorkload({ annotations: recordedHash(hashOf(baseDeployment, [patched])) }) }],
    expected: [{ name: 'helloworld-test', action: 'unchanged' }],
  },
  {
    name: 'an add for a known config with changed data rolls (label re-added after a change)',
    action: 'add',
    target: ref(rapid5),
    live: [rapid5],
    workloads: [{ object: makeWorkload({ annotations: recordedHash(hashOf(baseDeployment, [patched])) }) }],
    expected: [{ name: 'helloworld-test', action: 'rolled' }],
  },
  {
    name: 'resync catches a change the source never sent',
    action: 'resync',
    live: [rapid5],
    workloads: [{ object: makeWorkload({ annotations: recordedHash(hashOf(baseDeployment, [patched])) }) }],
    expected: [{ name: 'helloworld-test', action: 'rolled' }],
  },
  {
    name: 'resync with nothing changed',
    action: 'resync',
    live: [rapid5],
    workloads: [{ object: makeWorkload({ annotations: recordedHash(hashOf(baseDeployment, [rapid5])) }) }],
    expected: [{ name: 'helloworld-test', action: 'unchanged' }],
  },
  // rule 3: delete
  {
    name: 'delete rolls nothing by default',
    action: 'delete',
    target: ref(deletedBody),
    live: [],
    lastKnown: deletedBody,
    workloads: [{ object: makeWorkload({ annotations: recordedHash(hashOf(baseDeployment, [rapid5])) }) }],
    expected: [{ name: 'helloworld-test', action: 'skipped', reason: /REROLL_ON_DELETE=roll/ }],
  },
  {
    name: 'delete rolls with onDelete=roll',
    action: 'delete',
    target: ref(deletedBody),
    live: [],
    lastKnown: deletedBody,
    options: { onDelete: 'roll' },
    workloads: [{ object: makeWorkload({ annotations: recordedHash(hashOf(baseDeployment, [rapid5])) }) }],
    expected: [{ name: 'helloworld-test', action: 'rolled', reason: /deleted/ }],
  },
  {
    name: 'an update for a config that is gone is a delete',
    action: 'update',
    target: ref(patched),
    live: [],
    workloads: [{ object: makeWorkload({ annotations: recordedHash(hashOf(baseDeployment, [created])) }) }],
    expected: [{ name: 'helloworld-test', action: 'skipped', reason: /was deleted/ }],
  },
  {
    name: 'a delete for a config that still exists (label removed) records, never rolls on first sight',
    action: 'delete',
    target: ref(patched),
    live: [patched],
    workloads: [{ object: baseDeployment }],
    expected: [{ name: 'helloworld-test', action: 'recorded', reason: /still exists/ }],
  },
  {
    name: 'a delete for a config that still exists and is unchanged',
    action: 'delete',
    target: ref(patched),
    live: [patched],
    workloads: [{ object: makeWorkload({ annotations: recordedHash(hashOf(baseDeployment, [patched])) }) }],
    expected: [{ name: 'helloworld-test', action: 'unchanged' }],
  },
  // binaryData and key-level references
  {
    name: 'a binaryData-only change rolls',
    action: 'update',
    target: ref(binary),
    live: [withData(binary, binary.data!, { 'blob.bin': 'AAECAw==' })],
    workloads: [{ object: binDeployment(null, recordedHash(hashOf(binDeployment(null), [binary]))) }],
    expected: [{ name: 'helloworld-bin', action: 'rolled' }],
  },
  {
    name: 'a change to a key the workload does not read rolls nothing',
    action: 'update',
    target: ref(binary),
    live: [withData(binary, { ...binary.data!, SECOND_KEY: 'second, new value' }, binary.binaryData)],
    workloads: [
      { object: binDeployment(['ENV_MESSAGE'], recordedHash(hashOf(binDeployment(['ENV_MESSAGE']), [binary]))) },
    ],
    expected: [{ name: 'helloworld-bin', action: 'unchanged' }],
  },
  {
    name: 'a change to the key the workload reads rolls',
    action: 'update',
    target: ref(binary),
    live: [withData(binary, { ...binary.data!, ENV_MESSAGE: 'Hello, new value' }, binary.binaryData)],
    workloads: [
      { object: binDeployment(['ENV_MESSAGE'], recordedHash(hashOf(binDeployment(['ENV_MESSAGE']), [binary]))) },
    ],
    expected: [{ name: 'helloworld-bin', action: 'rolled' }],
  },
  {
    name: 'a volume with items reads only those keys',
    action: 'update',
    target: ref(binary),
    live: [withData(binary, { ...binary.data!, ENV_MESSAGE: 'Hello, new value' }, binary.binaryData)],
    workloads: [
      {
        object: (() => {
          const pod = {
            containers: [{ name: 'hello' }],
            volumes: [
              { name: 'blob', configMap: { name: 'helloworld-bin', items: [{ key: 'blob.bin', path: 'blob.bin' }] } },
            ],
          };
          return makeWorkload({
            name: 'helloworld-bin',
            podSpec: pod,
            annotations: recordedHash(hashOf(makeWorkload({ podSpec: pod }), [binary])),
          });
        })(),
      },
    ],
    expected: [{ name: 'helloworld-bin', action: 'unchanged' }],
  },
  // optional and missing references
  {
    name: 'an optional reference to a missing ConfigMap does not block a rollout',
    action: 'update',
    target: ref(patched),
    live: [patched],
    workloads: [
      {
        object: makeWorkload({
          podSpec: {
            containers: [
              {
                name: 'hello',
                envFrom: [
                  { configMapRef: { name: 'helloworld-test' } },
                  { configMapRef: { name: 'extra', optional: true } },
                ],
              },
            ],
          },
        }),
      },
    ],
    expected: [{ name: 'helloworld-test', action: 'rolled' }],
  },
  {
    name: 'a required reference to a missing ConfigMap blocks the rollout',
    action: 'update',
    target: ref(patched),
    live: [patched],
    workloads: [
      {
        object: makeWorkload({
          podSpec: {
            containers: [
              {
                name: 'hello',
                envFrom: [{ configMapRef: { name: 'helloworld-test' } }, { configMapRef: { name: 'extra' } }],
              },
            ],
          },
        }),
      },
    ],
    expected: [{ name: 'helloworld-test', action: 'skipped', reason: /required ConfigMap demo\/extra does not exist/ }],
  },
  // initContainers
  {
    name: 'a ConfigMap used only by an initContainer rolls the workload',
    action: 'update',
    target: ref(patched),
    live: [patched],
    workloads: [
      {
        object: makeWorkload({
          podSpec: {
            initContainers: [{ name: 'init', envFrom: [{ configMapRef: { name: 'helloworld-test' } }] }],
            containers: [{ name: 'hello' }],
          },
        }),
      },
    ],
    expected: [{ name: 'helloworld-test', action: 'rolled' }],
  },
  // label mode (seed 001)
  {
    name: 'labels mode: same app+env labels match without a reference',
    action: 'update',
    target: ref(patched),
    live: [patched],
    options: { match: 'labels' },
    workloads: [{ object: makeWorkload({ podSpec: { containers: [{ name: 'hello' }] } }) }],
    expected: [{ name: 'helloworld-test', action: 'rolled' }],
  },
  {
    name: 'both mode: label match without a reference',
    action: 'update',
    target: ref(patched),
    live: [patched],
    workloads: [{ object: makeWorkload({ name: 'by-labels', podSpec: { containers: [{ name: 'hello' }] } }) }],
    expected: [{ name: 'by-labels', action: 'rolled' }],
  },
  {
    name: 'reference mode: a label match alone is not enough',
    action: 'update',
    target: ref(patched),
    live: [patched],
    options: { match: 'reference' },
    workloads: [{ object: makeWorkload({ podSpec: { containers: [{ name: 'hello' }] } }) }],
    expected: [],
  },
  {
    name: 'labels mode: a different env label does not match',
    action: 'update',
    target: ref(patched),
    live: [patched],
    options: { match: 'labels' },
    workloads: [
      {
        object: makeWorkload({
          name: 'helloworld-prod',
          labels: { app: 'helloworld', env: 'prod' },
          podSpec: { containers: [{ name: 'hello' }] },
        }),
      },
    ],
    expected: [],
  },
  {
    name: 'labels mode: a remembered label match keeps its hash stable (metadata-only update)',
    action: 'update',
    target: ref(annotated),
    live: [annotated],
    options: { match: 'labels' },
    workloads: [
      {
        object: (() => {
          const w = makeWorkload({
            podSpec: { containers: [{ name: 'hello' }] },
            annotations: { [ANNOTATIONS.labelMatches]: 'ConfigMap/helloworld-test' },
          });
          w.metadata!.annotations![ANNOTATIONS.configHash] = hashOf(w, [patched], 'labels');
          return w;
        })(),
      },
    ],
    expected: [{ name: 'helloworld-test', action: 'unchanged' }],
  },
  // opt-in on both sides
  {
    name: 'workload without restartOnTrigger is skipped',
    action: 'update',
    target: ref(patched),
    live: [patched],
    workloads: [{ object: makeWorkload({ optIn: false }) }],
    expected: [{ name: 'helloworld-test', action: 'skipped', reason: /restartOnTrigger/ }],
  },
  {
    name: 'the recorded helloworld-bin (no triggerRestart) rolls nobody',
    action: 'update',
    target: ref(binary),
    live: [recordedObject('07')],
    workloads: [{ object: binDeployment(null) }],
    expected: [{ name: 'helloworld-bin', action: 'skipped', reason: /triggerRestart/ }],
  },
  {
    name: 'ConfigMap without triggerRestart rolls nobody',
    action: 'update',
    target: ref(patched),
    live: [withoutOptIn(patched)],
    workloads: [{ object: baseDeployment }],
    expected: [{ name: 'helloworld-test', action: 'skipped', reason: /triggerRestart/ }],
  },
  {
    name: 'a workload that does not use the ConfigMap gets no decision',
    action: 'update',
    target: ref(patched),
    live: [patched],
    workloads: [
      {
        object: makeWorkload({
          name: 'other',
          labels: { app: 'other', env: 'test' },
          podSpec: envFromPod('other-config'),
        }),
      },
    ],
    expected: [],
  },
  // kinds
  {
    name: 'a Knative Service rolls through its spec.template',
    action: 'update',
    target: ref(patched),
    live: [patched],
    workloads: [{ kind: 'Service', object: makeWorkload({ kind: 'Service' }) }],
    expected: [{ name: 'helloworld-test', action: 'rolled' }],
  },
  {
    name: 'StatefulSet and DaemonSet roll too',
    action: 'update',
    target: ref(patched),
    live: [patched],
    workloads: [
      { kind: 'StatefulSet', object: makeWorkload({ kind: 'StatefulSet', name: 'sts' }) },
      { kind: 'DaemonSet', object: makeWorkload({ kind: 'DaemonSet', name: 'ds' }) },
    ],
    expected: [
      { name: 'sts', action: 'rolled' },
      { name: 'ds', action: 'rolled' },
    ],
  },
  // Secrets
  {
    name: 'a Secret update rolls its users',
    action: 'update',
    target: ref(secretPatched),
    live: [secretPatched],
    workloads: [
      {
        object: makeWorkload({
          podSpec: {
            containers: [
              {
                name: 'hello',
                env: [
                  { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'helloworld-secret', key: 'PASSWORD' } } },
                ],
              },
            ],
          },
          annotations: recordedHash(
            hashOf(
              makeWorkload({
                podSpec: { containers: [{ name: 'h', envFrom: [{ secretRef: { name: 'helloworld-secret' } }] }] },
              }),
              [secret],
            ),
          ),
        }),
      },
    ],
    expected: [{ name: 'helloworld-test', action: 'rolled' }],
  },
  // several configs, one hash
  {
    name: 'two ConfigMaps, one hash: the other one changed, so a metadata-only event rolls',
    action: 'update',
    target: ref(annotated),
    live: [annotated, withData(binary, { ENV_MESSAGE: 'Hello, new value', SECOND_KEY: 'x' })],
    workloads: [
      {
        object: (() => {
          const pod = {
            containers: [
              {
                name: 'hello',
                envFrom: [{ configMapRef: { name: 'helloworld-test' } }, { configMapRef: { name: 'helloworld-bin' } }],
              },
            ],
          };
          return makeWorkload({
            podSpec: pod,
            annotations: recordedHash(hashOf(makeWorkload({ podSpec: pod }), [patched, binary])),
          });
        })(),
      },
    ],
    expected: [{ name: 'helloworld-test', action: 'rolled' }],
  },
  {
    name: 'two ConfigMaps, one hash: nothing changed in either',
    action: 'update',
    target: ref(annotated),
    live: [annotated, binary],
    workloads: [
      {
        object: (() => {
          const pod = {
            containers: [
              {
                name: 'hello',
                envFrom: [{ configMapRef: { name: 'helloworld-test' } }, { configMapRef: { name: 'helloworld-bin' } }],
              },
            ],
          };
          return makeWorkload({
            podSpec: pod,
            annotations: recordedHash(hashOf(makeWorkload({ podSpec: pod }), [patched, binary])),
          });
        })(),
      },
    ],
    expected: [{ name: 'helloworld-test', action: 'unchanged' }],
  },
];

function run(c: Case): Plan[] {
  const options: DecideOptions = { match: 'both', onDelete: 'ignore', now: NOW, ...c.options };
  const workloads: Workload[] = c.workloads.map((w) => ({
    kind: w.kind ?? (w.object.kind as WorkloadKind),
    object: w.object,
  }));
  const lookup = new Map<string, KubeObject | null>();
  const liveByKey = new Map(c.live.map((o) => [configKey(ref(o)), o]));
  const fill = (refs: ConfigRef[]) => {
    for (const r of refs) lookup.set(configKey(r), liveByKey.get(configKey(r)) ?? null);
  };
  if (c.action === 'resync') {
    fill(listConfigsNeeded(workloads, options.match, 'demo'));
    return decideResync(workloads, lookup, options);
  }
  const target = c.target!;
  const config = { live: liveByKey.get(configKey(target)) ?? null, ...(c.lastKnown ? { lastKnown: c.lastKnown } : {}) };
  const candidates = findCandidates(workloads, target, config, options.match);
  fill(listConfigsNeeded(candidates, options.match, 'demo'));
  return decideEvent(target, c.action, config, candidates, lookup, options);
}

describe('decide: the contract rules', () => {
  for (const c of cases) {
    it(c.name, () => {
      const plans = run(c);
      expect(plans.map((p) => ({ name: p.decision.name, action: p.decision.action }))).toEqual(
        c.expected.map(({ name, action }) => ({ name, action })),
      );
      plans.forEach((plan, i) => {
        const want = c.expected[i]!;
        if (want.reason) expect(plan.decision.reason).toMatch(want.reason);
        // a patch exactly when something is written, a template stamp exactly when it rolls
        expect(plan.patch !== undefined).toBe(plan.decision.action === 'rolled' || plan.decision.action === 'recorded');
        expect(plan.patch?.spec !== undefined).toBe(plan.decision.action === 'rolled');
        // values never leak into reasons
        for (const o of c.live)
          for (const v of Object.values(o.data ?? {})) if (v.length > 3) expect(plan.decision.reason).not.toContain(v);
      });
    });
  }
});

describe('decide: what a rollout writes', () => {
  it('records the same hash on the workload and its pod template, with an RFC 3339 restartTimestamp and the resourceVersion precondition', () => {
    const [plan] = run({
      name: '',
      action: 'update',
      target: ref(patched),
      live: [patched],
      workloads: [{ object: makeWorkload({ resourceVersion: '4711' }) }],
      expected: [],
    });
    const hash = hashOf(baseDeployment, [patched]);
    expect(plan!.patch).toEqual({
      metadata: { resourceVersion: '4711', annotations: { [ANNOTATIONS.configHash]: hash } },
      spec: {
        template: {
          metadata: {
            annotations: { [ANNOTATIONS.configHash]: hash, [ANNOTATIONS.restartTimestamp]: '2026-11-23T09:00:00Z' },
          },
        },
      },
    });
  });
  it('a first-sight record writes only the workload metadata', () => {
    const [plan] = run({
      name: '',
      action: 'add',
      target: ref(created),
      live: [created],
      workloads: [{ object: makeWorkload({ resourceVersion: '12' }) }],
      expected: [],
    });
    expect(plan!.patch).toEqual({
      metadata: { resourceVersion: '12', annotations: { [ANNOTATIONS.configHash]: hashOf(baseDeployment, [created]) } },
    });
  });
  it('a label-only match is remembered on the workload', () => {
    const [plan] = run({
      name: '',
      action: 'update',
      target: ref(patched),
      live: [patched],
      workloads: [{ object: makeWorkload({ podSpec: { containers: [{ name: 'hello' }] } }) }],
      expected: [],
    });
    expect(plan!.patch!.metadata.annotations[ANNOTATIONS.labelMatches]).toBe('ConfigMap/helloworld-test');
  });
  it('the hash ignores metadata: created vs annotated objects with equal data hash equal', () => {
    expect(hashOf(baseDeployment, [patched])).toBe(hashOf(baseDeployment, [annotated]));
    expect(hashOf(baseDeployment, [patched])).toBe(hashOf(baseDeployment, [ssaSameValue]));
    expect(hashOf(baseDeployment, [patched])).not.toBe(hashOf(baseDeployment, [created]));
  });
});

describe('namespaces: excluded ones are never served', () => {
  const policy = { namespaces: ['demo', 'kube-system'], excludeNamespaces: ['kube-system', 'istio-system'] };
  const table: Array<[string, boolean]> = [
    ['demo', true],
    ['kube-system', false],
    ['istio-system', false],
    ['prod', false],
  ];
  for (const [ns, served] of table) it(`${ns} → ${served}`, () => expect(isNamespaceServed(ns, policy)).toBe(served));
});
