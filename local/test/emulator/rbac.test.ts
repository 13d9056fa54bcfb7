// Optional RBAC enforcement: stored Roles/Bindings decide, denials are the apiserver's 403 Status,
// seen through client-node and kubectl with a ServiceAccount's token.
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import https from 'node:https';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dirname, join } from 'node:path';
import { startEmulator, writeKubeconfig, type Emulator } from '../../src/emulator/index';

const run = promisify(execFile);
const SA = 'system:serviceaccount:demo:reroll-restart';

const rbacObjects = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
  { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'reroll-restart', namespace: 'demo' } },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'read-config', namespace: 'demo' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'read-config', namespace: 'demo' },
    subjects: [{ kind: 'ServiceAccount', name: 'reroll-restart', namespace: 'demo' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'read-config' },
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name: 'restart-workloads' },
    rules: [
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'list', 'patch'], resourceNames: ['hello'] },
    ],
  },
  {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'restart-workloads', namespace: 'demo' },
    subjects: [{ kind: 'ServiceAccount', name: 'reroll-restart', namespace: 'demo' }],
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'restart-workloads' },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'hello-config', namespace: 'demo' },
    data: { MESSAGE: 'hi' },
  },
  {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'hello-config', namespace: 'other' },
    data: { MESSAGE: 'hi' },
  },
  ...['hello', 'other-app'].map((name) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'demo' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'hello:1' }] } },
    },
  })),
];

const forbidden = (verb: string, resource: string, group: string, ns: string | undefined, name?: string) => {
  const qualified = group ? `${resource.split('/')[0]}.${group}` : resource.split('/')[0];
  const scope = ns ? `in the namespace "${ns}"` : 'at the cluster scope';
  return {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: `${name ? `${qualified} "${name}"` : qualified} is forbidden: User "${SA}" cannot ${verb} resource "${resource}" in API group "${group}" ${scope}`,
    reason: 'Forbidden',
    details: { ...(name ? { name } : {}), ...(group ? { group } : {}), kind: resource.split('/')[0] },
    code: 403,
  };
};

