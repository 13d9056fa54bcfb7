// CronJob and Argo Rollout through the same rules as every other kind, over objects recorded from a
// real kube-apiserver (test/fixtures/kinds/ORIGIN.md). What a user notices: which object is patched
// where, that a CronJob's schedule and suspend are never touched, and why a Rollout that borrows a
// Deployment's template is left alone.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readTemplateStamp } from '../../src/core/build-patch';
import { decideEvent, decideResync, findCandidates, type DecideOptions, type Plan } from '../../src/core/decide';
import { explainWorkload } from '../../src/core/explain-workload';
import { findConfigsUsed } from '../../src/core/match-workload';
import { hashConfigs } from '../../src/core/hash-config';
import { RELOADER } from '../../src/core/reloader-annotations';
import { ROLLOUT_ANNOTATIONS } from '../../src/core/rollout-annotations';
import type { ConfigRef, DecisionAction, EventAction, KubeObject, WorkloadKind } from '../../src/core/types';
import { ANNOTATIONS, configKey } from '../../src/core/types';
import { recordedObject } from '../helpers/fixtures';

const fixture = (name: string): KubeObject =>
  JSON.parse(readFileSync(new URL(`../fixtures/kinds/${name}.json`, import.meta.url), 'utf8')) as KubeObject;

const cronJob = fixture('nightly-report'); // envFrom helloworld-test, suspend: false
const suspendedCronJob = fixture('paused-cleanup'); // env ENV_MESSAGE from helloworld-test, suspend: true
const rollout = fixture('web'); // volume from helloworld-test
const borrowingRollout = fixture('web-ref'); // workloadRef → Deployment web-ref, no template

const created = recordedObject('01'); // helloworld-test, ENV_MESSAGE="Hello from test"
const patched = recordedObject('02'); // ENV_MESSAGE="Hello again"
const withOtherKey = (o: KubeObject): KubeObject => ({ ...structuredClone(o), data: { ...o.data, EXTRA: 'x' } });
const NOW = new Date('2026-12-02T17:00:00Z');
const OPTIONS: DecideOptions = { match: 'both', onDelete: 'ignore', now: NOW };
const ref = (o: KubeObject): ConfigRef => ({ kind: 'ConfigMap', namespace: 'demo', name: o.metadata!.name! });

function edit(o: KubeObject, change: (c: KubeObject) => void): KubeObject {
  const c = structuredClone(o);
  change(c);
  return c;
}
/** the value at a dotted path (`spec.jobTemplate.spec`) */
function at(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], o);
}
function setAt(o: unknown, path: string, value: unknown): void {
  const keys = path.split('.');
  const parent = at(o, keys.slice(0, -1).join('.')) as Record<string, unknown>;
  parent[keys.at(-1)!] = value;
}
const annotate = (o: KubeObject, annotations: Record<string, string | undefined>) =>
  edit(o, (c) => {
    const next = { ...c.metadata!.annotations, ...annotations };
    for (const [k, v] of Object.entries(next)) if (v === undefined) delete next[k];
    c.metadata!.annotations = next as Record<string, string>;
  });
const liveHash = (o: KubeObject, config: KubeObject) =>
  hashConfigs(findConfigsUsed(o, 'both'), (u) => (u.name === config.metadata!.name ? config : null));

/** RFC 7386 JSON merge patch, as the apiserver applies the function's patch */
function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) return patch;
  const out: Record<string, unknown> =
    typeof target === 'object' && target !== null && !Array.isArray(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = applyMergePatch(out[k], v);
  }
  return out;
}

/** every leaf path a patch sets: what the write can change */
function pathsOf(patch: unknown, at = ''): string[] {
  if (typeof patch !== 'object' || patch === null) return [at];
  return Object.entries(patch).flatMap(([k, v]) => pathsOf(v, at ? `${at}.${k}` : k));
}

interface Case {
  name: string;
  action: EventAction | 'resync';
  live: KubeObject[];
  workload: { kind: WorkloadKind; object: KubeObject };
  options?: Partial<DecideOptions>;
  expected: { action: DecisionAction; reason: RegExp } | 'no decision';
  /** the leaf paths the patch writes (rolled / recorded) */
  writes?: string[];
}

const CRONJOB_ROLL = [
  'metadata.annotations.rolling.restart.controller/configHash',
  'metadata.resourceVersion',
  'spec.jobTemplate.spec.template.metadata.annotations.rolling.restart.controller/configHash',
  'spec.jobTemplate.spec.template.metadata.annotations.rolling.restart.controller/restartTimestamp',
];
const TEMPLATE_ROLL = [
  'metadata.annotations.rolling.restart.controller/configHash',
  'metadata.resourceVersion',
  'spec.template.metadata.annotations.rolling.restart.controller/configHash',
  'spec.template.metadata.annotations.rolling.restart.controller/restartTimestamp',
];

