// Issue 11, real tier: knative/ and both overlays applied to a real kube-apiserver, the restart bundle
// running as the reroll-restart ServiceAccount (the Role rendered from knative/), the real Knative
// adapter (each build) as reroll-source, and seed 000's walkthrough plus the recorded scenarios
// replayed as actions. Asserted on the live objects: one rollout per real change, none otherwise, no
// 403 anywhere (the apiserver's audit log), and every delivery of both adapter builds accepted.
import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { applyKustomize, crdFile, findFreePort, installCrds, startAdapter, type RunningAdapter } from '@reroll/envtest';
import { describeRealTier, realTierAssets, useControlPlane } from '@reroll/envtest/vitest';
import { formatPingEvent, parseApiServerSource, parsePingSource } from '@reroll/local/source';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalProcess, type LocalProcess } from '../../../local/src/runner/local-process';
import { startRecordingProxy, type Delivery, type RecordingProxy } from '../helpers/recording-proxy';
import { startTemplateWatch, type TemplateWatch } from '../helpers/template-watch';
import { readFunctionSpec } from '../helpers/function-spec';

const RESTART_BUNDLE = fileURLToPath(new URL('../../../functions/restart/dist/restart.mjs', import.meta.url));
const HASH = 'rolling.restart.controller/configHash';
const RESTARTED = 'rolling.restart.controller/restartTimestamp';

const CRDS = [
  crdFile('serving.knative.dev', 'services'),
  crdFile('sources.knative.dev', 'apiserversources'),
  crdFile('sources.knative.dev', 'pingsources'),
  crdFile('networking.istio.io', 'gateways'),
  crdFile('networking.istio.io', 'virtualservices'),
];

interface Decision {
  kind: string;
  name: string;
  action: string;
  reason: string;
}

function decisionsOf(d: Delivery): Decision[] {
  const answer = d.answer as { decisions?: Decision[] };
  return answer.decisions ?? [];
}

/** `kind` + version of a watched resource → the adapter's GVR (core kinds here: ConfigMap, Secret) */
function gvrOf(apiVersion: string, kind: string) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  return { group: group!, version: version!, resource: `${kind.toLowerCase()}s` };
}

