// Issue 13, real tier: the cluster-wide install (knative/cluster-wide/) applied to a real
// kube-apiserver, the restart bundle running as reroll-system's reroll-restart ServiceAccount (the
// ClusterRole as rendered), the real v1.12.6 adapter as reroll-source with the `namespaces` list
// Knative's controller computes from spec.namespaceSelector (the namespaces the apiserver returns for
// that selector). Three namespaces, two labelled reroll.dev/enabled=true: a real ConfigMap change
// rolls only in the labelled ones, an event from the unlabelled one is answered with no decisions,
// a resync never touches it, and no request of either identity gets a 403 (the audit log).
import { AppsV1Api } from '@kubernetes/client-node';
import { applyKustomize, crdFile, findFreePort, installCrds, startAdapter, type RunningAdapter } from '@reroll/envtest';
import { describeRealTier, realTierAssets, useControlPlane } from '@reroll/envtest/vitest';
import { formatLabelSelector, formatPingEvent, parseApiServerSource, parsePingSource } from '@reroll/local/source';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalProcess, type LocalProcess } from '../../../local/src/runner/local-process';
import { apiServerEvent } from '../helpers/events';
import { startRecordingProxy, type Delivery, type RecordingProxy } from '../helpers/recording-proxy';
import { startTemplateWatch, type TemplateWatch } from '../helpers/template-watch';
import { readFunctionSpec } from '../helpers/function-spec';

const RESTART_BUNDLE = fileURLToPath(new URL('../../../functions/restart/dist/restart.mjs', import.meta.url));
const SYSTEM = 'reroll-system';
const HASH = 'rolling.restart.controller/configHash';
const CRDS = [
  crdFile('serving.knative.dev', 'services'),
  crdFile('sources.knative.dev', 'apiserversources'),
  crdFile('sources.knative.dev', 'pingsources'),
];

interface Decision {
  kind: string;
  namespace: string;
  name: string;
  action: string;
}
const decisionsOf = (d: Delivery): Decision[] => (d.answer as { decisions?: Decision[] }).decisions ?? [];