describe('RBAC enforcement', () => {
  let emu: Emulator;
  let saKubeconfig: string;
  let core: k8s.CoreV1Api;
  let apps: k8s.AppsV1Api;
  const restartPatch = k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch);
  const patchBody = {
    spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2026-01-01T00:00:00Z' } } } },
  };

  beforeAll(async () => {
    emu = await startEmulator({ authorization: 'rbac' });
    emu.seed(rbacObjects);
    saKubeconfig = await emu.writeKubeconfig({ user: SA, namespace: 'demo' });
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(saKubeconfig);
    core = kc.makeApiClient(k8s.CoreV1Api);
    apps = kc.makeApiClient(k8s.AppsV1Api);
  });
  afterAll(() => emu.stop());

  const outcome = (p: Promise<unknown>) =>
    p.then(
      () => ({ code: 200 }),
      (e: { code: number; body?: string }) => ({
        code: e.code,
        body: typeof e.body === 'string' ? (JSON.parse(e.body) as unknown) : e.body,
      }),
    );

  const cases: Array<{ name: string; call: () => Promise<unknown>; expect: { code: number; body?: unknown } }> = [
    {
      name: 'a granted get is allowed',
      call: () => core.readNamespacedConfigMap({ name: 'hello-config', namespace: 'demo' }),
      expect: { code: 200 },
    },
    {
      name: 'list is not granted',
      call: () => core.listNamespacedConfigMap({ namespace: 'demo' }),
      expect: { code: 403, body: forbidden('list', 'configmaps', '', 'demo') },
    },
    {
      name: 'another namespace is not granted',
      call: () => core.readNamespacedConfigMap({ name: 'hello-config', namespace: 'other' }),
      expect: { code: 403, body: forbidden('get', 'configmaps', '', 'other', 'hello-config') },
    },
    {
      name: 'patch of the named Deployment via a ClusterRole + RoleBinding',
      call: () => apps.patchNamespacedDeployment({ name: 'hello', namespace: 'demo', body: patchBody }, restartPatch),
      expect: { code: 200 },
    },
    {
      name: 'resourceNames keep other Deployments out',
      call: () =>
        apps.patchNamespacedDeployment({ name: 'other-app', namespace: 'demo', body: patchBody }, restartPatch),
      expect: { code: 403, body: forbidden('patch', 'deployments', 'apps', 'demo', 'other-app') },
    },
    {
      name: 'subresources need their own rule',
      call: () => apps.readNamespacedDeploymentStatus({ name: 'hello', namespace: 'demo' }),
      expect: { code: 403, body: forbidden('get', 'deployments/status', 'apps', 'demo', 'hello') },
    },
    {
      name: 'cluster-scoped resources say so',
      call: () => core.listNamespace(),
      expect: { code: 403, body: forbidden('list', 'namespaces', '', undefined) },
    },
  ];
  for (const c of cases) {
    it(`client-node: ${c.name}`, async () => {
      const got = await outcome(c.call());
      expect(got.code).toBe(c.expect.code);
      if (c.expect.body) expect((got as { body: unknown }).body).toEqual(c.expect.body);
    });
  }

  it('kubectl with the ServiceAccount token prints the same Forbidden error', async () => {
    const err = await run('kubectl', ['--kubeconfig', saKubeconfig, 'get', 'configmaps']).then(
      () => undefined,
      (e: { stderr: string }) => e.stderr,
    );
    expect(err).toContain(
      `Error from server (Forbidden): configmaps is forbidden: User "${SA}" cannot list resource "configmaps" in API group "" in the namespace "demo"`,
    );
    const ok = await run('kubectl', ['--kubeconfig', saKubeconfig, 'get', 'configmap', 'hello-config', '-o', 'name']);
    expect(ok.stdout.trim()).toBe('configmap/hello-config');
  });

  it('the admin kubeconfig may do anything, an unknown token is 401, and requests() records the user', async () => {
    const admin = await run('kubectl', ['--kubeconfig', emu.kubeconfigPath, 'get', 'ns', '-o', 'name']);
    expect(admin.stdout).toContain('namespace/other');
    // a kubeconfig whose token the emulator never issued
    const stranger = new k8s.KubeConfig();
    stranger.loadFromFile(
      await writeKubeconfig({
        path: join(dirname(emu.kubeconfigPath), 'stranger'),
        server: emu.url,
        token: 'not-issued',
      }),
    );
    expect((await outcome(stranger.makeApiClient(k8s.CoreV1Api).listNamespace())).code).toBe(401);
    const raw = await new Promise<string>((resolve, reject) => {
      https
        .get(
          `${emu.url}/api/v1/namespaces`,
          { headers: { authorization: 'Bearer not-issued' }, rejectUnauthorized: false },
          (res) => {
            let text = '';
            res.on('data', (c: Buffer) => (text += c.toString()));
            res.on('end', () => resolve(text));
          },
        )
        .on('error', reject);
    });
    expect(JSON.parse(raw)).toMatchObject({ kind: 'Status', status: 'Failure', reason: 'Unauthorized', code: 401 });
    const users = new Set(emu.requests().map((r) => r.user));
    expect(users.has(SA)).toBe(true);
    expect(users.has('kubernetes-admin')).toBe(true);
  });

  it('a new RoleBinding takes effect on the next request', async () => {
    await run('kubectl', [
      '--kubeconfig',
      emu.kubeconfigPath,
      'create',
      'rolebinding',
      'view-demo',
      '-n',
      'demo',
      '--clusterrole=view-cm',
      `--serviceaccount=demo:reroll-restart`,
    ]);
    await run('kubectl', [
      '--kubeconfig',
      emu.kubeconfigPath,
      'create',
      'clusterrole',
      'view-cm',
      '--verb=list,watch',
      '--resource=configmaps',
    ]);
    const got = await outcome(core.listNamespacedConfigMap({ namespace: 'demo' }));
    expect(got.code).toBe(200);
  });
});