const cases: Case[] = [
  {
    name: 'CronJob: an update with no hash recorded rolls its job template, so the next Job has the new config',
    action: 'update',
    live: [patched],
    workload: { kind: 'CronJob', object: cronJob },
    expected: { action: 'rolled', reason: /next scheduled Job runs with the new config \(no Job is started now\)/ },
    writes: CRONJOB_ROLL,
  },
  {
    name: 'suspended CronJob: still rolled (the Job after resume uses the new config), suspend left as it is',
    action: 'update',
    live: [patched],
    workload: { kind: 'CronJob', object: suspendedCronJob },
    expected: { action: 'rolled', reason: /suspended \(left so\): the first Job after it is resumed/ },
    writes: CRONJOB_ROLL,
  },
  {
    name: 'CronJob: an add only records the hash on its own metadata',
    action: 'add',
    live: [created],
    workload: { kind: 'CronJob', object: cronJob },
    expected: { action: 'recorded', reason: /first sight on add/ },
    writes: ['metadata.annotations.rolling.restart.controller/configHash', 'metadata.resourceVersion'],
  },
  {
    name: 'CronJob: the recorded hash matches, nothing is written',
    action: 'update',
    live: [patched],
    workload: {
      kind: 'CronJob',
      object: annotate(cronJob, { [ANNOTATIONS.configHash]: liveHash(cronJob, patched) }),
    },
    expected: { action: 'unchanged', reason: /matches the recorded one/ },
  },
  {
    name: 'CronJob: a key its job template does not read changes nothing (keys narrowed as for other kinds)',
    action: 'update',
    live: [withOtherKey(patched)],
    workload: {
      kind: 'CronJob',
      object: annotate(suspendedCronJob, { [ANNOTATIONS.configHash]: liveHash(suspendedCronJob, patched) }),
    },
    options: { match: 'reference' },
    expected: { action: 'unchanged', reason: /matches the recorded one/ },
  },
  {
    name: 'CronJob: min-interval counts from the restartTimestamp on its job template',
    action: 'update',
    live: [patched],
    workload: {
      kind: 'CronJob',
      object: edit(
        annotate(cronJob, { [ANNOTATIONS.configHash]: 'old', [ROLLOUT_ANNOTATIONS.minInterval]: '10m' }),
        (c) =>
          setAt(c, 'spec.jobTemplate.spec.template.metadata.annotations', {
            [ANNOTATIONS.restartTimestamp]: '2026-12-02T16:58:00Z',
          }),
      ),
    },
    expected: { action: 'deferred', reason: /min-interval/ },
  },
  {
    name: 'CronJob: notify mode reports and never stamps the job template',
    action: 'update',
    live: [patched],
    workload: { kind: 'CronJob', object: annotate(cronJob, { [ROLLOUT_ANNOTATIONS.mode]: 'notify' }) },
    expected: { action: 'notified', reason: /notify/ },
    writes: ['metadata.annotations.rolling.restart.controller/configHash', 'metadata.resourceVersion'],
  },
  {
    name: "CronJob: Reloader's auto annotation opts it in, the ConfigMap needs no triggerRestart",
    action: 'update',
    live: [annotate(patched, { [ANNOTATIONS.triggerRestart]: undefined })],
    workload: {
      kind: 'CronJob',
      object: annotate(cronJob, { [ANNOTATIONS.restartOnTrigger]: undefined, [RELOADER.auto]: 'true' }),
    },
    options: { match: 'reference' },
    expected: { action: 'rolled', reason: /no config hash recorded/ },
  },
  {
    name: 'Rollout: an update rolls spec.template, as for a Deployment',
    action: 'update',
    live: [patched],
    workload: { kind: 'Rollout', object: rollout },
    expected: { action: 'rolled', reason: /^no config hash recorded and ConfigMap demo\/helloworld-test was updated$/ },
    writes: TEMPLATE_ROLL,
  },
  {
    name: 'Rollout: the hash changed since it was recorded',
    action: 'update',
    live: [patched],
    workload: { kind: 'Rollout', object: annotate(rollout, { [ANNOTATIONS.configHash]: liveHash(rollout, created) }) },
    expected: { action: 'rolled', reason: /config hash changed/ },
    writes: TEMPLATE_ROLL,
  },
  {
    name: 'Rollout with workloadRef: skipped, naming the Deployment whose template it uses (matched by labels)',
    action: 'update',
    live: [patched],
    workload: { kind: 'Rollout', object: borrowingRollout },
    expected: {
      action: 'skipped',
      reason: /uses Deployment demo\/web-ref's \(spec\.workloadRef\).*opt the Deployment in instead/,
    },
  },
  {
    name: 'Rollout with workloadRef: in reference mode nothing references the ConfigMap, so no decision',
    action: 'update',
    live: [patched],
    workload: { kind: 'Rollout', object: borrowingRollout },
    options: { match: 'reference' },
    expected: 'no decision',
  },
  {
    name: 'Rollout with workloadRef, opted in: a resync reports it skipped rather than passing over it',
    action: 'resync',
    live: [],
    workload: { kind: 'Rollout', object: borrowingRollout },
    options: { match: 'reference' },
    expected: { action: 'skipped', reason: /Deployment demo\/web-ref/ },
  },
];

