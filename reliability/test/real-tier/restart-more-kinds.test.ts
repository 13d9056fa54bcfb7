// Issue 13 "More kinds", real tier: a real kube-apiserver with the Argo Rollout CRD installed, the
// restart bundle running as the reroll-restart ServiceAccount (the Role rendered from knative/), the
// real Knative adapter as reroll-source. A CronJob (suspended and not) and a Rollout roll once per real
// change, never on a duplicate delivery or a metadata-only change; no Job is created, a CronJob's
// schedule and suspend are left alone, a Rollout borrowing a Deployment's template is skipped (the
// resync says why), and
// the apiserver's audit log shows no 403 and no write but the patches and the Events.
import { applyKustomize, crdFile, findFreePort, installCrds, startAdapter, type RunningAdapter } from '@reroll/envtest';
import { describeRealTier, realTierAssets, useControlPlane } from '@reroll/envtest/vitest';
import { formatPingEvent, parseApiServerSource, parsePingSource } from '@reroll/local/source';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startLocalProcess, type LocalProcess } from '../../../local/src/runner/local-process';
import { startPodTemplateWatch, type PodTemplateWatch } from '../helpers/pod-template-watch';
import { startRecordingProxy, type Delivery, type RecordingProxy } from '../helpers/recording-proxy';
import { readFunctionSpec } from '../helpers/function-spec';

const RESTART_BUNDLE = fileURLToPath(new URL('../../../functions/restart/dist/restart.mjs', import.meta.url));
const HASH = 'rolling.restart.controller/configHash';
const OPT_IN = 'rolling.restart.controller/restartOnTrigger';
const CONFIG = 'kinds-config';
const CRDS = [
  crdFile('serving.knative.dev', 'services'),
  crdFile('sources.knative.dev', 'apiserversources'),
  crdFile('sources.knative.dev', 'pingsources'),
  crdFile('networking.istio.io', 'gateways'),
  crdFile('networking.istio.io', 'virtualservices'),
  crdFile('argoproj.io', 'rollouts'),
];

type Json = Record<string, unknown>;
const get = (o: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((v, k) => (v as Json | undefined)?.[k], o);

const container = { name: 'app', image: 'example.invalid/app', envFrom: [{ configMapRef: { name: CONFIG } }] };
const meta = (name: string) => ({ name, annotations: { [OPT_IN]: 'true' } });
const cronJob = (name: string, suspend: boolean) => ({
  apiVersion: 'batch/v1',
  kind: 'CronJob',
  metadata: meta(name),
  // 03:00 UTC on 30 February: a schedule that never fires, so any Job would be reroll's doing
  spec: {
    schedule: '0 3 30 2 *',
    suspend,
    jobTemplate: { spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } } } },
  },
});
const WORKLOADS = [
  cronJob('nightly', false),
  cronJob('paused', true),
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: meta('web'),
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      strategy: { canary: { steps: [{ setWeight: 20 }, { pause: {} }] } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [container] } },
    },
  },
  {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Rollout',
    metadata: meta('web-ref'),
    spec: { replicas: 2, workloadRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web-ref' } },
  },
];

interface Decision {
  kind: string;
  name: string;
  action: string;
  reason: string;
}
const decisionsOf = (d: Delivery) => (d.answer as { decisions?: Decision[] }).decisions ?? [];
const summary = (d: Delivery) =>
  decisionsOf(d)
    .map((x) => `${x.kind}/${x.name} ${x.action}`)
    .sort();

