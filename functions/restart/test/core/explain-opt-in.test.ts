// The pure core's reasons: which rule makes a config count for a workload (the same function the
// decisions use, so the reason can never disagree with what happens), and which annotations opt a
// workload in, including configs that are gone (null), which only the workload's annotations decide.
import { describe, expect, it } from 'vitest';
import { explainConfigCount, explainOptIn } from '../../src/core/explain-opt-in';
import { configCountsFor, findCountRule, type ConfigCount } from '../../src/core/match-workload';
import type { ConfigKind, KubeObject } from '../../src/core/types';
import { makeWorkload } from '../helpers/workloads';

function workload(annotations: Record<string, string>, uses: Array<[ConfigKind, string]>, optIn = false) {
  const envFrom = uses.map(([kind, name]) =>
    kind === 'ConfigMap' ? { configMapRef: { name } } : { secretRef: { name } },
  );
  return makeWorkload({
    name: 'app',
    namespace: 'demo',
    optIn,
    annotations,
    podSpec: { containers: [{ name: 'c', image: 'app:1', envFrom }] },
  });
}

const cm = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'demo', annotations },
  data: { A: '1' },
});

interface Case {
  name: string;
  workload: KubeObject;
  config: { kind: ConfigKind; name: string; live: KubeObject | null };
  count: ConfigCount;
  why: RegExp;
}

const cases: Case[] = [
  {
    name: 'seed 001: triggerRestart on the config',
    workload: workload({}, [['ConfigMap', 'cfg']], true),
    config: {
      kind: 'ConfigMap',
      name: 'cfg',
      live: cm('cfg', { 'rolling.restart.controller/triggerRestart': 'true' }),
    },
    count: { counts: true, rule: 'trigger-restart' },
    why: /^it carries rolling\.restart\.controller\/triggerRestart: "true"/,
  },
  {
    name: 'seed 001: a gone config counts, as absent',
    workload: workload({}, [['ConfigMap', 'cfg']], true),
    config: { kind: 'ConfigMap', name: 'cfg', live: null },
    count: { counts: true, rule: 'missing' },
    why: /a missing config counts as absent/,
  },
  {
    name: 'seed 001: a config without triggerRestart does not count',
    workload: workload({}, [['ConfigMap', 'cfg']], true),
    config: { kind: 'ConfigMap', name: 'cfg', live: cm('cfg') },
    count: { counts: false, rule: 'not-selected' },
    why: /has no rolling\.restart\.controller\/triggerRestart: "true" annotation$/,
  },
  {
    name: 'Reloader auto, referenced',
    workload: workload({ 'reloader.stakater.com/auto': 'true' }, [['ConfigMap', 'cfg']]),
    config: { kind: 'ConfigMap', name: 'cfg', live: cm('cfg') },
    count: { counts: true, rule: 'auto' },
    why: /uses it and the workload has reloader\.stakater\.com\/auto: "true"$/,
  },
  {
    name: 'Reloader auto, referenced and gone: still follows it',
    workload: workload({ 'reloader.stakater.com/auto': 'true' }, [['ConfigMap', 'cfg']]),
    config: { kind: 'ConfigMap', name: 'cfg', live: null },
    count: { counts: true, rule: 'auto' },
    why: /reloader\.stakater\.com\/auto/,
  },
  {
    name: 'Reloader auto, not referenced',
    workload: workload({ 'reloader.stakater.com/auto': 'true' }, [['ConfigMap', 'cfg']]),
    config: { kind: 'ConfigMap', name: 'other', live: cm('other') },
    count: { counts: false, rule: 'not-selected' },
    why: /is not selected by the workload's Reloader annotations$/,
  },
  {
    name: 'typed auto of the other kind',
    workload: workload({ 'secret.reloader.stakater.com/auto': 'true' }, [['ConfigMap', 'cfg']]),
    config: { kind: 'ConfigMap', name: 'cfg', live: cm('cfg') },
    count: { counts: false, rule: 'not-selected' },
    why: /not selected/,
  },
  {
    name: 'reload list pattern, not referenced',
    workload: workload({ 'configmap.reloader.stakater.com/reload': 'web-.*' }, []),
    config: { kind: 'ConfigMap', name: 'web-1', live: cm('web-1') },
    count: { counts: true, rule: 'reload-list' },
    why: /item "web-\.\*"/,
  },
  {
    name: 'a reload pattern is anchored: no partial match',
    workload: workload({ 'configmap.reloader.stakater.com/reload': 'web' }, []),
    config: { kind: 'ConfigMap', name: 'web-1', live: cm('web-1') },
    count: { counts: false, rule: 'not-selected' },
    why: /not selected/,
  },
  {
    name: 'search, referenced, match on the config',
    workload: workload({ 'reloader.stakater.com/search': 'true' }, [['ConfigMap', 'cfg']]),
    config: { kind: 'ConfigMap', name: 'cfg', live: cm('cfg', { 'reloader.stakater.com/match': 'true' }) },
    count: { counts: true, rule: 'search' },
    why: /carries reloader\.stakater\.com\/match: "true"/,
  },
  {
    name: 'search, referenced and gone: followed (its match cannot be read)',
    workload: workload({ 'reloader.stakater.com/search': 'true' }, [['ConfigMap', 'cfg']]),
    config: { kind: 'ConfigMap', name: 'cfg', live: null },
    count: { counts: true, rule: 'search' },
    why: /^the pod template uses it and the workload has reloader\.stakater\.com\/search: "true"$/,
  },
  {
    name: 'ignore wins over a reload list',
    workload: workload({ 'configmap.reloader.stakater.com/reload': 'cfg' }, []),
    config: { kind: 'ConfigMap', name: 'cfg', live: cm('cfg', { 'reloader.stakater.com/ignore': 'true' }) },
    count: { counts: false, rule: 'ignored' },
    why: /carries reloader\.stakater\.com\/ignore: "true"/,
  },
];