function decide(c: Case): Plan[] {
  const options = { ...OPTIONS, ...c.options };
  const lookup = new Map(c.live.map((o) => [configKey(ref(o)), o]));
  if (c.action === 'resync') return decideResync([c.workload], lookup, options);
  const target = ref(patched);
  const live = lookup.get(configKey(target)) ?? null;
  const candidates = findCandidates([c.workload], target, { live }, options.match);
  return decideEvent(target, c.action, { live }, candidates, lookup, options);
}

describe('CronJob and Rollout (recorded from kube-apiserver 1.26)', () => {
  it.each(cases)('$name', (c) => {
    const plans = decide(c);
    if (c.expected === 'no decision') {
      expect(plans).toEqual([]);
      return;
    }
    expect(plans).toHaveLength(1);
    const { decision, patch } = plans[0]!;
    expect({ kind: decision.kind, name: decision.name, action: decision.action }).toEqual({
      kind: c.workload.kind,
      name: c.workload.object.metadata!.name,
      action: c.expected.action,
    });
    expect(decision.reason).toMatch(c.expected.reason);
    if (c.writes) expect(pathsOf(patch).sort()).toEqual([...c.writes].sort());
    else if (['unchanged', 'skipped'].includes(c.expected.action)) expect(patch).toBeUndefined();
  });

  it('the patched CronJob keeps its schedule, suspend and everything else; only annotations move', () => {
    for (const object of [cronJob, suspendedCronJob]) {
      const [plan] = decideEvent(
        ref(patched),
        'update',
        { live: patched },
        [{ kind: 'CronJob', object }],
        new Map(),
        OPTIONS,
      );
      const after = applyMergePatch(object, plan!.patch) as KubeObject;
      expect(at(after, 'spec.schedule')).toBe(at(object, 'spec.schedule'));
      expect(at(after, 'spec.suspend')).toBe(at(object, 'spec.suspend'));
      const stamp = readTemplateStamp(plan!.patch!, 'CronJob');
      expect(at(after, 'spec.jobTemplate.spec.template.metadata.annotations')).toEqual(stamp);
      // strip what the patch set: the rest of the object is exactly what it was
      const strip = (o: KubeObject) => {
        const c = structuredClone(o);
        delete c.metadata!.annotations![ANNOTATIONS.configHash];
        delete (at(c, 'spec.jobTemplate.spec.template.metadata') as Record<string, unknown>).annotations;
        return c;
      };
      expect(strip(after)).toEqual(strip(object));
    }
  });

  it('explain reads the job template: references, last rollout, and a workloadRef Rollout as blocked', () => {
    const rolled = edit(cronJob, (c) => {
      c.metadata!.annotations![ANNOTATIONS.configHash] = liveHash(cronJob, patched);
      setAt(c, 'spec.jobTemplate.spec.template.metadata.annotations', {
        [ANNOTATIONS.restartTimestamp]: '2026-12-02T16:00:00Z',
      });
    });
    const lookup = new Map([[configKey(ref(patched)), patched]]);
    const cj = explainWorkload({ kind: 'CronJob', object: rolled }, lookup, [], OPTIONS);
    expect(cj.configs.map((c) => [c.name, c.via])).toEqual([
      [
        'helloworld-test',
        ['pod spec containers[report].envFrom[0].configMapRef', 'label match app=helloworld,env=test'],
      ],
    ]);
    expect(cj.lastRollout).toBe('2026-12-02T16:00:00Z');
    expect(cj.state).toBe('in sync');

    const ro = explainWorkload({ kind: 'Rollout', object: borrowingRollout }, lookup, [], OPTIONS);
    expect(ro.state).toBe('blocked');
    expect(ro.nextResync?.reason ?? ro.nextEvent?.reason).toMatch(/Deployment demo\/web-ref/);
  });
});
