// Least privilege: the emulator enforces RBAC from the manifests in knative/ (rendered like
// `kubectl apply -k knative/` would apply them), and the real restart function runs with a kubeconfig
// presenting its ServiceAccount's token. It reconciles and rolls every kind as usual with exactly that
// RBAC (CronJobs and Argo Rollouts included), never needs a verb it lacks, and when one verb is taken away (patch on deployments) the event
// is answered 200 with a `failed` decision naming 403: no crash, the other kinds still roll.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { RESOURCE_TABLE, type Emulator, type KObject } from '@reroll/local/emulator';
import { createDeliverer } from './helpers/deliver-events';
import { apiServerEvent, decisionsOf, resyncEvent } from './helpers/events';
import { startCluster, startRestart, type RunningRestart } from './helpers/restart-under-test';
import { makeConfigMap, makeWorkloadObject, OPT_IN, TRIGGER, WORKLOAD_KINDS } from './helpers/storm-cluster';

const KNATIVE_DIR = fileURLToPath(new URL('../../knative/', import.meta.url));
const NS = 'reroll-demo';
const USER = `system:serviceaccount:${NS}:reroll-restart`;
const CONFIGMAPS = RESOURCE_TABLE.find((t) => t.group === '' && t.kind === 'ConfigMap')!;
const ROLES = RESOURCE_TABLE.find((t) => t.kind === 'Role')!;
const RBAC_KINDS = ['Namespace', 'ServiceAccount', 'Role', 'RoleBinding', 'ClusterRole', 'ClusterRoleBinding'];

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs?: string[];
  resourceNames?: string[];
}

/** `kubectl kustomize knative/` when kubectl is there; else the restart RBAC file with the kustomization's namespace. */
function renderRbac(): KObject[] {
  let text: string;
  try {
    text = execFileSync('kubectl', ['kustomize', KNATIVE_DIR], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    text = readFileSync(`${KNATIVE_DIR}11-rbac-restart.yaml`, 'utf8');
  }
  return parseAllDocuments(text)
    .map((d) => d.toJSON() as KObject)
    .filter((o) => o && RBAC_KINDS.includes(String(o.kind)))
    .map((o) =>
      o.kind === 'Namespace' || o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding' || o.metadata.namespace
        ? o
        : { ...o, metadata: { ...o.metadata, namespace: NS } },
    );
}

let emulator: Emulator;
let restart: RunningRestart;
let rbac: KObject[];
let role: KObject;

beforeAll(async () => {
  // a cluster with Argo Rollouts: the Role's rollouts rule is exercised, not just present
  emulator = await startCluster({ authorization: 'rbac', tls: false, crds: ['rollouts.argoproj.io'] });
  rbac = renderRbac();
  role = rbac.find((o) => o.kind === 'Role' && o.metadata.name === 'reroll-restart')!;
  expect(role, 'knative/ renders the reroll-restart Role').toBeDefined();
  const podSpec = {
    containers: [
      {
        name: 'a',
        image: 'reroll/hello:0.1.0',
        envFrom: [{ configMapRef: { name: 'cm-0' } }],
        env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }],
      },
    ],
  };
  emulator.seed([
    ...rbac,
    makeConfigMap(NS, 0, { k0: 'one' }),
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db', namespace: NS, annotations: { [TRIGGER]: 'true' } },
      data: { password: Buffer.from('pw-1').toString('base64') },
    },
    ...WORKLOAD_KINDS.map((kind) =>
      makeWorkloadObject(
        kind,
        NS,
        `app-${kind.toLowerCase()}`,
        { app: `app-${kind.toLowerCase()}`, env: 'test' },
        podSpec,
      ),
    ),
    // CronJob (its job template) and Argo Rollout, beside the storm's four kinds
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: { name: 'app-cronjob', namespace: NS, annotations: { [OPT_IN]: 'true' } },
      spec: {
        schedule: '0 3 * * *',
        jobTemplate: { spec: { template: { spec: { ...podSpec, restartPolicy: 'Never' } } } },
      },
    },
    // an Argo Rollout has a Deployment's spec shape
    {
      ...makeWorkloadObject('Deployment', NS, 'app-rollout', { app: 'app-rollout', env: 'test' }, podSpec),
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Rollout',
    },
  ]);
  const kubeconfigPath = await emulator.writeKubeconfig({ user: USER, namespace: NS });
  restart = await startRestart(emulator, { namespaces: [NS], kubeconfigPath });
});

afterAll(async () => {
  await restart?.stop();
  await emulator?.stop();
});