describeRealTier(
  'the cluster-wide install on the real apiserver, fed by the real v1.12.6 adapter',
  () => {
    const cp = useControlPlane();
    const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
    const adapter = realTierAssets().adapters.find((a) => a.version === '1.12.6');
    let labelled: string[] = [];
    let unlabelled = '';
    let all: string[] = [];
    let proxy: RecordingProxy;
    let restart: LocalProcess;
    let source: RunningAdapter | undefined;
    let sourceNamespaces: string[] = [];
    /** (re)starts the adapter with the namespaces the selector selects now, as Knative's controller does */
    let startSource: () => Promise<RunningAdapter>;
    const watches = new Map<string, TemplateWatch>();
    const restartLog: string[] = [];
    let barriers = 0;

    const kubectl = async (args: string[], input?: string) =>
      (await cp.kubectl(args, input === undefined ? {} : { input })).stdout;
    const rollouts = async () =>
      Object.fromEntries(
        await Promise.all(all.map(async (ns) => [ns, await watches.get(ns)!.rollouts('app')] as const)),
      );
    const delta = (before: Record<string, number>, after: Record<string, number>) =>
      Object.fromEntries(all.map((ns) => [ns, after[ns]! - before[ns]!]));
    // One event at a time, in watch order per namespace: once the marker's update in each labelled
    // namespace is answered, every change made there before it has been answered too.
    const markersFrom = (ns: string) =>
      proxy.deliveries.filter((d) => d.headers['ce-name'] === 'zz-marker' && d.headers['ce-namespace'] === ns).length;
    const barrier = async () => {
      barriers += 1;
      const seen = new Map(labelled.map((ns) => [ns, markersFrom(ns)] as const));
      for (const ns of labelled)
        await kubectl([
          '-n',
          ns,
          'annotate',
          'configmap',
          'zz-marker',
          `reroll.dev/barrier=${barriers}`,
          '--overwrite',
        ]);
      for (const ns of labelled) await proxy.waitFor(() => markersFrom(ns) > seen.get(ns)!);
    };
    const patchConfig = (ns: string, message: string) =>
      kubectl([
        '-n',
        ns,
        'patch',
        'configmap',
        'app-config',
        '--type',
        'merge',
        '-p',
        JSON.stringify({ data: { message } }),
      ]);

    beforeAll(async () => {
      if (!adapter) throw new Error('REROLL_ADAPTER_BIN has no v1.12.6 adapter (the one that takes a namespaces list)');
      if (!existsSync(RESTART_BUNDLE))
        throw new Error(`${RESTART_BUNDLE} missing: npm run build --workspace functions/restart`);
      await installCrds(cp, CRDS);
      await applyKustomize(cp, 'knative/cluster-wide');

      labelled = [
        await cp.createNamespace('rt-cw-a', { 'reroll.dev/enabled': 'true' }),
        await cp.createNamespace('rt-cw-b', { 'reroll.dev/enabled': 'true' }),
      ];
      unlabelled = await cp.createNamespace('rt-cw-c');
      all = [...labelled, unlabelled];
      for (const ns of all) {
        await kubectl(
          ['-n', ns, 'apply', '-f', '-'],
          JSON.stringify({
            apiVersion: 'v1',
            kind: 'List',
            items: [
              {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: {
                  name: 'app-config',
                  labels: { 'reroll.dev/watch': 'true' },
                  annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
                },
                data: { message: 'one' },
              },
              {
                apiVersion: 'v1',
                kind: 'ConfigMap',
                metadata: { name: 'zz-marker', labels: { 'reroll.dev/watch': 'true' } },
              },
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                metadata: { name: 'app', annotations: { 'rolling.restart.controller/restartOnTrigger': 'true' } },
                spec: {
                  selector: { matchLabels: { app: 'app' } },
                  template: {
                    metadata: { labels: { app: 'app' } },
                    spec: {
                      containers: [
                        {
                          name: 'app',
                          image: 'example.invalid/app',
                          envFrom: [{ configMapRef: { name: 'app-config' } }],
                        },
                      ],
                    },
                  },
                },
              },
            ],
          }),
        );
        watches.set(ns, await startTemplateWatch(cp.kubeConfig, ns));
      }

      // the function: the rendered Knative Service's env and ServiceAccount, nothing else
      const podSpec = readFunctionSpec(
        JSON.parse(await kubectl(['-n', SYSTEM, 'get', 'services.serving.knative.dev', 'restart', '-o', 'json'])),
      );
      const env = podSpec.env;
      expect(env.REROLL_NAMESPACE_SELECTOR).toBe('reroll.dev/enabled=true');
      expect(env.REROLL_NAMESPACES).toBeUndefined();
      restart = startLocalProcess({
        script: RESTART_BUNDLE,
        env: {
          ...env,
          LOG_FORMAT: 'text',
          KUBECONFIG: await cp.kubeconfigFor(await cp.tokenFor(SYSTEM, podSpec.serviceAccountName), SYSTEM),
        },
        port: await findFreePort(),
        log: (line) => restartLog.push(line),
      });
      await restart.waitReady(60_000);
      proxy = await startRecordingProxy(() => `http://127.0.0.1:${restart.port}`);

      // the adapter, as Knative's controller configures it: namespaces = those the selector selects
      const stored = JSON.parse(
        await kubectl(['-n', SYSTEM, 'get', 'apiserversource', 'reroll-source', '-o', 'json']),
      ) as {
        spec: { serviceAccountName: string; namespaceSelector: unknown };
      };
      const spec = parseApiServerSource(stored);
      const selector = formatLabelSelector(stored.spec.namespaceSelector, 'spec.namespaceSelector');
      expect(selector).toBe('reroll.dev/enabled=true');
      const sourceKubeconfig = await cp.kubeconfigFor(await cp.tokenFor(SYSTEM, stored.spec.serviceAccountName));
      startSource = async () => {
        sourceNamespaces = (
          await kubectl(['get', 'namespaces', '-l', selector!, '-o', 'jsonpath={.items[*].metadata.name}'])
        )
          .split(/\s+/)
          .filter(Boolean)
          .sort();
        return startAdapter({
          controlPlane: cp,
          ...adapter,
          kubeconfig: sourceKubeconfig,
          sink: proxy.url,
          name: spec.name,
          namespaces: sourceNamespaces,
          mode: spec.mode,
          resources: spec.resources.map((r) => ({
            group: '',
            version: 'v1',
            resource: `${r.kind.toLowerCase()}s`,
            selector: r.labelSelector,
          })),
        });
      };
      source = await startSource();
    }, 240_000);

    afterAll(async () => {
      for (const w of watches.values()) w.stop();
      await source?.stop();
      await restart?.stop();
      await proxy?.stop();
    });

    it("the adapter watches exactly the labelled namespaces (the controller's list from the selector)", () => {
      expect(sourceNamespaces).toEqual([...labelled].sort());
      expect(sourceNamespaces).not.toContain(unlabelled);
    });

    it('a real change in each of the three namespaces rolls the Deployment only in the two labelled ones', async () => {
      const before = await rollouts();
      for (const ns of all) await patchConfig(ns, `two in ${ns}`);
      await barrier();
      expect(delta(before, await rollouts())).toEqual({ [labelled[0]!]: 1, [labelled[1]!]: 1, [unlabelled]: 0 });
      // the adapter sent nothing from the unlabelled namespace
      expect(proxy.deliveries.filter((d) => d.headers['ce-namespace'] === unlabelled)).toEqual([]);
      expect(restartLog.join('\n')).toMatch(/\[restart\] patched deployment=app restartedAt=\S+/);
    });

    it('an event from the unlabelled namespace (as a misconfigured source would send) is answered with no decisions', async () => {
      // what the adapter would send for it in Reference mode, headers and body as the real one formats them
      const req = apiServerEvent('Reference', 'MODIFIED', {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'app-config', namespace: unlabelled },
      });
      const before = await rollouts();
      const res = await fetch(`${proxy.url}/`, { method: 'POST', headers: req.headers, body: req.body });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({
        decisions: [],
        note: `namespace ${unlabelled} does not match REROLL_NAMESPACE_SELECTOR=reroll.dev/enabled=true: nothing read or written`,
      });
      expect(delta(before, await rollouts())).toEqual({ [labelled[0]!]: 0, [labelled[1]!]: 0, [unlabelled]: 0 });
    });

    it('a resync (the PingSource event) reconciles the labelled namespaces and never touches the unlabelled one', async () => {
      for (const ns of all) await patchConfig(ns, `three in ${ns}`);
      await barrier();
      const before = await rollouts();
      const ping = parsePingSource(
        JSON.parse(await kubectl(['-n', SYSTEM, 'get', 'pingsource', 'reroll-resync', '-o', 'json'])),
      );
      const req = formatPingEvent(ping);
      const res = await fetch(`${proxy.url}/`, { method: 'POST', headers: req.headers, body: req.body });
      expect(res.status).toBe(200);
      const answer = proxy.deliveries.at(-1)!;
      expect(new Set(decisionsOf(answer).map((d) => d.namespace))).toEqual(new Set(labelled));
      expect(decisionsOf(answer).filter((d) => d.action === 'failed')).toEqual([]);
      expect(delta(before, await rollouts())).toEqual({ [labelled[0]!]: 0, [labelled[1]!]: 0, [unlabelled]: 0 });
      // nothing written in the unlabelled namespace, ever: not even a recorded hash
      const app = await apps.readNamespacedDeployment({ name: 'app', namespace: unlabelled });
      expect(app.metadata?.annotations?.[HASH]).toBeUndefined();
      expect(app.spec?.template.metadata?.annotations).toBeUndefined();
    });

    it('the function read nothing of the unlabelled namespace but its labels, and no request got a 403', async () => {
      const restartUser = `system:serviceaccount:${SYSTEM}:reroll-restart`;
      const sourceUser = `system:serviceaccount:${SYSTEM}:reroll-source`;
      const events = (await cp.auditEvents()).filter(
        (e) => e.user.username === restartUser || e.user.username === sourceUser,
      );
      expect(events.filter((e) => e.user.username === restartUser).length).toBeGreaterThan(0);
      expect(events.filter((e) => e.user.username === sourceUser).length).toBeGreaterThan(0);
      expect(
        events.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.user.username} ${e.verb} ${e.requestURI}`),
      ).toEqual([]);
      const touchedUnlabelled = events
        .filter((e) => e.user.username === restartUser && e.objectRef?.namespace === unlabelled)
        .map((e) => `${e.verb} ${e.requestURI}`);
      // one GET of the namespace itself (its labels, for the forged event above), nothing in it
      expect(touchedUnlabelled).toEqual([`get /api/v1/namespaces/${unlabelled}`]);
      const resyncLists = events.filter(
        (e) => e.user.username === restartUser && e.verb === 'list' && e.objectRef?.resource === 'namespaces',
      );
      expect(resyncLists.length).toBe(1);
      expect(decodeURIComponent(resyncLists[0]!.requestURI)).toContain('labelSelector=reroll.dev/enabled=true');
      // the deliveries the adapter made were all accepted
      expect(proxy.deliveries.filter((d) => d.status !== 200)).toEqual([]);
    });

    it('labelled later: once the source watches it (the controller updates the list), its next change rolls', async () => {
      await kubectl(['label', 'namespace', unlabelled, 'reroll.dev/enabled=true']);
      await source!.stop();
      source = await startSource();
      expect(sourceNamespaces).toEqual([...all].sort());
      labelled = [...labelled, unlabelled];
      const before = await rollouts();
      await patchConfig(unlabelled, 'four');
      await barrier();
      expect(delta(before, await rollouts())).toEqual({ [all[0]!]: 0, [all[1]!]: 0, [unlabelled]: 1 });
      const forbidden = (await cp.auditEvents()).filter(
        (e) => e.user.username.startsWith(`system:serviceaccount:${SYSTEM}:`) && e.responseStatus?.code === 403,
      );
      expect(forbidden.map((e) => `${e.user.username} ${e.verb} ${e.requestURI}`)).toEqual([]);
    });
  },
  { adapters: true },
);