describe('why a config counts', () => {
  it.each(cases)('$name', (c) => {
    const count = findCountRule(c.workload, c.config, c.config.live);
    expect(count).toEqual(c.count);
    expect(configCountsFor(c.workload, c.config, c.config.live)).toBe(c.count.counts);
    const ref = { kind: c.config.kind, namespace: 'demo', name: c.config.name };
    expect(explainConfigCount(c.workload, ref, c.config.live, count)).toMatch(c.why);
  });
});

interface OptInCase {
  annotations: Record<string, string>;
  seed: boolean;
  optedIn: boolean;
  by: string[];
  notes: string[];
}

describe('which annotations opt a workload in', () => {
  it.each<OptInCase>([
    {
      annotations: {},
      seed: true,
      optedIn: true,
      by: ['rolling.restart.controller/restartOnTrigger: "true"'],
      notes: [],
    },
    {
      annotations: { 'rolling.restart.controller/restartOnTrigger': 'yes' },
      seed: false,
      optedIn: false,
      by: [],
      notes: ['rolling.restart.controller/restartOnTrigger: "yes" is not "true": no opt-in'],
    },
    {
      annotations: { 'reloader.stakater.com/auto': 'false', 'configmap.reloader.stakater.com/reload': 'a' },
      seed: false,
      optedIn: true,
      by: ['configmap.reloader.stakater.com/reload: "a"'],
      notes: [
        'reloader.stakater.com/auto: "false" selects nothing (Reloader\'s opt-out: auto is off, its reload lists still count)',
      ],
    },
    {
      annotations: { 'reloader.stakater.com/search': 'yes' },
      seed: false,
      optedIn: false,
      by: [],
      notes: ['reloader.stakater.com/search: "yes" selects nothing (only "true" turns search on)'],
    },
  ])('$annotations (seed 001: $seed) → opted in $optedIn', ({ annotations, seed, optedIn, by, notes }) => {
    expect(explainOptIn(workload(annotations, [], seed))).toEqual({ optedIn, by, notes });
  });
});
