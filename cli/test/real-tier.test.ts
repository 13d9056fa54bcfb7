// `reroll explain` / `reroll status` on a real kube-apiserver, as a ServiceAccount that may only get
// and list: each state (not recorded yet, in sync, rollout due, deferred until …, notify-only and
// notification due) reached by the restart function's reconciler, and the apiserver's audit log
// shows the CLI's identity made no request but get/list (and none was refused).
import { createClientNodePort } from '@reroll/restart/kube';
import { Reconciler } from '@reroll/restart/reconcile';
import { describeRealTier, useControlPlane } from '@reroll/envtest/vitest';
import type { KubeConfig } from '@kubernetes/client-node';
import { beforeAll, expect, it } from 'vitest';
import { runCaptured } from './helpers/run-captured';

const TRIGGER = 'rolling.restart.controller/triggerRestart';
const OPT_IN = 'rolling.restart.controller/restartOnTrigger';

describeRealTier('reroll explain / status', () => {
  const cp = useControlPlane();
  let ns = '';
  let reader: KubeConfig;
  let reconciler: Reconciler;
  let clock = new Date();
  const cliUser = () => `system:serviceaccount:${ns}:reroll-cli`;

  const deployment = (name: string, annotations: Record<string, string> = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns, labels: { app: name }, annotations: { [OPT_IN]: 'true', ...annotations } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [{ name: 'app', image: 'reroll/hello:0.1.0', envFrom: [{ configMapRef: { name: 'cfg' } }] }],
        },
      },
    },
  });

  async function apply(objects: object[]): Promise<void> {
    await cp.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }),
    });
  }

  const cli = (...argv: string[]) => runCaptured(reader, [...argv, '-n', ns], { namespace: ns, now: () => clock });
  const stateOf = (table: string, name: string) =>
    table
      .split('\n')
      .find((l) => l.split(/\s+/)[1] === name)
      ?.split(/ {3,}/)[3];

  beforeAll(async () => {
    ns = await cp.createNamespace('cli');
    await apply([
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reroll-cli', namespace: ns } },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'reroll-cli', namespace: ns },
        rules: [
          { apiGroups: [''], resources: ['configmaps', 'secrets'], verbs: ['get', 'list'] },
          { apiGroups: ['apps'], resources: ['deployments', 'statefulsets', 'daemonsets'], verbs: ['get', 'list'] },
          { apiGroups: ['serving.knative.dev'], resources: ['services'], verbs: ['get', 'list'] },
          { apiGroups: ['batch'], resources: ['cronjobs'], verbs: ['get', 'list'] },
          { apiGroups: ['argoproj.io'], resources: ['rollouts'], verbs: ['get', 'list'] },
        ],
      },
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'RoleBinding',
        metadata: { name: 'reroll-cli', namespace: ns },
        roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reroll-cli' },
        subjects: [{ kind: 'ServiceAccount', name: 'reroll-cli', namespace: ns }],
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'cfg', namespace: ns, annotations: { [TRIGGER]: 'true' } },
        data: { message: 'one' },
      },
      deployment('plain'),
      deployment('paced', { 'reroll.dev/min-interval': '1h' }),
      deployment('watcher', { 'reroll.dev/mode': 'notify' }),
    ]);
    reader = cp.kubeConfigFor(await cp.tokenFor(ns, 'reroll-cli'), ns);
    reconciler = new Reconciler({
      port: createClientNodePort({ kubeConfig: cp.kubeConfig }),
      settings: { namespaces: [ns], excludeNamespaces: [], match: 'reference', onDelete: 'ignore', dryRun: false },
      now: () => clock,
    });
  });

  it('walks every state with a read-only identity; the audit log shows only get/list by it', async () => {
    let s = await cli('status', '--match', 'reference');
    expect(s.err).toBe(''); // no kind failed to list: Knative Services are absent (404), not forbidden
    expect(stateOf(s.out, 'plain')).toBe('not recorded yet');

    await reconciler.resync();
    s = await cli('status', '--match', 'reference');
    expect(stateOf(s.out, 'plain')).toBe('in sync');
    expect(stateOf(s.out, 'watcher')).toBe('notify-only');
    expect((await cli('explain', 'deployment/plain', '--match', 'reference')).code).toBe(0);

    await cp.kubectl(['patch', 'configmap', 'cfg', '-n', ns, '--type', 'merge', '-p', '{"data":{"message":"two"}}']);
    const due = await cli('explain', 'deployment/plain', '--match', 'reference');
    expect(due.code).toBe(1);
    expect(due.out).toMatch(/State:\s+rollout due/);
    expect(due.out).toContain('used by: pod spec containers[app].envFrom[0].configMapRef');
    s = await cli('status', '--match', 'reference', '-o', 'json');
    expect(
      Object.fromEntries(
        (JSON.parse(s.out) as { items: Array<{ name: string; state: string }> }).items.map((i) => [i.name, i.state]),
      ),
    ).toEqual({ paced: 'rollout due', plain: 'rollout due', watcher: 'notification due' });

    await reconciler.reconcileConfig({ ref: { kind: 'ConfigMap', namespace: ns, name: 'cfg' }, action: 'update' });
    clock = new Date(clock.getTime() + 5 * 60_000);
    await cp.kubectl(['patch', 'configmap', 'cfg', '-n', ns, '--type', 'merge', '-p', '{"data":{"message":"three"}}']);
    s = await cli('status', '--match', 'reference');
    expect(stateOf(s.out, 'paced')).toMatch(/^deferred until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(stateOf(s.out, 'watcher')).toBe('notification due');
    expect(stateOf(s.out, 'plain')).toBe('rollout due');

    const mine = (await cp.auditEvents()).filter((e) => e.user?.username === cliUser());
    expect(mine.length).toBeGreaterThan(0);
    expect([...new Set(mine.map((e) => e.verb))].sort()).toEqual(['get', 'list']);
    expect(mine.filter((e) => e.responseStatus?.code === 403)).toEqual([]);
  });

  it('a Reloader reload pattern: explain names the annotation and the config it matches, as the function then rolls', async () => {
    const base = deployment('lists');
    // no seed 001 opt-in and no reference: only the reload pattern ties it to a config
    const annotations: Record<string, string> = { 'configmap.reloader.stakater.com/reload': 'cfg-.*' };
    const lists = { ...base, metadata: { ...base.metadata, annotations } };
    lists.spec.template.spec.containers[0]!.envFrom = [];
    await apply([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg-extra', namespace: ns }, data: { flag: 'on' } },
      lists,
    ]);
    const before = await cli('explain', 'deployment/lists', '--match', 'reference');
    expect(before.err).toBe('');
    expect(before.out).toContain('Opted in:       yes, by configmap.reloader.stakater.com/reload: "cfg-.*"');
    expect(before.out).toContain('  ConfigMap cfg-extra: counts');
    expect(before.out).toContain(
      '    because: named by configmap.reloader.stakater.com/reload (item "cfg-.*", matched as ^…$)',
    );
    expect(before.out).toMatch(/Next event:\s+rolled \(update of ConfigMap cfg-extra\)/);

    const result = await reconciler.reconcileConfig({
      ref: { kind: 'ConfigMap', namespace: ns, name: 'cfg-extra' },
      action: 'update',
    });
    expect(result.decisions.find((d) => d.name === 'lists')).toMatchObject({ action: 'rolled' });
    expect((await cli('explain', 'deployment/lists', '--match', 'reference')).out).toMatch(/State:\s+in sync/);

    // listing the ConfigMaps a pattern may name is still a read: get/list only, none refused
    const mine = (await cp.auditEvents()).filter((e) => e.user?.username === cliUser());
    expect([...new Set(mine.map((e) => e.verb))].sort()).toEqual(['get', 'list']);
    expect(mine.filter((e) => e.responseStatus?.code === 403)).toEqual([]);
  });
});
