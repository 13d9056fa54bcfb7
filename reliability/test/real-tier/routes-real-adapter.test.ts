// Issue 16, real tier: seed 003's developer routing on a real kube-apiserver. knative/ applied into a
// default namespace and knative/developer-namespace/ into two developer namespaces (so both
// ServiceAccounts have exactly their rendered RBAC), the config from 22-routes-config.yaml, the
// routes bundle running as reroll-routes, the real v1.12.6 adapter as reroll-routes-source watching
// the Services of the namespaces the routes ApiServerSource names (Reference mode), through a
// recording proxy. Asserted on the live VirtualServices (kubectl get -o json): routes added, updated
// and removed; nothing for developer-only Services; unmanaged ones untouched; duplicated and reversed
// deliveries write nothing; real 409s (another writer between the function's read and write)
// converge; a resync alone rebuilds everything; no 403 anywhere (the apiserver's audit log).
import { KubeConfig } from '@kubernetes/client-node';
import {
  applyKustomize,
  crdFile,
  findFreePort,
  installCrds,
  REPO_ROOT,
  startAdapter,
  type RunningAdapter,
} from '@reroll/envtest';
import { describeRealTier, realTierAssets, useControlPlane } from '@reroll/envtest/vitest';
import { formatPingEvent, parseApiServerSource, parsePingSource } from '@reroll/local/source';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalProcess, type LocalProcess } from '../../../local/src/runner/local-process';
import { startConcurrentWriterProxy, type ConcurrentWriterProxy } from '../helpers/concurrent-writer-proxy';
import { startRecordingProxy, type Delivery, type RecordingProxy } from '../helpers/recording-proxy';
import { readFunctionSpec } from '../helpers/function-spec';

const ROUTES_BUNDLE = fileURLToPath(new URL('../../../functions/routes/dist/routes.mjs', import.meta.url));
const MANAGED = 'app.kubernetes.io/managed-by=reroll-routes';
const CRDS = [
  crdFile('serving.knative.dev', 'services'),
  crdFile('sources.knative.dev', 'apiserversources'),
  crdFile('sources.knative.dev', 'pingsources'),
  crdFile('networking.istio.io', 'virtualservices'),
];
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

interface Decision {
  name: string;
  service: string;
  action: string;
  reason: string;
}
interface VirtualService {
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: { hosts?: string[]; http?: unknown[] };
}

const decisionsOf = (d: Delivery) => (d.answer as { decisions?: Decision[] }).decisions ?? [];

