// `reroll explain cronjob/x`, `explain rollout/x` and their `status` rows, against the emulator with
// and without Argo Rollouts installed; states reached by the restart function's own reconciler.
import { KubeConfig } from '@kubernetes/client-node';
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import { createClientNodePort } from '@reroll/restart/kube';
import { Reconciler } from '@reroll/restart/reconcile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseWorkloadArg } from '../src/parse-workload-arg';
import { runCaptured, type CliRun } from './helpers/run-captured';

const NS = 'demo';
const OPT_IN = 'rolling.restart.controller/restartOnTrigger';
const container = {
  name: 'job',
  image: 'reroll/hello:0.1.0',
  env: [{ name: 'MESSAGE', valueFrom: { configMapKeyRef: { name: 'hello-config', key: 'message' } } }],
};
const meta = (name: string) => ({ name, namespace: NS, annotations: { [OPT_IN]: 'true' } });
const SEED = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'hello-config',
      namespace: NS,
      annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
    },
    data: { message: 'one' },
  },
  {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta('nightly'),
    spec: {
      schedule: '0 3 * * *',
      suspend: true,
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [container] } } } },
    },
  },
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: meta('web'),
    spec: { replicas: 2, template: { spec: { containers: [container] } } },
  },
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: meta('web-ref'),
    spec: { replicas: 2, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-ref' } },
  },
];

async function cli(emulator: Emulator, ...argv: string[]): Promise<CliRun> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(emulator.kubeconfigPath);
  emulator.clearRequests();
  const run = await runCaptured(kubeConfig, argv, { namespace: NS, now: () => new Date('2026-12-02T17:00:00Z') });
  expect(emulator.requests().filter((r) => !['get', 'list', 'watch'].includes(r.verb))).toEqual([]);
  return run;
}

describe('kubectl-style kind names', () => {
  it.each([
    ['cronjob/x', 'CronJob'],
    ['cj/x', 'CronJob'],
    ['cronjobs.batch/x', 'CronJob'],
    ['job/x', undefined],
    ['cronjob.batch/x', 'CronJob'],
    ['rollout/x', 'Rollout'],
    ['ro/x', 'Rollout'],
    ['rollouts.argoproj.io/x', 'Rollout'],
  ])('%s', (arg, kind) => {
    const parsed = parseWorkloadArg(arg);
    expect(parsed.ok ? parsed.kind : undefined).toBe(kind);
  });
});

describe('reroll explain / status for CronJobs and Rollouts', () => {
  let emulator: Emulator;
  let reconciler: Reconciler;

  beforeAll(async () => {
    emulator = await startEmulator({ crds: ['rollouts.argoproj.io'] });
    emulator.seed(SEED);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(emulator.kubeconfigPath);
    reconciler = new Reconciler({
      port: createClientNodePort({ kubeConfig }),
      settings: { namespaces: [NS], excludeNamespaces: [], match: 'both', onDelete: 'ignore', dryRun: false },
      now: () => new Date('2026-12-02T16:00:00Z'),
    });
    await reconciler.resync();
    const res = await fetch(`${emulator.url}/api/v1/namespaces/${NS}/configmaps/hello-config`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ data: { message: 'two' } }),
    });
    expect(res.status).toBe(200);
  }, 60_000);
  afterAll(() => emulator?.stop());

  it('explain cronjob/nightly: its job template is read, a rollout is due and it stays suspended', async () => {
    const r = await cli(emulator, 'explain', 'cronjob/nightly');
    expect(r.code).toBe(1);
    expect(r.out).toContain('Workload:       CronJob demo/nightly');
    expect(r.out).toContain('    used by: pod spec containers[job].env[MESSAGE].valueFrom.configMapKeyRef');
    expect(r.out).toMatch(/Next event:\s+rolled \(update of ConfigMap hello-config\): config hash changed .*suspended/);
    expect(r.out).toMatch(/State:\s+rollout due/);
  });

  it('explain ro/web is due; explain rollout/web-ref is blocked and says which Deployment to opt in', async () => {
    const web = await cli(emulator, 'explain', 'ro/web');
    expect(web.code).toBe(1);
    expect(web.out).toMatch(/State:\s+rollout due/);
    const ref = await cli(emulator, 'explain', 'rollout/web-ref');
    expect(ref.code).toBe(0);
    expect(ref.out).toMatch(
      /Next resync:\s+skipped: Rollout has no pod template of its own: it uses Deployment demo\/web-ref/,
    );
    expect(ref.out).toMatch(/State:\s+blocked/);
  });

  it('status has a row per kind, named as kubectl names them', async () => {
    const s = await cli(emulator, 'status');
    expect(s.code).toBe(0);
    const rows = s.out
      .split('\n')
      .slice(1)
      .map((l) => l.split(/ {3,}/).slice(0, 4));
    expect(rows).toEqual([
      ['CronJob', 'nightly', 'ConfigMap/hello-config', 'rollout due'],
      ['Rollout', 'web', 'ConfigMap/hello-config', 'rollout due'],
      ['Rollout', 'web-ref', '<none>', 'blocked'],
    ]);
  });

  it('without Argo Rollouts installed, status lists the rest and warns about nothing', async () => {
    const bare = await startEmulator();
    try {
      bare.seed(SEED.filter((o) => o.kind !== 'Rollout'));
      const s = await cli(bare, 'status');
      expect(s.code).toBe(0);
      expect(s.err).toBe('');
      expect(
        s.out
          .split('\n')
          .slice(1)
          .map((l) => l.split(/ {3,}/)[0]),
      ).toEqual(['CronJob']);
      expect(
        bare
          .requests()
          .filter((r) => r.resource === 'rollouts')
          .map((r) => r.status),
      ).toEqual([404]);
    } finally {
      await bare.stop();
    }
  });
});
