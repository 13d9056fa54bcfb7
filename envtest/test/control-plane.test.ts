// The harness itself, on the real binaries: what the suites rely on must hold here first.
import { AppsV1Api, CoreV1Api, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import { existsSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startAdapter, startControlPlane } from '../src/index';
import { describeRealTier, realTierAssets, useControlPlane } from '../src/vitest';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function statusOf(err: unknown): number | undefined {
  return (err as { code?: number }).code;
}

async function eventually<T>(what: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await what();
    if (ok(value) || Date.now() > deadline) return value;
    await sleep(250);
  }
}

describeRealTier(
  'control plane',
  () => {
    const cp = useControlPlane();
    let ns = '';
    beforeAll(async () => {
      ns = await cp.createNamespace('envtest-self');
    });

    it('serves over TLS to the admin, who can list namespaces', async () => {
      expect(cp.server).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const names = (await cp.kubeConfig.makeApiClient(CoreV1Api).listNamespace()).items.map((n) => n.metadata?.name);
      expect(names).toEqual(expect.arrayContaining(['default', 'kube-system', ns]));
      expect((await cp.kubectl(['get', 'namespace', ns, '-o', 'name'])).stdout.trim()).toBe(`namespace/${ns}`);
    });

    it('enforces RBAC on a ServiceAccount token: 403 without a RoleBinding, 200 with one', async () => {
      await cp.kubeConfig
        .makeApiClient(CoreV1Api)
        .createNamespacedServiceAccount({ namespace: ns, body: { metadata: { name: 'reader' } } });
      const token = await cp.tokenFor(ns, 'reader');
      const asReader = cp.kubeConfigFor(token).makeApiClient(CoreV1Api);
      const denied = await asReader.listNamespacedConfigMap({ namespace: ns }).then(
        () => 200,
        (err: unknown) => statusOf(err),
      );
      expect(denied).toBe(403);
      const rbac = cp.kubeConfig.makeApiClient(RbacAuthorizationV1Api);
      await rbac.createNamespacedRole({
        namespace: ns,
        body: {
          metadata: { name: 'reader' },
          rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['list'] }],
        },
      });
      await rbac.createNamespacedRoleBinding({
        namespace: ns,
        body: {
          metadata: { name: 'reader' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'reader' },
          subjects: [{ kind: 'ServiceAccount', name: 'reader', namespace: ns }],
        },
      });
      // the RBAC authorizer reads through an informer: a binding takes effect within moments, not at once
      const allowed = await eventually(
        () =>
          asReader.listNamespacedConfigMap({ namespace: ns }).then(
            () => 200,
            (err: unknown) => statusOf(err),
          ),
        (s) => s === 200,
      );
      expect(allowed).toBe(200);
      // the same identity through kubectl and a written kubeconfig
      const kubeconfig = await cp.kubeconfigFor(token, ns);
      const viaKubectl = await cp.kubectl(['get', 'secrets'], { kubeconfig, allowFailure: true });
      expect(viaKubectl.code).not.toBe(0);
      expect(viaKubectl.stderr).toMatch(/forbidden/i);
      // the apiserver's audit log has both denials, so suites can assert "no 403" from the server's side
      const denials = (await cp.auditEvents()).filter(
        (e) => e.user.username === `system:serviceaccount:${ns}:reader` && e.responseStatus?.code === 403,
      );
      expect(denials.map((e) => e.objectRef?.resource)).toEqual(['configmaps', 'secrets']);
    });

    it('runs the controller manager: a Deployment gets its ReplicaSet', async () => {
      await cp.kubectl(['create', 'deployment', 'web', '--image=example.invalid/web', '-n', ns]);
      const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
      const sets = await eventually(
        () => apps.listNamespacedReplicaSet({ namespace: ns }),
        (l) => l.items.length > 0,
        60_000,
      );
      expect(sets.items.map((r) => r.metadata?.ownerReferences?.[0]?.name)).toEqual(['web']);
    });
  },
  { controllerManager: true },
);

describeRealTier(
  'adapter',
  () => {
    const cp = useControlPlane();
    const received: IncomingHttpHeaders[] = [];
    const sink = createServer((req, res) => {
      received.push(req.headers);
      req.resume();
      req.on('end', () => res.writeHead(202).end());
    });
    let sinkUrl = '';
    let ns = '';
    beforeAll(async () => {
      await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
      sinkUrl = `http://127.0.0.1:${(sink.address() as AddressInfo).port}`;
      ns = await cp.createNamespace('envtest-adapter');
      await cp.kubectl(['create', 'serviceaccount', 'source', '-n', ns]);
      await cp.kubectl(['create', 'role', 'source', '--verb=get,list,watch', '--resource=configmaps', '-n', ns]);
      await cp.kubectl(['create', 'rolebinding', 'source', '--role=source', `--serviceaccount=${ns}:source`, '-n', ns]);
    });
    afterAll(() => new Promise<void>((resolve) => sink.close(() => resolve())));

    for (const version of ['1.12.6', '1.8.8'] as const) {
      it(`v${version} is watching when startAdapter returns: a change made right after arrives`, async () => {
        const adapter = realTierAssets().adapters.find((a) => a.version === version);
        if (!adapter) return;
        const kubeconfig = await cp.kubeconfigFor(await cp.tokenFor(ns, 'source'));
        const running = await startAdapter({
          controlPlane: cp,
          ...adapter,
          kubeconfig,
          sink: sinkUrl,
          name: 'source',
          namespaces: [ns],
          mode: 'Reference',
          resources: [{ group: '', version: 'v1', resource: 'configmaps', selector: 'watch=yes' }],
        });
        try {
          const name = `cm-${version.replace(/\./g, '')}`;
          await cp.kubectl(['apply', '-n', ns, '-f', '-'], {
            input: JSON.stringify({
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name, labels: { watch: 'yes' } },
              data: { k: 'v' },
            }),
          });
          const got = await eventually(
            () => Promise.resolve(received.filter((h) => h['ce-name'] === name)),
            (l) => l.length > 0,
          );
          expect(got.map((h) => h['ce-type'])).toEqual(['dev.knative.apiserver.ref.add']);
        } finally {
          await running.stop();
        }
      });
    }
  },
  { adapters: true },
);

describeRealTier('stop', () => {
  it('kills etcd and kube-apiserver and removes the temp dir', async () => {
    const cp = await startControlPlane({ assets: realTierAssets() });
    const pids = cp.processes().map((p) => p.pid);
    expect(pids).toHaveLength(2);
    await cp.stop();
    for (const pid of pids) expect(() => process.kill(pid!, 0)).toThrow(/ESRCH/);
    expect(existsSync(cp.dir)).toBe(false);
  });
});
