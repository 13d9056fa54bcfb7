// `reroll explain` says by which annotation a workload opted in (seed 001's, or one of stakater/
// Reloader's) and, for each config, why it counts or why not — against the API emulator, through
// client-node, read-only. Then the prediction is checked against the restart function's reconciler:
// what explain says an event would do is what the function does. And `status` prints a Knative
// Service as kubectl qualifies it, in a form `explain` takes back.
import { KubeConfig } from '@kubernetes/client-node';
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import { createClientNodePort } from '@reroll/restart/kube';
import { Reconciler } from '@reroll/restart/reconcile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaptured, type CliRun } from './helpers/run-captured';

const NS = 'rl';
const TRIGGER = 'rolling.restart.controller/triggerRestart';
const OPT_IN = 'rolling.restart.controller/restartOnTrigger';

type Use = ['ConfigMap' | 'Secret', string];

function deployment(
  name: string,
  annotations: Record<string, string>,
  uses: Use[],
  template: Record<string, string> = {},
) {
  const envFrom = uses.map(([kind, ref]) =>
    kind === 'ConfigMap' ? { configMapRef: { name: ref } } : { secretRef: { name: ref } },
  );
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels, annotations },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: template },
        spec: { containers: [{ name: 'app', image: 'reroll/hello:0.1.0', envFrom }] },
      },
    },
  };
}

const configMap = (name: string, annotations: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: NS, annotations },
  data: { message: `${name} one` },
});

interface Case {
  name: string;
  workload: ReturnType<typeof deployment>;
  /** the Opted in field and the lines under it, as printed */
  optedIn: string[];
  /** `<Kind> <name>: <status>` → its because / why not line */
  configs: Record<string, string>;
  /** a `used by` line explain must print */
  usedBy?: string;
}