describeRealTier(
  'routes function fed by the real adapter',
  () => {
    const cp = useControlPlane();
    let ns = '';
    let devA = '';
    let devB = '';
    let proxy: RecordingProxy;
    let apiFront: ConcurrentWriterProxy;
    let routes: LocalProcess;
    let source: RunningAdapter | undefined;
    let resync: () => Promise<Delivery>;
    const routesLog: string[] = [];

    const kubectl = async (args: string[], input?: string) =>
      (await cp.kubectl(args, input === undefined ? {} : { input })).stdout;
    const createService = (name: string, namespace: string, port = 80) =>
      kubectl(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Service',
          metadata: { name, namespace },
          spec: { selector: { app: name }, ports: [{ name: 'http', port, targetPort: 8080 }] },
        }),
      );
    /** the live VirtualService as a user sees it: `kubectl get virtualservice -o json`; null when NotFound */
    const liveVs = async (name: string): Promise<VirtualService | null> => {
      const got = await cp.kubectl(['get', 'virtualservice', name, '-n', ns, '-o', 'json'], { allowFailure: true });
      if (got.code !== 0) {
        expect(got.stderr).toMatch(/NotFound/);
        return null;
      }
      return JSON.parse(got.stdout) as VirtualService;
    };
    const liveVsList = async (selector?: string) =>
      (
        JSON.parse(
          await kubectl(['get', 'virtualservice', '-n', ns, '-o', 'json', ...(selector ? ['-l', selector] : [])]),
        ) as { items: VirtualService[] }
      ).items;
    const developerRoute = (svc: string, dev: string, port: number) => ({
      name: `x-developer-${dev}`,
      match: [{ headers: { 'x-developer': { exact: dev } } }],
      route: [{ destination: { host: `${svc}.${dev}.svc.cluster.local`, port: { number: port } } }],
    });
    const defaultRoute = (svc: string) => ({ route: [{ destination: { host: `${svc}.${ns}.svc.cluster.local` } }] });

    /** does `act`, then waits for the adapter's delivery it causes (and the function's answer to it) */
    const deliveryAfter = async (
      type: 'add' | 'update' | 'delete',
      namespace: string,
      name: string,
      act: () => Promise<unknown>,
    ): Promise<Delivery> => {
      const matches = () =>
        proxy.deliveries.filter(
          (d) =>
            d.headers['ce-type'] === `dev.knative.apiserver.ref.${type}` &&
            d.headers['ce-namespace'] === namespace &&
            d.headers['ce-name'] === name,
        );
      const before = matches().length;
      await act();
      await proxy.waitFor(() => matches().length > before);
      return matches()[before]!;
    };

    beforeAll(async () => {
      if (!existsSync(ROUTES_BUNDLE))
        throw new Error(`${ROUTES_BUNDLE} missing: npm run build --workspace functions/routes`);
      const adapter = realTierAssets().adapters.find((a) => a.version === '1.12.6');
      if (!adapter)
        throw new Error('this suite needs the v1.12.6 adapter (apiserver_receive_adapter) in REROLL_ADAPTER_BIN');
      await installCrds(cp, CRDS);

      ns = await cp.createNamespace('rt-routes');
      devA = `${ns}-alice`;
      devB = `${ns}-bob`;
      await applyKustomize(cp, ['knative'], { namespace: ns });
      // knative/developer-namespace/ once per developer namespace, its subjects left in the default one
      for (const dev of [devA, devB]) {
        const overlay = await mkdtemp(path.join(cp.dir, 'developer-'));
        const kit = path.relative(overlay, path.join(REPO_ROOT, 'knative/developer-namespace'));
        await writeFile(
          path.join(overlay, 'kustomization.yaml'),
          [
            'apiVersion: kustomize.config.k8s.io/v1beta1',
            'kind: Kustomization',
            `resources: [${kit}]`,
            `namespace: ${dev}`,
            'patches:',
            '  - target: { kind: RoleBinding }',
            '    patch: |-',
            '      - op: replace',
            '        path: /subjects/0/namespace',
            `        value: ${ns}`,
            '',
          ].join('\n'),
        );
        const rendered = await kubectl(['kustomize', '--load-restrictor', 'LoadRestrictionsNone', overlay]);
        await rm(overlay, { recursive: true, force: true });
        await kubectl(['apply', '--server-side', '-f', '-'], rendered);
      }

      // 22-routes-config.yaml as applied, its namespaces renamed to this run's (the template untouched)
      const configMap = JSON.parse(await kubectl(['get', 'configmap', 'reroll-routes-config', '-n', ns, '-o', 'json']));
      const original = String(configMap.data['config.yaml']);
      const renamed = original
        .replace('defaultNamespace: "reroll-demo"', `defaultNamespace: "${ns}"`)
        .replace('developerNamespaces:\n  - "dev-alice"\n', `developerNamespaces:\n  - "${devA}"\n  - "${devB}"\n`);
      expect(renamed).toContain(`  - "${devB}"`);
      expect(renamed).toContain(`defaultNamespace: "${ns}"`);
      await kubectl(
        ['apply', '--server-side', '--force-conflicts', '-f', '-'],
        JSON.stringify({
          ...configMap,
          metadata: { name: 'reroll-routes-config', namespace: ns },
          data: { 'config.yaml': renamed },
        }),
      );

      // the function: its Knative Service's env, as reroll-routes, through the concurrent-writer front
      const ksvc = JSON.parse(await kubectl(['get', 'services.serving.knative.dev', 'routes', '-n', ns, '-o', 'json']));
      const podSpec = readFunctionSpec(ksvc);
      const env = podSpec.env;
      apiFront = await startConcurrentWriterProxy({ upstream: cp.server, caFile: cp.caFile, controlPlaneDir: cp.dir });
      const kubeConfig = new KubeConfig();
      kubeConfig.loadFromOptions({
        clusters: [{ name: 'envtest', server: apiFront.url, caFile: cp.caFile, skipTLSVerify: false }],
        users: [{ name: podSpec.serviceAccountName, token: await cp.tokenFor(ns, podSpec.serviceAccountName) }],
        contexts: [{ name: 'envtest', cluster: 'envtest', user: podSpec.serviceAccountName, namespace: ns }],
        currentContext: 'envtest',
      });
      const routesKubeconfig = path.join(cp.dir, `kubeconfig-routes-${ns}`);
      await writeFile(routesKubeconfig, kubeConfig.exportConfig(), { mode: 0o600 });
      routes = startLocalProcess({
        script: ROUTES_BUNDLE,
        env: { ...env, REROLL_ROUTES_CONFIGMAP_NAMESPACE: ns, LOG_FORMAT: 'text', KUBECONFIG: routesKubeconfig },
        port: await findFreePort(),
        log: (line) => routesLog.push(line),
      });
      await routes.waitReady(60_000);
      proxy = await startRecordingProxy(() => `http://127.0.0.1:${routes.port}`);

      // the adapter: the routes ApiServerSource as stored; its namespaceSelector names the default and
      // dev-alice namespaces (mapped to this run's), plus the second developer namespace of the config
      const stored = JSON.parse(await kubectl(['get', 'apiserversource', 'routes-source', '-n', ns, '-o', 'json']));
      const spec = parseApiServerSource(stored);
      const named = (
        stored.spec.namespaceSelector.matchExpressions as { key: string; operator: string; values: string[] }[]
      ).find((e) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'In')!.values;
      const rename: Record<string, string> = { 'reroll-demo': ns, 'dev-alice': devA };
      expect(named.every((n) => n in rename)).toBe(true);
      source = await startAdapter({
        controlPlane: cp,
        ...adapter,
        kubeconfig: await cp.kubeconfigFor(await cp.tokenFor(ns, String(stored.spec.serviceAccountName))),
        sink: proxy.url,
        name: spec.name,
        namespaces: [...named.map((n) => rename[n]!), devB],
        mode: spec.mode,
        resources: spec.resources.map((r) => ({
          group: '',
          version: r.apiVersion,
          resource: `${r.kind.toLowerCase()}s`,
          ...(r.labelSelector ? { selector: r.labelSelector } : {}),
        })),
      });
      expect(spec.mode).toBe('Reference');

      // the resync: what the routes PingSource's adapter would send, through the same sink
      const ping = parsePingSource(
        JSON.parse(await kubectl(['get', 'pingsource', 'routes-resync', '-n', ns, '-o', 'json'])),
      );
      resync = async () => {
        const req = formatPingEvent(ping);
        const before = proxy.deliveries.length;
        const res = await fetch(`${proxy.url}/`, { method: 'POST', headers: req.headers, body: req.body });
        expect(res.status).toBe(200);
        return proxy.deliveries[before]!;
      };
    }, 180_000);

    afterAll(async () => {
      await source?.stop();
      await routes?.stop();
      await proxy?.stop();
      await apiFront?.stop();
    });

    it('a Service in the default namespace gets its VirtualService: the default route only', async () => {
      const sent = await deliveryAfter('add', ns, 'web', () => createService('web', ns));
      expect(decisionsOf(sent)).toMatchObject([{ action: 'created', name: 'web-virtual-service' }]);
      const vs = await liveVs('web-virtual-service');
      expect(vs?.metadata.labels).toMatchObject({
        'app.kubernetes.io/managed-by': 'reroll-routes',
        'reroll.dev/service': 'web',
      });
      expect(vs?.spec).toEqual({ hosts: ['web'], http: [defaultRoute('web')] });
      expect(routesLog.join('\n')).toContain(`[routes] created virtualservice=${ns}/web-virtual-service`);
    });

    it('developer copies created, updated (port) and deleted add, update and remove their x-developer routes', async () => {
      await deliveryAfter('add', devB, 'web', () => createService('web', devB));
      await deliveryAfter('add', devA, 'web', () => createService('web', devA));
      // configured order (alice, then bob), whatever order the events came in; the default route last
      expect((await liveVs('web-virtual-service'))?.spec.http).toEqual([
        developerRoute('web', devA, 80),
        developerRoute('web', devB, 80),
        defaultRoute('web'),
      ]);

      const patched = await deliveryAfter('update', devA, 'web', () =>
        kubectl([
          'patch',
          'service',
          'web',
          '-n',
          devA,
          '--type',
          'merge',
          '-p',
          '{"spec":{"ports":[{"name":"http","port":8081,"targetPort":8080}]}}',
        ]),
      );
      expect(decisionsOf(patched)).toMatchObject([{ action: 'updated' }]);
      expect((await liveVs('web-virtual-service'))?.spec.http).toEqual([
        developerRoute('web', devA, 8081),
        developerRoute('web', devB, 80),
        defaultRoute('web'),
      ]);

      await deliveryAfter('delete', devA, 'web', () => kubectl(['delete', 'service', 'web', '-n', devA]));
      expect((await liveVs('web-virtual-service'))?.spec.http).toEqual([
        developerRoute('web', devB, 80),
        defaultRoute('web'),
      ]);
    });

    it('a Service only in a developer namespace makes no VirtualService', async () => {
      const sent = await deliveryAfter('add', devB, 'solo', () => createService('solo', devB));
      expect(decisionsOf(sent)).toMatchObject([{ action: 'skipped', name: 'solo-virtual-service' }]);
      expect(await liveVs('solo-virtual-service')).toBeNull();
    });

    it('the default Service deleted: our VirtualService goes; one without our label stays untouched', async () => {
      await deliveryAfter('add', ns, 'gone', () => createService('gone', ns));
      expect(await liveVs('gone-virtual-service')).not.toBeNull();
      const removed = await deliveryAfter('delete', ns, 'gone', () => kubectl(['delete', 'service', 'gone', '-n', ns]));
      expect(decisionsOf(removed)).toMatchObject([{ action: 'deleted', name: 'gone-virtual-service' }]);
      expect(await liveVs('gone-virtual-service')).toBeNull();

      // someone else's VirtualService of the name ours would have
      await kubectl(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'networking.istio.io/v1',
          kind: 'VirtualService',
          metadata: { name: 'theirs-virtual-service', namespace: ns },
          spec: { hosts: ['theirs.example.com'], http: [{ route: [{ destination: { host: 'elsewhere' } }] }] },
        }),
      );
      const theirs = (await liveVs('theirs-virtual-service'))!;
      const added = await deliveryAfter('add', ns, 'theirs', () => createService('theirs', ns));
      expect(decisionsOf(added)).toMatchObject([{ action: 'skipped' }]);
      expect(decisionsOf(added)[0]?.reason).toMatch(/not ours, left alone/);
      await deliveryAfter('delete', ns, 'theirs', () => kubectl(['delete', 'service', 'theirs', '-n', ns]));
      expect(await liveVs('theirs-virtual-service')).toEqual(theirs);
    });

    it('another writer between read and write: the real 409s are re-read and converge, its change kept', async () => {
      let n = 0;
      const otherWriter = async (name: string) => {
        n += 1;
        await kubectl(['annotate', 'virtualservice', name, '-n', ns, `example.com/other-writer=${n}`, '--overwrite']);
      };
      apiFront.arm(
        (r) => r.method === 'PUT' && r.path.endsWith('/virtualservices/web-virtual-service'),
        () => otherWriter('web-virtual-service'),
        2,
      );
      const sent = await deliveryAfter('add', devA, 'web', () => createService('web', devA, 9090));
      expect(apiFront.fired()).toBe(2);
      expect(decisionsOf(sent)).toMatchObject([{ action: 'updated' }]);
      expect(decisionsOf(sent)[0]?.reason).toMatch(/after 2 conflict/);
      const vs = (await liveVs('web-virtual-service'))!;
      expect(vs.spec.http).toEqual([
        developerRoute('web', devA, 9090),
        developerRoute('web', devB, 80),
        defaultRoute('web'),
      ]);
      expect(vs.metadata.annotations?.['example.com/other-writer']).toBe('2');

      // a delete carries its resourceVersion as a precondition: the same story
      await deliveryAfter('add', ns, 'bye', () => createService('bye', ns));
      apiFront.arm(
        (r) => r.method === 'DELETE' && r.path.endsWith('/virtualservices/bye-virtual-service'),
        () => otherWriter('bye-virtual-service'),
      );
      const deleted = await deliveryAfter('delete', ns, 'bye', () => kubectl(['delete', 'service', 'bye', '-n', ns]));
      expect(apiFront.fired()).toBe(3);
      expect(decisionsOf(deleted)).toMatchObject([{ action: 'deleted' }]);
      expect(decisionsOf(deleted)[0]?.reason).toMatch(/after 1 conflict/);
      expect(await liveVs('bye-virtual-service')).toBeNull();

      // the conflicts were the apiserver's own answers to the function's writes
      const conflicts = (await cp.auditEvents()).filter(
        (e) =>
          e.user.username === `system:serviceaccount:${ns}:reroll-routes` &&
          e.objectRef?.resource === 'virtualservices' &&
          e.responseStatus?.code === 409,
      );
      expect(conflicts.map((e) => `${e.verb} ${e.objectRef?.name}`).sort()).toEqual([
        'delete bye-virtual-service',
        'update web-virtual-service',
        'update web-virtual-service',
      ]);
    });

    it('every delivery sent again, in order, in reverse order and all at once, writes nothing', async () => {
      const before = await liveVsList();
      const recorded = [...proxy.deliveries];
      expect(recorded.length).toBeGreaterThanOrEqual(12);
      const send = async (d: Delivery) => {
        const headers = Object.fromEntries(Object.entries(d.headers).filter(([k]) => !HOP_BY_HOP.has(k)));
        const res = await fetch(`http://127.0.0.1:${routes.port}/`, { method: 'POST', headers, body: d.body });
        return { status: res.status, answer: (await res.json()) as { decisions?: Decision[] } };
      };
      const answers = [];
      for (const d of recorded) answers.push(await send(d));
      for (const d of [...recorded].reverse()) answers.push(await send(d));
      // and all at once, as retries racing each other would arrive
      answers.push(...(await Promise.all(recorded.map(send))));
      expect(answers.filter((a) => a.status !== 200)).toEqual([]);
      const actions = answers.flatMap((a) => a.answer.decisions ?? []).map((d) => d.action);
      expect(actions.filter((a) => !['unchanged', 'skipped'].includes(a))).toEqual([]);
      // same objects, same resourceVersions: not one write
      expect(await liveVsList()).toEqual(before);
    });

    it('the PingSource resync alone rebuilds every VirtualService from scratch, unmanaged ones untouched', async () => {
      await source!.stop(); // from here on no Service event arrives
      source = undefined;
      const ours = await liveVsList(MANAGED);
      expect(ours.map((v) => v.metadata.name)).toEqual(['web-virtual-service']);
      const theirs = await liveVs('theirs-virtual-service');
      await kubectl(['delete', 'virtualservice', '-n', ns, '-l', MANAGED]);
      await createService('late', ns);
      await createService('late', devB);
      await kubectl(['delete', 'service', 'web', '-n', devB]);

      const answer = await resync();
      const byName = Object.fromEntries(decisionsOf(answer).map((d) => [d.name, d.action]));
      expect(byName).toEqual({ 'late-virtual-service': 'created', 'web-virtual-service': 'created' });
      expect((await liveVs('web-virtual-service'))?.spec).toEqual({
        hosts: ['web'],
        http: [developerRoute('web', devA, 9090), defaultRoute('web')],
      });
      expect((await liveVs('late-virtual-service'))?.spec).toEqual({
        hosts: ['late'],
        http: [developerRoute('late', devB, 80), defaultRoute('late')],
      });
      expect(await liveVs('theirs-virtual-service')).toEqual(theirs);
      // and a second resync finds nothing to do
      expect(decisionsOf(await resync()).map((d) => d.action)).toEqual(['unchanged', 'unchanged']);
    });

    it('every delivery was answered 200 with no failed decision, and no request got a 403', async () => {
      expect(proxy.deliveries.filter((d) => d.status !== 200).map((d) => d.status)).toEqual([]);
      expect(proxy.deliveries.flatMap(decisionsOf).filter((d) => d.action === 'failed')).toEqual([]);
      const users = ['reroll-routes', 'reroll-routes-source'].map((sa) => `system:serviceaccount:${ns}:${sa}`);
      const mine = (await cp.auditEvents()).filter((e) => users.includes(e.user.username));
      for (const user of users) expect(mine.some((e) => e.user.username === user)).toBe(true);
      expect(
        mine.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.user.username} ${e.verb} ${e.requestURI}`),
      ).toEqual([]);
    });
  },
  { adapters: true },
);