function changeConfigMap(value: string): KObject {
  return emulator.core.patch(CONFIGMAPS, NS, 'cm-0', 'merge', { data: { k0: value } }, false);
}

/** Does the Role grant verb on group/resource? (the manifest's own rules, read here) */
function granted(rules: Rule[], verb: string, group: string, resource: string): boolean {
  return rules.some(
    (r) =>
      (r.verbs ?? []).some((v) => v === verb || v === '*') &&
      (r.apiGroups ?? []).some((g) => g === group || g === '*') &&
      (r.resources ?? []).some((x) => x === resource || x === '*'),
  );
}

describe('least privilege: the function works with exactly the RBAC in knative/', () => {
  it('reconciles and rolls every kind under its ServiceAccount; every request it made is one its Role grants', async () => {
    const deliverer = createDeliverer(`${restart.url}/`, 1, 5);
    emulator.clearRequests();
    const first = await deliverer.deliver(0, resyncEvent());
    expect(first.last).toEqual({ status: 200 });
    expect(decisionsOf(first.body).map((d) => d.action)).toEqual(Array<string>(6).fill('recorded'));

    const rolled = await deliverer.deliver(0, apiServerEvent('Reference', 'MODIFIED', changeConfigMap('two')));
    expect(rolled.last).toEqual({ status: 200 });
    expect(
      decisionsOf(rolled.body)
        .map((d) => [d.kind, d.action])
        .sort(),
    ).toEqual([
      ['CronJob', 'rolled'],
      ['DaemonSet', 'rolled'],
      ['Deployment', 'rolled'],
      ['Rollout', 'rolled'],
      ['Service', 'rolled'],
      ['StatefulSet', 'rolled'],
    ]);

    const made = emulator.requests().filter((r) => r.resource);
    expect(made.length).toBeGreaterThan(0);
    expect(
      made.every((r) => r.user === USER),
      'every request presented the ServiceAccount token',
    ).toBe(true);
    expect(made.filter((r) => r.status === 403)).toEqual([]);
    const used = [...new Set(made.map((r) => `${r.verb} ${r.group}/${r.resource}`))].sort();
    console.log(`least-privilege: requests made: ${used.join(', ')}`);
    const rules = (role as unknown as { rules: Rule[] }).rules;
    for (const r of made)
      expect(granted(rules, r.verb, r.group, r.resource), `${r.verb} ${r.group}/${r.resource}`).toBe(true);
    // verbs it does not have are never needed
    expect(
      made.filter(
        (r) => (r.verb === 'list' || r.verb === 'watch') && (r.resource === 'secrets' || r.resource === 'configmaps'),
      ),
    ).toEqual([]);
    // the only thing it creates is its Kubernetes Events (Rolled, Recorded, ...), which its Role grants
    expect(
      made.filter(
        (r) =>
          ['create', 'update', 'delete', 'deletecollection', 'watch'].includes(r.verb) &&
          !(r.verb === 'create' && r.group === 'events.k8s.io' && r.resource === 'events'),
      ),
    ).toEqual([]);
  });

  it('patch on deployments taken away: 200 with a failed decision naming 403, the other kinds still roll, the server stays up', async () => {
    const rules = (role as unknown as { rules: Rule[] }).rules;
    const narrowed: Rule[] = rules.flatMap((r) => {
      if (!(r.apiGroups ?? []).includes('apps')) return [r];
      const others = (r.resources ?? []).filter((x) => x !== 'deployments');
      return [
        { ...r, resources: others },
        { ...r, resources: ['deployments'], verbs: (r.verbs ?? []).filter((v) => v !== 'patch') },
      ];
    });
    emulator.core.patch(ROLES, NS, 'reroll-restart', 'merge', { rules: narrowed }, false);

    const deliverer = createDeliverer(`${restart.url}/`, 1, 5);
    const res = await deliverer.deliver(0, apiServerEvent('Resource', 'MODIFIED', changeConfigMap('three')));
    expect(res.last).toEqual({ status: 200 });
    const decisions = decisionsOf(res.body);
    expect(decisions.find((d) => d.kind === 'Deployment')).toMatchObject({
      action: 'failed',
      reason: expect.stringContaining('403'),
    });
    expect(decisions.filter((d) => d.kind !== 'Deployment').map((d) => d.action)).toEqual(
      Array<string>(5).fill('rolled'),
    );
    expect((await fetch(`${restart.url}/healthz`)).status).toBe(200);
    expect(restart.lines.some((l) => /deployment=app-deployment action=failed/.test(l))).toBe(true);
  });
});