describeRealTier(
  'restart function: CronJob and Argo Rollout on the real apiserver',
  () => {
    const cp = useControlPlane();
    // one adapter build is enough here: issue 11's test runs both over the same function
    const adapter = realTierAssets().adapters.find((a) => a.version === '1.12.6') ?? realTierAssets().adapters[0]!;
    let ns = '';
    let proxy: RecordingProxy;
    let restart: LocalProcess;
    let source: RunningAdapter | undefined;
    let cronJobs: PodTemplateWatch;
    let rolloutsWatch: PodTemplateWatch;
    const restartLog: string[] = [];
    let barriers = 0;

    const kubectl = async (args: string[], input?: string) =>
      (await cp.kubectl(['-n', ns, ...args], input === undefined ? {} : { input })).stdout;
    const read = async (resource: string, name: string) =>
      JSON.parse(await kubectl(['get', resource, name, '-o', 'json'])) as Json;
    const markerCount = () => proxy.deliveries.filter((d) => d.headers['ce-name'] === 'zz-marker').length;
    const barrier = async () => {
      barriers += 1;
      const n = barriers;
      await kubectl(['annotate', 'configmap', 'zz-marker', `reroll.dev/barrier=${n}`, '--overwrite']);
      await proxy.waitFor((d) => d.headers['ce-name'] === 'zz-marker' && markerCount() >= n);
    };
    const deliveriesFor = () => proxy.deliveries.filter((d) => d.headers['ce-name'] === CONFIG);
    const counts = async () => ({
      nightly: await cronJobs.rollouts('nightly'),
      paused: await cronJobs.rollouts('paused'),
      web: await rolloutsWatch.rollouts('web'),
      'web-ref': await rolloutsWatch.rollouts('web-ref'),
    });
    const patchConfig = (message: string) =>
      kubectl(['patch', 'configmap', CONFIG, '--type', 'merge', '-p', JSON.stringify({ data: { message } })]);

    beforeAll(async () => {
      if (!existsSync(RESTART_BUNDLE))
        throw new Error(`${RESTART_BUNDLE} missing: npm run build --workspace functions/restart`);
      await installCrds(cp, CRDS);
      ns = await cp.createNamespace('rt-kinds');
      await applyKustomize(cp, ['knative'], { namespace: ns });
      await kubectl(['create', 'configmap', 'zz-marker']);
      await kubectl(['label', 'configmap', 'zz-marker', 'reroll.dev/watch=true']);
      for (const w of WORKLOADS) await kubectl(['create', '-f', '-'], JSON.stringify(w));
      cronJobs = await startPodTemplateWatch(cp.kubeConfig, ns, {
        group: 'batch',
        version: 'v1',
        plural: 'cronjobs',
        templateOf: (o) => get(o, 'spec.jobTemplate.spec.template'),
      });
      rolloutsWatch = await startPodTemplateWatch(cp.kubeConfig, ns, {
        group: 'argoproj.io',
        version: 'v1alpha1',
        plural: 'rollouts',
        templateOf: (o) => get(o, 'spec.template'),
      });

      // the function: its Knative Service's env, its namespace, its ServiceAccount's token
      const ksvc = await read('services.serving.knative.dev', 'restart');
      const podSpec = readFunctionSpec(ksvc);
      const env = podSpec.env;
      restart = startLocalProcess({
        script: RESTART_BUNDLE,
        env: {
          ...env,
          REROLL_NAMESPACES: ns,
          LOG_FORMAT: 'text',
          KUBECONFIG: await cp.kubeconfigFor(await cp.tokenFor(ns, podSpec.serviceAccountName), ns),
        },
        port: await findFreePort(),
        log: (line) => restartLog.push(line),
      });
      await restart.waitReady(60_000);
      proxy = await startRecordingProxy(() => `http://127.0.0.1:${restart.port}`);

      const stored = JSON.parse(await kubectl(['get', 'apiserversource', 'reroll-source', '-o', 'json'])) as Json;
      const spec = parseApiServerSource(stored);
      source = await startAdapter({
        controlPlane: cp,
        ...adapter,
        kubeconfig: await cp.kubeconfigFor(await cp.tokenFor(ns, String(get(stored, 'spec.serviceAccountName')))),
        sink: proxy.url,
        name: spec.name,
        namespaces: [spec.namespace],
        mode: spec.mode,
        resources: spec.resources.map((r) => ({
          group: r.apiVersion.includes('/') ? r.apiVersion.split('/')[0]! : '',
          version: r.apiVersion.split('/').at(-1)!,
          resource: `${r.kind.toLowerCase()}s`,
          selector: r.labelSelector,
        })),
      });
    }, 180_000);

    afterAll(async () => {
      cronJobs?.stop();
      rolloutsWatch?.stop();
      await source?.stop();
      await restart?.stop();
      await proxy?.stop();
    });

    it('the ConfigMap appearing records the hash on each workload; nothing rolls', async () => {
      await kubectl(
        ['create', '-f', '-'],
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'ConfigMap',
          metadata: {
            name: CONFIG,
            labels: { 'reroll.dev/watch': 'true', app: 'kinds', env: 'test' },
            annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
          },
          data: { message: 'one' },
        }),
      );
      await barrier();
      expect(deliveriesFor().map((d) => d.headers['ce-type'])).toEqual(['dev.knative.apiserver.ref.add']);
      expect(summary(deliveriesFor()[0]!)).toEqual([
        'CronJob/nightly recorded',
        'CronJob/paused recorded',
        'Rollout/web recorded',
      ]);
      expect(await counts()).toEqual({ nightly: 0, paused: 0, web: 0, 'web-ref': 0 });
      for (const [resource, name] of [
        ['cronjobs', 'nightly'],
        ['cronjobs', 'paused'],
        ['rollouts.argoproj.io', 'web'],
      ] as const)
        expect(get(await read(resource, name), 'metadata.annotations')).toHaveProperty([HASH]);
    });

    it('a real change rolls each once: the job templates and the Rollout template, suspend and schedule kept', async () => {
      await patchConfig('two');
      await barrier();
      expect(await counts()).toEqual({ nightly: 1, paused: 1, web: 1, 'web-ref': 0 });
      const last = deliveriesFor().at(-1)!;
      expect(summary(last)).toEqual(['CronJob/nightly rolled', 'CronJob/paused rolled', 'Rollout/web rolled']);
      for (const [name, suspend] of [
        ['nightly', false],
        ['paused', true],
      ] as const) {
        const cj = await read('cronjobs', name);
        expect([get(cj, 'spec.schedule'), get(cj, 'spec.suspend')]).toEqual(['0 3 30 2 *', suspend]);
        const recorded = (get(cj, 'metadata.annotations') as Record<string, string>)[HASH];
        expect(get(cj, 'spec.jobTemplate.spec.template.metadata.annotations')).toMatchObject({ [HASH]: recorded });
      }
      expect(restartLog.join('\n')).toMatch(/\[restart\] patched cronjob=paused restartedAt=\S+/);
    });

    it('a duplicate delivery and a metadata-only change roll nothing', async () => {
      const before = await counts();
      const last = deliveriesFor().at(-1)!;
      const replay = await fetch(`${proxy.url}/`, { method: 'POST', headers: last.headers, body: last.body });
      expect(replay.status).toBe(200);
      await kubectl(['annotate', 'configmap', CONFIG, 'reroll.dev/note=metadata-only', '--overwrite']);
      await barrier();
      expect(await counts()).toEqual(before);
      const answered = deliveriesFor().slice(-2);
      for (const d of answered)
        expect(summary(d)).toEqual(['CronJob/nightly unchanged', 'CronJob/paused unchanged', 'Rollout/web unchanged']);
    });

    it('a resync (REROLL_MATCH=reference: nothing references the Rollout borrowing a template) reports it skipped', async () => {
      const ping = parsePingSource(JSON.parse(await kubectl(['get', 'pingsource', 'reroll-resync', '-o', 'json'])));
      const req = formatPingEvent(ping);
      const before = proxy.deliveries.length;
      expect((await fetch(`${proxy.url}/`, { method: 'POST', headers: req.headers, body: req.body })).status).toBe(200);
      const answer = proxy.deliveries[before]!;
      // (knative/'s hello Knative Service is in the namespace too: the resync records it)
      expect(summary(answer).filter((d) => /^(CronJob|Rollout)\//.test(d))).toEqual([
        'CronJob/nightly unchanged',
        'CronJob/paused unchanged',
        'Rollout/web unchanged',
        'Rollout/web-ref skipped',
      ]);
      expect(decisionsOf(answer).find((d) => d.name === 'web-ref')?.reason).toMatch(
        new RegExp(`uses Deployment ${ns}/web-ref's \\(spec\\.workloadRef\\)`),
      );
    });

    it('the next real change rolls each once more', async () => {
      await patchConfig('three');
      await barrier();
      expect(await counts()).toEqual({ nightly: 2, paused: 2, web: 2, 'web-ref': 0 });
    });

    it('no Job exists, no 403, and the function wrote only patches of its workloads and Events', async () => {
      expect(JSON.parse(await kubectl(['get', 'jobs', '-o', 'json'])) as Json).toMatchObject({ items: [] });
      const users = ['reroll-restart', 'reroll-source'].map((sa) => `system:serviceaccount:${ns}:${sa}`);
      const mine = (await cp.auditEvents()).filter((e) => users.includes(e.user.username));
      expect(mine.length).toBeGreaterThan(0);
      expect(
        mine.filter((e) => e.responseStatus?.code === 403).map((e) => `${e.user.username} ${e.verb} ${e.requestURI}`),
      ).toEqual([]);
      const writes = mine
        .filter((e) => !['get', 'list', 'watch'].includes(e.verb))
        .map(
          (e) =>
            `${e.user.username.split(':').at(-1)} ${e.verb} ${e.objectRef?.apiGroup ?? ''}/${e.objectRef?.resource}`,
        );
      const allowed = [
        'reroll-restart create events.k8s.io/events',
        'reroll-restart patch events.k8s.io/events', // a repeated Event's series
        'reroll-restart patch argoproj.io/rollouts',
        'reroll-restart patch batch/cronjobs',
        'reroll-restart patch serving.knative.dev/services', // the resync recorded knative/'s hello ksvc
      ];
      expect(writes.filter((w) => !allowed.includes(w))).toEqual([]);
      expect(writes).toContain('reroll-restart patch argoproj.io/rollouts');
      expect(writes).toContain('reroll-restart patch batch/cronjobs');
      expect(proxy.deliveries.filter((d) => d.status !== 200)).toEqual([]);
    });
  },
  { adapters: true },
);