describeRealTier(
  'restart function fed by the real adapter',
  () => {
    const cp = useControlPlane();
    const apps = cp.kubeConfig.makeApiClient(AppsV1Api);
    const custom = cp.kubeConfig.makeApiClient(CustomObjectsApi);

    beforeAll(async () => {
      if (!existsSync(RESTART_BUNDLE))
        throw new Error(`${RESTART_BUNDLE} missing: npm run build --workspace functions/restart`);
      await installCrds(cp, CRDS);
    }, 180_000);

    for (const adapter of realTierAssets().adapters) {
      describe(`adapter v${adapter.version}`, () => {
        let ns = '';
        let proxy: RecordingProxy;
        let restart: LocalProcess;
        let source: RunningAdapter | undefined;
        let startSource: () => Promise<RunningAdapter>;
        let resync: () => Promise<Delivery>;
        const restartLog: string[] = [];
        let barriers = 0;

        const kubectl = async (args: string[], input?: string) =>
          (await cp.kubectl(['-n', ns, ...args], input === undefined ? {} : { input })).stdout;
        let templates: TemplateWatch;
        const rollouts = (name: string) => templates.rollouts(name);
        const rolloutsOf = async (names: string[]) =>
          Object.fromEntries(await Promise.all(names.map(async (n) => [n, await rollouts(n)] as const)));
        const delta = (before: Record<string, number>, after: Record<string, number>) =>
          Object.fromEntries(Object.keys(before).map((n) => [n, after[n]! - before[n]!]));
        // The adapter sends one event at a time, in watch order: once an update of the marker (watched,
        // but no workload uses it) is answered, every ConfigMap change made before it has been answered,
        // and a change that sent nothing (a no-op) never will. No sleeps, no guessing.
        const barrier = async () => {
          barriers += 1;
          const n = barriers;
          await kubectl(['annotate', 'configmap', 'zz-marker', `reroll.dev/barrier=${n}`, '--overwrite']);
          await proxy.waitFor((d) => d.headers['ce-name'] === 'zz-marker' && markerCount() >= n);
        };
        const markerCount = () => proxy.deliveries.filter((d) => d.headers['ce-name'] === 'zz-marker').length;
        const deliveriesFor = (name: string) => proxy.deliveries.filter((d) => d.headers['ce-name'] === name);
        const WORKLOADS = ['helloworld-test', 'helloworld-prod'];
        // a Deployment that opts in and takes all its env from one ConfigMap or Secret
        const createWorkload = (name: string, envFrom: object) =>
          apps.createNamespacedDeployment({
            namespace: ns,
            body: {
              metadata: { name, annotations: { 'rolling.restart.controller/restartOnTrigger': 'true' } },
              spec: {
                selector: { matchLabels: { app: name } },
                template: {
                  metadata: { labels: { app: name } },
                  spec: { containers: [{ name: 'app', image: 'example.invalid/app', envFrom: [envFrom] }] },
                },
              },
            },
          });

        beforeAll(async () => {
          ns = await cp.createNamespace(`rt-restart-v${adapter.version.replace(/\./g, '')}`);
          await applyKustomize(cp, ['knative', 'kustomize/overlays/test', 'kustomize/overlays/prod'], {
            namespace: ns,
            components: ['knative/optional/watch-secrets'],
          });
          templates = await startTemplateWatch(cp.kubeConfig, ns);
          await kubectl(['create', 'configmap', 'zz-marker']);
          await kubectl(['label', 'configmap', 'zz-marker', 'reroll.dev/watch=true']);

          // the function: its Knative Service's env, its namespace, its ServiceAccount's token
          const podSpec = readFunctionSpec(
            JSON.parse(await kubectl(['get', 'services.serving.knative.dev', 'restart', '-o', 'json'])),
          );
          const env = podSpec.env;
          const restartToken = await cp.tokenFor(ns, podSpec.serviceAccountName);
          restart = startLocalProcess({
            script: RESTART_BUNDLE,
            env: {
              ...env,
              REROLL_NAMESPACES: ns,
              LOG_FORMAT: 'text',
              KUBECONFIG: await cp.kubeconfigFor(restartToken, ns),
            },
            port: await findFreePort(),
            log: (line) => restartLog.push(line),
          });
          await restart.waitReady(60_000);
          proxy = await startRecordingProxy(() => `http://127.0.0.1:${restart.port}`);

          // the adapter: configured from the ApiServerSource as rendered and stored
          const spec = parseApiServerSource(
            JSON.parse(await kubectl(['get', 'apiserversource', 'reroll-source', '-o', 'json'])),
          );
          const sourceSa = (
            JSON.parse(await kubectl(['get', 'apiserversource', 'reroll-source', '-o', 'json'])) as {
              spec: { serviceAccountName: string };
            }
          ).spec.serviceAccountName;
          const sourceKubeconfig = await cp.kubeconfigFor(await cp.tokenFor(ns, sourceSa));
          startSource = () =>
            startAdapter({
              controlPlane: cp,
              ...adapter,
              kubeconfig: sourceKubeconfig,
              sink: proxy.url,
              name: spec.name,
              namespaces: [spec.namespace],
              mode: spec.mode,
              resources: spec.resources.map((r) => ({ ...gvrOf(r.apiVersion, r.kind), selector: r.labelSelector })),
            });
          source = await startSource();

          // the resync: what the PingSource's adapter would send, posted through the same sink
          const ping = parsePingSource(JSON.parse(await kubectl(['get', 'pingsource', 'reroll-resync', '-o', 'json'])));
          resync = async () => {
            const req = formatPingEvent(ping);
            const before = proxy.deliveries.length;
            const res = await fetch(`${proxy.url}/`, { method: 'POST', headers: req.headers, body: req.body });
            expect(res.status).toBe(200);
            return proxy.deliveries[before]!;
          };
        }, 180_000); // apply, start the function and the adapter: slow on two shared cores

        afterAll(async () => {
          templates?.stop();
          await source?.stop();
          await restart?.stop();
          await proxy?.stop();
        });

        it('sends nothing for the objects applied before it started; nothing rolled by the install', async () => {
          await barrier();
          expect(proxy.deliveries.map((d) => d.headers['ce-name'])).toEqual(['zz-marker']);
          for (const name of WORKLOADS) expect(await rollouts(name)).toBe(0);
        });

        it("seed 000: patching the test ConfigMap rolls only the test Deployment, then prod's only prod", async () => {
          const before = await rolloutsOf(WORKLOADS);
          await kubectl([
            'patch',
            'configmap',
            'helloworld-test',
            '--type',
            'merge',
            '-p',
            '{"data":{"message":"changed TEST"}}',
          ]);
          await barrier();
          expect(delta(before, await rolloutsOf(WORKLOADS))).toEqual({ 'helloworld-test': 1, 'helloworld-prod': 0 });
          expect(restartLog.join('\n')).toContain(`[event] type=MODIFIED configmap=helloworld-test env=test`);
          expect(restartLog.join('\n')).toMatch(/\[restart\] patched deployment=helloworld-test restartedAt=\S+/);
          await kubectl([
            'patch',
            'configmap',
            'helloworld-prod',
            '--type',
            'merge',
            '-p',
            '{"data":{"message":"changed PROD"}}',
          ]);
          await barrier();
          expect(delta(before, await rolloutsOf(WORKLOADS))).toEqual({ 'helloworld-test': 1, 'helloworld-prod': 1 });
          const template = (await apps.readNamespacedDeployment({ name: 'helloworld-prod', namespace: ns })).spec
            ?.template.metadata?.annotations;
          expect(template?.[RESTARTED]).toMatch(/^\d{4}-\d\d-\d\dT/);
        });

        it('metadata-only annotate, same-value merge patch and same-value server-side apply roll nothing', async () => {
          const before = await rolloutsOf(WORKLOADS);
          const sentBefore = deliveriesFor('helloworld-test').length;
          await kubectl(['annotate', 'configmap', 'helloworld-test', 'reroll.dev/note=metadata-only', '--overwrite']);
          await kubectl([
            'patch',
            'configmap',
            'helloworld-test',
            '--type',
            'merge',
            '-p',
            '{"data":{"message":"changed TEST"}}',
          ]);
          await kubectl(
            ['apply', '--server-side', '--field-manager=noop-test', '-f', '-'],
            JSON.stringify({
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'helloworld-test' },
              data: { message: 'changed TEST' },
            }),
          );
          await barrier();
          // the recordings: an update for the annotate and for the new manager, none for the no-op patch
          expect(deliveriesFor('helloworld-test').length - sentBefore).toBe(2);
          expect(delta(before, await rolloutsOf(WORKLOADS))).toEqual({ 'helloworld-test': 0, 'helloworld-prod': 0 });
        });

        it('five rapid patches: at least one rollout, at most one per change, converged on the last', async () => {
          const before = await rolloutsOf(WORKLOADS);
          for (let i = 1; i <= 5; i++)
            await kubectl([
              'patch',
              'configmap',
              'helloworld-test',
              '--type',
              'merge',
              '-p',
              `{"data":{"message":"rapid-${i}"}}`,
            ]);
          await barrier();
          const rolled = delta(before, await rolloutsOf(WORKLOADS));
          expect(rolled['helloworld-prod']).toBe(0);
          expect(rolled['helloworld-test']).toBeGreaterThanOrEqual(1);
          expect(rolled['helloworld-test']).toBeLessThanOrEqual(5);
          // converged: a resync now finds nothing to roll
          const answer = await resync();
          expect(decisionsOf(answer).filter((d) => d.action === 'rolled')).toEqual([]);
          expect(delta(before, await rolloutsOf(WORKLOADS))).toEqual(rolled);
        });

        it('label removal (a delete for a live object) and re-adding (an add) roll nothing', async () => {
          const before = await rolloutsOf(WORKLOADS);
          const sentBefore = deliveriesFor('helloworld-test').length;
          await kubectl(['label', 'configmap', 'helloworld-test', 'reroll.dev/watch-']);
          await kubectl(['label', 'configmap', 'helloworld-test', 'reroll.dev/watch=true']);
          await barrier();
          const sent = deliveriesFor('helloworld-test').slice(sentBefore);
          expect(sent.map((d) => d.headers['ce-type'])).toEqual([
            'dev.knative.apiserver.ref.delete',
            'dev.knative.apiserver.ref.add',
          ]);
          expect(delta(before, await rolloutsOf(WORKLOADS))).toEqual({ 'helloworld-test': 0, 'helloworld-prod': 0 });
        });

        it('create records the hash without a rollout; a data patch rolls once; delete rolls nothing', async () => {
          await createWorkload('app-new', { configMapRef: { name: 'helloworld-new' } });
          const start = await rollouts('app-new');
          await kubectl(
            ['create', '-f', '-'],
            JSON.stringify({
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: {
                name: 'helloworld-new',
                labels: { 'reroll.dev/watch': 'true' },
                annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
              },
              data: { message: 'new' },
            }),
          );
          await barrier();
          const recorded = await apps.readNamespacedDeployment({ name: 'app-new', namespace: ns });
          expect(recorded.metadata?.annotations?.[HASH]).toMatch(/^[0-9a-f]{16,64}$/);
          expect(await rollouts('app-new')).toBe(start);
          await kubectl([
            'patch',
            'configmap',
            'helloworld-new',
            '--type',
            'merge',
            '-p',
            '{"data":{"message":"newer"}}',
          ]);
          await barrier();
          expect(await rollouts('app-new')).toBe(start + 1);
          await kubectl(['delete', 'configmap', 'helloworld-new']);
          await barrier();
          expect(deliveriesFor('helloworld-new').map((d) => d.headers['ce-type'])).toEqual([
            'dev.knative.apiserver.ref.add',
            'dev.knative.apiserver.ref.update',
            'dev.knative.apiserver.ref.delete',
          ]);
          expect(await rollouts('app-new')).toBe(start + 1);
        });

        it('a Secret in Reference mode: add records, a real change rolls once, delete rolls nothing', async () => {
          await createWorkload('app-secret', { secretRef: { name: 'helloworld-secret' } });
          const start = await rollouts('app-secret');
          const secretEvents = (n: number) => proxy.waitFor(() => deliveriesFor('helloworld-secret').length >= n);
          await kubectl(
            ['create', '-f', '-'],
            JSON.stringify({
              apiVersion: 'v1',
              kind: 'Secret',
              metadata: {
                name: 'helloworld-secret',
                labels: { 'reroll.dev/watch': 'true' },
                annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
              },
              stringData: { PASSWORD: 's3cret' },
            }),
          );
          await secretEvents(1);
          expect(await rollouts('app-secret')).toBe(start);
          await kubectl([
            'patch',
            'secret',
            'helloworld-secret',
            '--type',
            'merge',
            '-p',
            '{"stringData":{"PASSWORD":"n3w"}}',
          ]);
          await secretEvents(2);
          expect(await rollouts('app-secret')).toBe(start + 1);
          await kubectl(['delete', 'secret', 'helloworld-secret']);
          await secretEvents(3);
          const sent = deliveriesFor('helloworld-secret');
          expect(sent.map((d) => [d.headers['ce-type'], d.headers['ce-kind']])).toEqual([
            ['dev.knative.apiserver.ref.add', 'Secret'],
            ['dev.knative.apiserver.ref.update', 'Secret'],
            ['dev.knative.apiserver.ref.delete', 'Secret'],
          ]);
          // Reference mode: no Secret value ever travels in an event
          for (const d of sent) expect(d.body).not.toMatch(/s3cret|n3w|czNjcmV0|bjN3/);
          expect(await rollouts('app-secret')).toBe(start + 1);
        });

        it('a change made while the adapter is down is missed until the resync, which rolls it once', async () => {
          await source!.stop();
          source = undefined;
          const before = await rolloutsOf(WORKLOADS);
          await kubectl([
            'patch',
            'configmap',
            'helloworld-prod',
            '--type',
            'merge',
            '-p',
            '{"data":{"message":"while stopped"}}',
          ]);
          source = await startSource();
          await barrier();
          expect(delta(before, await rolloutsOf(WORKLOADS))).toEqual({ 'helloworld-test': 0, 'helloworld-prod': 0 });
          const answer = await resync();
          expect(
            decisionsOf(answer)
              .filter((d) => d.action === 'rolled')
              .map((d) => d.name),
          ).toEqual(['helloworld-prod']);
          expect(delta(before, await rolloutsOf(WORKLOADS))).toEqual({ 'helloworld-test': 0, 'helloworld-prod': 1 });
          await kubectl([
            'patch',
            'configmap',
            'helloworld-prod',
            '--type',
            'merge',
            '-p',
            '{"data":{"message":"after restart"}}',
          ]);
          await barrier();
          expect(delta(before, await rolloutsOf(WORKLOADS))).toEqual({ 'helloworld-test': 0, 'helloworld-prod': 2 });
        });

        it('a final resync rolls nothing; the hello Knative Service was recorded, never rolled', async () => {
          const before = await rolloutsOf([...WORKLOADS, 'app-new', 'app-secret']);
          const answer = await resync();
          expect(decisionsOf(answer).filter((d) => d.action === 'rolled' || d.action === 'failed')).toEqual([]);
          expect(await rolloutsOf([...WORKLOADS, 'app-new', 'app-secret'])).toEqual(before);
          const hello = (await custom.getNamespacedCustomObject({
            group: 'serving.knative.dev',
            version: 'v1',
            namespace: ns,
            plural: 'services',
            name: 'hello',
          })) as {
            metadata: { annotations?: Record<string, string> };
            spec: { template: { metadata?: { annotations?: Record<string, string> } } };
          };
          expect(hello.metadata.annotations?.[HASH]).toMatch(/^[0-9a-f]{16,64}$/);
          expect(hello.spec.template.metadata?.annotations?.[RESTARTED]).toBeUndefined();
        });

        it(`every delivery of v${adapter.version} was accepted (200), and no request got a 403`, async () => {
          const statuses = proxy.deliveries.map((d) => d.status);
          expect(statuses.filter((s) => s !== 200)).toEqual([]);
          expect(proxy.deliveries.flatMap(decisionsOf).filter((d) => d.action === 'failed')).toEqual([]);
          // the shapes this build sends: v1.12.6 adds ce-apiversion and kn-namespace, v1.8.8 neither
          const fromAdapter = proxy.deliveries.filter((d) =>
            d.headers['ce-type']?.startsWith('dev.knative.apiserver.'),
          );
          const newer = adapter.version === '1.12.6';
          for (const d of fromAdapter) {
            expect(d.headers['ce-apiversion']).toBe(newer ? 'v1' : undefined);
            expect(d.headers['kn-namespace']).toBe(newer ? ns : undefined);
          }
          const users = ['reroll-restart', 'reroll-source'].map((sa) => `system:serviceaccount:${ns}:${sa}`);
          const mine = (await cp.auditEvents()).filter((e) => users.includes(e.user.username));
          expect(mine.length).toBeGreaterThan(0);
          expect(
            mine
              .filter((e) => e.responseStatus?.code === 403)
              .map((e) => `${e.user.username} ${e.verb} ${e.requestURI}`),
          ).toEqual([]);
        });
      });
    }
  },
  { adapters: true },
);