const cases: Case[] = [
  {
    name: 'seed 001: restartOnTrigger on the workload, triggerRestart on the config',
    workload: deployment('seed', { [OPT_IN]: 'true' }, [['ConfigMap', 'seed-config']]),
    optedIn: ['Opted in:       yes, by rolling.restart.controller/restartOnTrigger: "true"'],
    configs: {
      'ConfigMap seed-config: counts':
        'because: it carries rolling.restart.controller/triggerRestart: "true" (seed 001)',
    },
  },
  {
    name: 'reloader.stakater.com/auto follows every referenced ConfigMap and Secret, no annotation on them',
    workload: deployment('auto', { 'reloader.stakater.com/auto': 'true' }, [
      ['ConfigMap', 'app-config'],
      ['Secret', 'app-secret'],
    ]),
    optedIn: ['Opted in:       yes, by reloader.stakater.com/auto: "true"'],
    configs: {
      'ConfigMap app-config: counts':
        'because: the pod template uses it and the workload has reloader.stakater.com/auto: "true"',
      'Secret app-secret: counts':
        'because: the pod template uses it and the workload has reloader.stakater.com/auto: "true"',
    },
  },
  {
    name: 'configmap.reloader.stakater.com/auto: ConfigMaps only, the referenced Secret does not count',
    workload: deployment('typed', { 'configmap.reloader.stakater.com/auto': 'true' }, [
      ['ConfigMap', 'app-config'],
      ['Secret', 'app-secret'],
    ]),
    optedIn: ['Opted in:       yes, by configmap.reloader.stakater.com/auto: "true"'],
    configs: {
      'ConfigMap app-config: counts':
        'because: the pod template uses it and the workload has configmap.reloader.stakater.com/auto: "true"',
      'Secret app-secret: does not count: its changes never roll this workload':
        "why not: Secret rl/app-secret is not selected by the workload's Reloader annotations",
    },
  },
  {
    name: 'secret.reloader.stakater.com/auto on the pod template (Reloader reads it there when the workload has none)',
    workload: deployment('on-template', {}, [['Secret', 'app-secret']], {
      'secret.reloader.stakater.com/auto': 'true',
    }),
    optedIn: [
      'Opted in:       yes, by secret.reloader.stakater.com/auto: "true" (on the pod template, where Reloader looks when the workload has none)',
    ],
    configs: {
      'Secret app-secret: counts':
        'because: the pod template uses it and the workload has secret.reloader.stakater.com/auto: "true"',
    },
  },
  {
    name: 'reload lists: a plain name and a pattern, nothing referenced',
    workload: deployment(
      'lists',
      {
        'configmap.reloader.stakater.com/reload': 'app-config, app-extra-.*',
        'secret.reloader.stakater.com/reload': 'app-secret',
      },
      [],
    ),
    optedIn: [
      'Opted in:       yes, by configmap.reloader.stakater.com/reload: "app-config, app-extra-.*"',
      '                and by secret.reloader.stakater.com/reload: "app-secret"',
    ],
    configs: {
      'ConfigMap app-config: counts':
        'because: named by configmap.reloader.stakater.com/reload (item "app-config", matched as ^…$)',
      'ConfigMap app-extra-1: counts':
        'because: named by configmap.reloader.stakater.com/reload (item "app-extra-.*", matched as ^…$)',
      'Secret app-secret: counts':
        'because: named by secret.reloader.stakater.com/reload (item "app-secret", matched as ^…$)',
    },
    usedBy: '    used by: configmap.reloader.stakater.com/reload item "app-extra-.*"',
  },
  {
    name: 'search + match: only the referenced config carrying reloader.stakater.com/match counts',
    workload: deployment('search', { 'reloader.stakater.com/search': 'true' }, [
      ['ConfigMap', 'matched'],
      ['ConfigMap', 'unmatched'],
    ]),
    optedIn: ['Opted in:       yes, by reloader.stakater.com/search: "true"'],
    configs: {
      'ConfigMap matched: counts':
        'because: the pod template uses it, it carries reloader.stakater.com/match: "true" and the workload has reloader.stakater.com/search: "true"',
      'ConfigMap unmatched: does not count: its changes never roll this workload':
        "why not: ConfigMap rl/unmatched is not selected by the workload's Reloader annotations",
    },
  },
  {
    name: 'auto "false" alone: Reloader\'s opt-out, not opted in',
    workload: deployment('opted-out', { 'reloader.stakater.com/auto': 'false' }, [['ConfigMap', 'app-config']]),
    optedIn: [
      'Opted in:       no (add rolling.restart.controller/restartOnTrigger: "true", or a Reloader annotation that selects configs)',
      '                note: reloader.stakater.com/auto: "false" selects nothing (Reloader\'s opt-out: auto is off, its reload lists still count)',
    ],
    configs: {
      'ConfigMap app-config: does not count: its changes never roll this workload':
        'why not: ConfigMap rl/app-config has no rolling.restart.controller/triggerRestart: "true" annotation',
    },
  },
  {
    name: 'auto "false" beside seed 001\'s opt-in: seed 001 still decides',
    workload: deployment('both-off', { [OPT_IN]: 'true', 'reloader.stakater.com/auto': 'false' }, [
      ['ConfigMap', 'seed-config'],
      ['ConfigMap', 'app-config'],
    ]),
    optedIn: [
      'Opted in:       yes, by rolling.restart.controller/restartOnTrigger: "true"',
      '                note: reloader.stakater.com/auto: "false" selects nothing (Reloader\'s opt-out: auto is off, its reload lists still count)',
    ],
    configs: {
      'ConfigMap seed-config: counts':
        'because: it carries rolling.restart.controller/triggerRestart: "true" (seed 001)',
      'ConfigMap app-config: does not count: its changes never roll this workload':
        'why not: ConfigMap rl/app-config has no rolling.restart.controller/triggerRestart: "true" annotation',
    },
  },
  {
    name: 'reloader.stakater.com/ignore on a config wins over auto',
    workload: deployment('ignoring', { 'reloader.stakater.com/auto': 'true' }, [
      ['ConfigMap', 'app-config'],
      ['ConfigMap', 'ignored'],
    ]),
    optedIn: ['Opted in:       yes, by reloader.stakater.com/auto: "true"'],
    configs: {
      'ConfigMap app-config: counts':
        'because: the pod template uses it and the workload has reloader.stakater.com/auto: "true"',
      'ConfigMap ignored: does not count: its changes never roll this workload':
        'why not: it carries reloader.stakater.com/ignore: "true": it never rolls anything',
    },
  },
  {
    name: 'seed 001 and a Reloader list together; an invalid list item is named',
    workload: deployment('mixed', { [OPT_IN]: 'true', 'configmap.reloader.stakater.com/reload': 'app-config,app-(' }, [
      ['ConfigMap', 'seed-config'],
    ]),
    optedIn: [
      'Opted in:       yes, by rolling.restart.controller/restartOnTrigger: "true"',
      '                and by configmap.reloader.stakater.com/reload: "app-config,app-("',
      '                note: reload item "app-(" is not a valid regular expression: ignored',
    ],
    configs: {
      'ConfigMap seed-config: counts':
        'because: it carries rolling.restart.controller/triggerRestart: "true" (seed 001)',
      'ConfigMap app-config: counts':
        'because: named by configmap.reloader.stakater.com/reload (item "app-config", matched as ^…$)',
    },
  },
];

let emulator: Emulator;
let kubeConfig: KubeConfig;
const clock = new Date('2026-12-02T09:00:00Z');

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.seed([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    configMap('seed-config', { [TRIGGER]: 'true' }),
    configMap('app-config'),
    configMap('app-extra-1'),
    configMap('unrelated'),
    configMap('matched', { 'reloader.stakater.com/match': 'true' }),
    configMap('unmatched'),
    configMap('ignored', { 'reloader.stakater.com/ignore': 'true' }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'app-secret', namespace: NS }, data: { token: 'b25l' } },
    ...cases.map((c) => c.workload),
    {
      apiVersion: 'serving.knative.dev/v1',
      kind: 'Service',
      metadata: { name: 'hello', namespace: NS, annotations: { [OPT_IN]: 'true' } },
      spec: {
        template: {
          spec: { containers: [{ image: 'reroll/hello:0.1.0', envFrom: [{ configMapRef: { name: 'seed-config' } }] }] },
        },
      },
    },
  ]);
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(emulator.kubeconfigPath);
}, 60_000);
afterAll(() => emulator?.stop());

async function cli(...argv: string[]): Promise<CliRun> {
  emulator.clearRequests();
  const run = await runCaptured(kubeConfig, argv, { namespace: NS, now: () => clock });
  expect(emulator.requests().filter((r) => !['get', 'list', 'watch'].includes(r.verb))).toEqual([]);
  return run;
}

/** The lines of one field: its own and those indented under it. */
function fieldLines(out: string, label: string): string[] {
  const lines = out.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${label}:`));
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && !l.startsWith(' '.repeat(16)));
  return lines.slice(start, end < 0 ? undefined : end);
}

/** `<Kind> <name>: <status>` → the line under it saying why. */
function configReasons(out: string): Record<string, string> {
  const lines = out.split('\n');
  const reasons: Record<string, string> = {};
  lines.forEach((l, i) => {
    if (/^ {2}\S/.test(l)) reasons[l.trim()] = lines[i + 1]?.trim() ?? '';
  });
  return reasons;
}

describe('reroll explain: which annotation opted in, and why each config counts', () => {
  it.each(cases)('$name', async (c) => {
    const r = await cli('explain', `deployment/${c.workload.metadata.name}`);
    expect(r.err).toBe('');
    expect(fieldLines(r.out, 'Opted in')).toEqual(c.optedIn);
    expect(configReasons(r.out)).toEqual(c.configs);
    if (c.usedBy) expect(r.out.split('\n')).toContain(c.usedBy);
  });

  it('-o json carries the same: each opt-in annotation, the notes, and counts + why per config', async () => {
    const r = await cli('explain', 'deployment/both-off', '-o', 'json');
    const json = JSON.parse(r.out) as {
      optedInBy: string;
      optIn: { optedIn: boolean; by: string[]; notes: string[] };
      configs: Array<{ kind: string; name: string; counts: boolean; why: string }>;
    };
    expect(json.optedInBy).toBe('rolling.restart.controller/restartOnTrigger: "true"');
    expect(json.optIn).toEqual({
      optedIn: true,
      by: ['rolling.restart.controller/restartOnTrigger: "true"'],
      notes: [
        'reloader.stakater.com/auto: "false" selects nothing (Reloader\'s opt-out: auto is off, its reload lists still count)',
      ],
    });
    expect(json.configs.map((c) => [c.name, c.counts])).toEqual([
      ['app-config', false],
      ['seed-config', true],
    ]);
    expect(json.configs[0]!.why).toContain('no rolling.restart.controller/triggerRestart');
    const out = JSON.parse((await cli('explain', 'deployment/opted-out', '-o', 'json')).out) as {
      optedInBy?: string;
      optIn: { optedIn: boolean; by: string[] };
      state: string;
    };
    expect(out).toMatchObject({ optIn: { optedIn: false, by: [] }, state: 'not opted in' });
    expect(out.optedInBy).toBeUndefined();
  });

  it('status lists the Reloader-opted workloads, not the opted-out one; the ksvc as kubectl qualifies it', async () => {
    const s = await cli('status');
    const rows = s.out.split('\n').slice(1);
    const names = rows.map((l) => l.split(/\s+/)[1]);
    expect(names).toEqual(expect.arrayContaining(['auto', 'typed', 'on-template', 'lists', 'search', 'ignoring']));
    expect(names).not.toContain('opted-out');
    const ksvc = rows.find((l) => l.split(/\s+/)[1] === 'hello');
    expect(ksvc?.split(/\s+/)[0]).toBe('Service.serving.knative.dev');
    // what status prints is what explain takes back
    const back = await cli('explain', `${ksvc!.split(/\s+/)[0]}/hello`);
    expect(back.code).toBe(0);
    expect(back.out.split('\n')[0]).toBe('Workload:       Service.serving.knative.dev rl/hello');
    expect((await cli('explain', 'ksvc/nope')).err).toBe('error: Service.serving.knative.dev rl/nope not found');
  });
});

describe("explain's prediction for a Reloader reload pattern is what the function then does", () => {
  let reconciler: Reconciler;
  beforeAll(() => {
    reconciler = new Reconciler({
      port: createClientNodePort({ kubeConfig }),
      settings: { namespaces: [NS], excludeNamespaces: [], match: 'reference', onDelete: 'ignore', dryRun: false },
      now: () => clock,
    });
  });
  const explainLists = () => cli('explain', 'deployment/lists', '--match', 'reference');
  const change = async (name: string, message: string) => {
    const res = await fetch(`${emulator.url}/api/v1/namespaces/${NS}/configmaps/${name}`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ data: { message } }),
    });
    expect(res.status).toBe(200);
  };
  const decisionFor = async (name: string) =>
    (
      await reconciler.reconcileConfig({ ref: { kind: 'ConfigMap', namespace: NS, name }, action: 'update' })
    ).decisions.find((d) => d.name === 'lists');

  it('after the first resync: in sync; an unnamed ConfigMap changing leaves it so', async () => {
    await reconciler.resync();
    expect((await explainLists()).out).toMatch(/State:\s+in sync/);
    await change('unrelated', 'two');
    expect(await decisionFor('unrelated')).toBeUndefined();
    expect((await explainLists()).code).toBe(0);
  });

  it('the ConfigMap its plain name lists changes: explain says rolled, the function rolls, then in sync', async () => {
    await change('app-config', 'two');
    const before = await explainLists();
    expect(before.code).toBe(1);
    expect(before.out).toMatch(/Next event:\s+rolled \(update of ConfigMap app-config\): config hash changed/);
    expect(await decisionFor('app-config')).toMatchObject({ action: 'rolled' });
    expect((await explainLists()).out).toMatch(/State:\s+in sync/);
    expect(await decisionFor('app-config')).toMatchObject({ action: 'unchanged' }); // a replay rolls nothing
  });
});
