// THE table of contract cases: each runs unchanged through client-node and through kubectl, on
// the emulator and on a real kube-apiserver, and must give the same outcome on both. Objects are
// realistic manifests; expectations are what a user of either client would see. They read the
// server only through HTTP (Target); what varies between runs (uids, timestamps, resourceVersion
// values) is matched by shape, and the system ConfigMaps of a real namespace are left out
// (targets.ts says which and why).
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { EmulatorOptions } from '../../../src/emulator/index';
import type { Json, Op, Outcome } from './operations';
import type { Target } from './targets';

export interface ContractCase {
  name: string;
  /** options of the emulator this case starts (ignored on the real apiserver) */
  emulator?: EmulatorOptions;
  /** why the case cannot run on a real apiserver (skipped there, the reason in its name) */
  onlyOnEmulator?: string;
  seed?: Record<string, unknown>[];
  /** run through the same driver before op (their outcomes must be ok) */
  before?: Op[];
  op: Op | ((t: Target) => Op);
  expect: (out: Outcome, t: Target) => void | Promise<void>;
}

/** the table for one target's namespaces: `NS` (the case's own) and `OTHER` (a second one) */
export function contractCases(NS: string, OTHER: string): ContractCase[] {
  const cm = (name: string, data: Record<string, string> = { MESSAGE: 'hello' }, labels?: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name, namespace: NS, ...(labels ? { labels } : {}) },
    data,
  });

  const deployment = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels: { app: 'helloworld' } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'ghcr.io/reroll/hello:1.0.0',
              env: [{ name: 'ENV_MESSAGE', valueFrom: { configMapKeyRef: { name: 'hello-config', key: 'MESSAGE' } } }],
              ports: [{ containerPort: 8080 }],
            },
            { name: 'sidecar', image: 'busybox:1.36', args: ['sleep', 'infinity'] },
          ],
        },
      },
      ...extra,
    },
  });

  const statefulSet = (name: string) => ({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: {
      serviceName: name,
      replicas: 1,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image: 'postgres:16' }] } },
    },
  });

  const cronJob = (name: string) => ({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: NS },
    spec: {
      schedule: '0 3 * * *',
      jobTemplate: {
        spec: {
          template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'job', image: 'busybox:1.36' }] } },
        },
      },
    },
  });

  const ksvc = (name: string, image = 'ghcr.io/reroll/restart:1.0.0') => ({
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: { name, namespace: NS },
    spec: {
      template: {
        metadata: { annotations: { 'autoscaling.knative.dev/min-scale': '0' } },
        spec: { containers: [{ image }] },
      },
    },
  });

  const ns = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  const ref = (apiVersion: string, kind: string, name: string, namespace: string | undefined = NS) => ({
    apiVersion,
    kind,
    name,
    namespace,
  });
  const cmRef = (name: string) => ref('v1', 'ConfigMap', name);
  const deployRef = (name: string) => ref('apps/v1', 'Deployment', name);

  /** An error outcome: the exact Status body where the driver sees it, else kubectl's printed reason and message. */
  function expectStatus(
    out: Outcome,
    s: { code: number; reason: string; message: string; details?: Record<string, unknown> },
  ): void {
    expect(out.ok, JSON.stringify(out)).toBe(false);
    if (out.ok) return;
    if (out.body) {
      const expected: Record<string, unknown> = {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: s.message,
        reason: s.reason,
        code: s.code,
      };
      if (s.details) expected.details = s.details;
      expect(out.body).toEqual(expected);
    } else {
      if (out.reason) expect(out.reason).toBe(s.reason);
      expect(out.message).toContain(s.message);
    }
  }

  function ok(out: Outcome): Extract<Outcome, { ok: true }> {
    expect(out.ok, JSON.stringify(out).slice(0, 2000)).toBe(true);
    return out as Extract<Outcome, { ok: true }>;
  }

  const SYSTEM_CMS = ['kube-root-ca.crt', 'openshift-service-ca.crt'];
  const names = (out: Outcome) =>
    (ok(out).items ?? [])
      .map((o) => o.metadata.name as string)
      .filter((n) => !SYSTEM_CMS.includes(n))
      .sort();

  const stored = (t: Target, apiVersion: string, kind: string, name: string, namespace: string | undefined = NS) =>
    t.read(apiVersion, kind, name, namespace);
  const storedCm = (t: Target, name: string, namespace = NS) => stored(t, 'v1', 'ConfigMap', name, namespace);
  const storedDeploy = (t: Target, name: string) => stored(t, 'apps/v1', 'Deployment', name);
  /** the ConfigMaps of a namespace, less the system ones a real control plane adds (targets.ts) */
  const cmsIn = (t: Target, namespace = NS) => t.list('v1', 'ConfigMap', namespace);

  const TOO_LONG = 'Too long: must have at most 1048576 bytes';
  const CONFLICT =
    'Operation cannot be fulfilled on configmaps "hello-config": the object has been modified; ' +
    'please apply your changes to the latest version and try again';

  const selectorCases: Array<[string, string[]]> = [
    ['env=test', ['a-test', 'c-test']],
    ['env==prod', ['b-prod']],
    ['env!=test', ['b-prod', 'd-none']],
    ['env in (prod,test)', ['a-test', 'b-prod', 'c-test']],
    ['env notin (test)', ['b-prod', 'd-none']],
    ['env', ['a-test', 'b-prod', 'c-test']],
    ['!env', ['d-none']],
    ['app=helloworld,env=test', ['a-test']],
  ];
  const selectorSeed = [
    cm('a-test', {}, { app: 'helloworld', env: 'test' }),
    cm('b-prod', {}, { app: 'helloworld', env: 'prod' }),
    cm('c-test', {}, { app: 'other', env: 'test' }),
    cm('d-none', {}, { app: 'helloworld' }),
  ];

  const CASES: ContractCase[] = [
    {
      name: 'get an existing ConfigMap returns it with system fields',
      seed: [cm('hello-config')],
      op: { op: 'get', ...cmRef('hello-config') },
      expect: (out) => {
        const o = ok(out).object!;
        expect(o.data).toEqual({ MESSAGE: 'hello' });
        expect(o.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
        expect(Number(o.metadata.resourceVersion)).toBeGreaterThan(0);
        expect(o.metadata.creationTimestamp).toBeTruthy();
        expect(o.metadata.generation).toBeUndefined();
      },
    },
    {
      name: 'get a missing ConfigMap is 404 NotFound',
      seed: [ns(NS)],
      op: { op: 'get', ...cmRef('nope') },
      expect: (out) =>
        expectStatus(out, {
          code: 404,
          reason: 'NotFound',
          message: 'configmaps "nope" not found',
          details: { name: 'nope', kind: 'configmaps' },
        }),
    },
    {
      name: 'get a missing Deployment names its group',
      seed: [ns(NS)],
      op: { op: 'get', ...deployRef('nope') },
      expect: (out) =>
        expectStatus(out, {
          code: 404,
          reason: 'NotFound',
          message: 'deployments.apps "nope" not found',
          details: { name: 'nope', group: 'apps', kind: 'deployments' },
        }),
    },
    {
      name: 'create a Deployment sets generation 1 and a settled status',
      seed: [ns(NS)],
      op: { op: 'create', object: deployment('hello') },
      expect: async (out, t) => {
        const o = ok(out).object!;
        expect(o.metadata.generation).toBe(1);
        // the deployment controller observes it on both; only the emulator's pods become ready
        const s = await t.eventually(async () => {
          const d = await storedDeploy(t, 'hello');
          return d?.status?.observedGeneration === 1 && d.status.updatedReplicas === 2 ? d : undefined;
        });
        expect(s?.status).toMatchObject({ observedGeneration: 1, replicas: 2, updatedReplicas: 2 });
        if (t.simulatesControllers) expect(s!.status).toMatchObject({ readyReplicas: 2, availableReplicas: 2 });
        else expect(s!.status.readyReplicas).toBeUndefined();
      },
    },
    {
      name: 'create an existing name is 409 AlreadyExists',
      seed: [cm('hello-config')],
      op: { op: 'create', object: cm('hello-config') },
      expect: (out) =>
        expectStatus(out, {
          code: 409,
          reason: 'AlreadyExists',
          message: 'configmaps "hello-config" already exists',
          details: { name: 'hello-config', kind: 'configmaps' },
        }),
    },
    {
      name: 'create in a missing namespace is 404 for the namespace',
      op: { op: 'create', object: { ...cm('x'), metadata: { name: 'x', namespace: 'ghost' } } },
      expect: (out) =>
        expectStatus(out, {
          code: 404,
          reason: 'NotFound',
          message: 'namespaces "ghost" not found',
          details: { name: 'ghost', kind: 'namespaces' },
        }),
    },
    {
      name: 'create with a non-DNS-1123 name is 422 Invalid',
      seed: [ns(NS)],
      op: { op: 'create', object: cm('Bad_Name') },
      expect: (out) => {
        const detail = `Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`;
        expectStatus(out, {
          code: 422,
          reason: 'Invalid',
          message: `ConfigMap "Bad_Name" is invalid: metadata.name: ${detail}`,
          details: {
            name: 'Bad_Name',
            kind: 'ConfigMap',
            causes: [{ reason: 'FieldValueInvalid', message: detail, field: 'metadata.name' }],
          },
        });
      },
    },
    {
      name: 'a ConfigMap over 1 MiB is 422 Invalid with the apiserver message',
      seed: [ns(NS)],
      op: { op: 'create', object: cm('big', { blob: 'x'.repeat(1024 * 1024 + 1) }) },
      expect: async (out, t) => {
        expectStatus(out, {
          code: 422,
          reason: 'Invalid',
          message: `ConfigMap "big" is invalid: []: ${TOO_LONG}`,
          details: {
            name: 'big',
            kind: 'ConfigMap',
            causes: [{ reason: 'FieldValueTooLong', message: TOO_LONG, field: '[]' }],
          },
        });
        expect(await storedCm(t, 'big')).toBeUndefined();
      },
    },
    {
      name: 'dry-run create validates and answers without storing',
      seed: [ns(NS)],
      op: { op: 'create', object: cm('dry'), dryRun: true },
      expect: async (out, t) => {
        expect(ok(out).object!.metadata.name).toBe('dry');
        expect(await storedCm(t, 'dry')).toBeUndefined();
      },
    },
    {
      // what `kubectl replace -f` of an old copy does: its resourceVersion is a precondition
      name: 'update (replace) with a stale resourceVersion is 409 Conflict',
      seed: [cm('hello-config')],
      before: [{ op: 'patch', ...cmRef('hello-config'), type: 'merge', patch: { data: { MESSAGE: 'newer' } } }],
      op: {
        op: 'replace',
        object: {
          ...cm('hello-config', { MESSAGE: 'stale' }),
          metadata: { name: 'hello-config', namespace: NS, resourceVersion: '1' },
        },
      },
      expect: async (out, t) => {
        expectStatus(out, {
          code: 409,
          reason: 'Conflict',
          message: CONFLICT,
          details: { name: 'hello-config', kind: 'configmaps' },
        });
        expect((await storedCm(t, 'hello-config'))!.data).toEqual({ MESSAGE: 'newer' });
      },
    },
    {
      name: 'a merge patch carrying a stale resourceVersion is 409 Conflict',
      seed: [cm('hello-config')],
      op: {
        op: 'patch',
        ...cmRef('hello-config'),
        type: 'merge',
        patch: { metadata: { resourceVersion: '1' }, data: { MESSAGE: 'x' } },
      },
      expect: (out) =>
        expectStatus(out, {
          code: 409,
          reason: 'Conflict',
          message: CONFLICT,
          details: { name: 'hello-config', kind: 'configmaps' },
        }),
    },
    {
      name: 'merge patch merges maps and null deletes a key',
      seed: [cm('hello-config', { MESSAGE: 'hello', OLD: 'x' })],
      op: { op: 'patch', ...cmRef('hello-config'), type: 'merge', patch: { data: { MESSAGE: 'bonjour', OLD: null } } },
      expect: (out) => expect(ok(out).object!.data).toEqual({ MESSAGE: 'bonjour' }),
    },
    {
      name: 'JSON patch with a passing test op applies',
      seed: [cm('hello-config')],
      op: {
        op: 'patch',
        ...cmRef('hello-config'),
        type: 'json',
        patch: [
          { op: 'test', path: '/data/MESSAGE', value: 'hello' },
          { op: 'replace', path: '/data/MESSAGE', value: 'hola' },
        ],
      },
      expect: (out) => expect(ok(out).object!.data).toEqual({ MESSAGE: 'hola' }),
    },
    {
      name: 'JSON patch with a failing test op is 422 and changes nothing',
      seed: [cm('hello-config')],
      op: {
        op: 'patch',
        ...cmRef('hello-config'),
        type: 'json',
        patch: [
          { op: 'test', path: '/data/MESSAGE', value: 'other' },
          { op: 'replace', path: '/data/MESSAGE', value: 'hola' },
        ],
      },
      expect: async (out, t) => {
        expect(out.ok).toBe(false);
        if (!out.ok) expect(out.reason || 'Invalid').toBe('Invalid');
        if (!out.ok && out.body) expect(out.body.code).toBe(422);
        expect((await storedCm(t, 'hello-config'))!.data).toEqual({ MESSAGE: 'hello' });
      },
    },
    {
      name: 'strategic merge patch merges the container list by name',
      seed: [deployment('hello')],
      op: {
        op: 'patch',
        ...deployRef('hello'),
        type: 'strategic',
        patch: { spec: { template: { spec: { containers: [{ name: 'app', image: 'ghcr.io/reroll/hello:2.0.0' }] } } } },
      },
      expect: (out) => {
        const cs = ok(out).object!.spec.template.spec.containers as Json[];
        expect(cs.map((c) => c.name)).toEqual(['app', 'sidecar']);
        expect(cs[0]!.image).toBe('ghcr.io/reroll/hello:2.0.0');
        expect(cs[0]!.env[0].name).toBe('ENV_MESSAGE');
        expect(cs[1]!.image).toBe('busybox:1.36');
        expect(ok(out).object!.metadata.generation).toBe(2);
      },
    },
    {
      name: 'strategic merge patch of a custom resource is 415',
      seed: [ksvc('restart')],
      op: {
        op: 'patch',
        ...ref('serving.knative.dev/v1', 'Service', 'restart'),
        type: 'strategic',
        patch: { spec: { template: { spec: { containers: [{ image: 'x' }] } } } },
      },
      expect: (out) =>
        expectStatus(out, {
          code: 415,
          reason: 'UnsupportedMediaType',
          message:
            'the body of the request was in an unknown format - accepted media types include: ' +
            'application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
        }),
    },
    ...selectorCases.map(([selector, expected]): ContractCase => ({
      name: `labelSelector "${selector}"`,
      seed: selectorSeed,
      op: { op: 'list', apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, labelSelector: selector },
      expect: (out) => expect(names(out)).toEqual(expected),
    })),
    {
      name: 'fieldSelector metadata.name picks one object across namespaces',
      seed: [
        cm('hello-config'),
        { ...cm('hello-config'), metadata: { name: 'hello-config', namespace: OTHER } },
        cm('else'),
      ],
      op: {
        op: 'list',
        apiVersion: 'v1',
        kind: 'ConfigMap',
        fieldSelector: `metadata.name=hello-config,metadata.namespace=${OTHER}`,
      },
      expect: (out) => {
        const items = ok(out).items!;
        expect(items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual([`${OTHER}/hello-config`]);
      },
    },
    {
      name: 'limit + continue pages through every object',
      seed: ['c1', 'c2', 'c3', 'c4', 'c5'].map((n) => cm(n)),
      op: { op: 'list', apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, chunkSize: 2 },
      expect: (out, t) => {
        expect(names(out)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
        // the pages themselves are seen in the emulator's request log only; a real namespace also
        // holds two system ConfigMaps, so it takes 4 pages of 2 there
        if (!t.requests) return;
        const pages = t.requests().filter((r) => r.verb === 'list' && r.resource === 'configmaps');
        expect(pages).toHaveLength(3);
        expect(pages.filter((r) => r.query.includes('continue=')).length).toBe(2);
      },
    },
    {
      name: 'watch streams ADDED, MODIFIED and DELETED',
      seed: [cm('hello-config')],
      op: {
        op: 'watch',
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: NS,
        then: [
          { op: 'patch', ...cmRef('hello-config'), type: 'merge', patch: { data: { MESSAGE: 'changed' } } },
          { op: 'delete', ...cmRef('hello-config') },
        ],
        events: 3,
      },
      expect: (out) =>
        expect(ok(out).events!.slice(0, 3)).toEqual([
          { type: 'ADDED', name: 'hello-config' },
          { type: 'MODIFIED', name: 'hello-config' },
          { type: 'DELETED', name: 'hello-config' },
        ]),
    },
    {
      name: 'watch from a resourceVersion older than the history is 410 Expired',
      emulator: { historyLimit: 5 },
      // a real apiserver answers old resourceVersions from etcd until it compacts (every 5 minutes):
      // the 410 shape is the apiserver's, the history length is the emulator's option
      onlyOnEmulator: 'etcd keeps the history until compaction (5 min); the emulator keeps historyLimit events',
      seed: Array.from({ length: 12 }, (_, i) => cm(`c${i}`)),
      op: {
        op: 'watch',
        apiVersion: 'v1',
        kind: 'ConfigMap',
        namespace: NS,
        resourceVersion: '2',
        then: [],
        events: 1,
      },
      expect: (out) => {
        const e = ok(out).events![0]!;
        expect(e).toMatchObject({ type: 'ERROR', code: 410, reason: 'Expired' });
        expect(e.message).toMatch(/^too old resource version: 2 \(\d+\)$/);
      },
    },
    {
      name: 'rollout restart bumps the template and rollout status completes',
      seed: [deployment('hello')],
      // no kubelet on the real tier: rollout status would never complete there, so it is not awaited
      op: (t) => ({ op: 'rolloutRestart', ...deployRef('hello'), waitForRollout: t.simulatesControllers }),
      expect: async (out, t) => {
        const o = ok(out).object!;
        if (t.simulatesControllers) expect(ok(out).rolledOut).toBe(true);
        expect(o.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
        expect(o.metadata.generation).toBe(2);
        const observed = await t.eventually(async () => {
          const d = await storedDeploy(t, 'hello');
          return d?.status?.observedGeneration === 2 ? d : undefined;
        });
        expect(observed?.status.observedGeneration).toBe(2);
        if (!t.requests) return;
        const patches = t.requests().filter((r) => r.verb === 'patch' && r.resource === 'deployments');
        expect(patches).toHaveLength(1);
        expect(patches[0]!.contentType).toContain('application/strategic-merge-patch+json');
      },
    },
    {
      name: 'annotating a Deployment bumps its generation',
      seed: [deployment('hello')],
      op: { op: 'annotate', ...deployRef('hello'), key: 'reroll.dev/note', value: 'x' },
      expect: (out) => expect(ok(out).object!.metadata.generation).toBe(2),
    },
    {
      name: 'labelling a Deployment does not bump its generation',
      seed: [deployment('hello')],
      op: { op: 'label', ...deployRef('hello'), key: 'tier', value: 'web' },
      expect: (out) => expect(ok(out).object!.metadata.generation).toBe(1),
    },
    {
      name: 'annotating a StatefulSet does not bump its generation',
      seed: [statefulSet('db')],
      op: { op: 'annotate', ...ref('apps/v1', 'StatefulSet', 'db'), key: 'reroll.dev/note', value: 'x' },
      expect: (out) => expect(ok(out).object!.metadata.generation).toBe(1),
    },
    {
      name: 'a CronJob gets the apiserver defaults (history limits, concurrency, suspend: false, pod spec)',
      seed: [ns(NS)],
      op: { op: 'create', object: cronJob('nightly') },
      expect: (out) => {
        const o = ok(out).object!;
        expect(o.metadata.generation).toBe(1);
        const spec = o.spec as Json;
        expect(spec).toMatchObject({
          schedule: '0 3 * * *',
          concurrencyPolicy: 'Allow',
          suspend: false,
          successfulJobsHistoryLimit: 3,
          failedJobsHistoryLimit: 1,
        });
        expect(spec.jobTemplate.spec.template.spec).toMatchObject({
          restartPolicy: 'OnFailure',
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          schedulerName: 'default-scheduler',
        });
      },
    },
    {
      name: "merge-patching a suspended CronJob's job template bumps its generation and keeps it suspended",
      seed: [{ ...cronJob('paused'), spec: { ...cronJob('paused').spec, suspend: true } }],
      op: {
        op: 'patch',
        ...ref('batch/v1', 'CronJob', 'paused'),
        type: 'merge',
        patch: {
          spec: { jobTemplate: { spec: { template: { metadata: { annotations: { 'reroll.dev/x': '1' } } } } } },
        },
      },
      expect: (out) => {
        const o = ok(out).object!;
        expect(o.metadata.generation).toBe(2);
        expect(o.spec as Json).toMatchObject({ suspend: true, schedule: '0 3 * * *' });
        expect((o.spec as Json).jobTemplate.spec.template.metadata.annotations).toEqual({ 'reroll.dev/x': '1' });
      },
    },
    {
      name: 'Secret stringData folds into base64 data',
      seed: [ns(NS)],
      op: {
        op: 'create',
        object: {
          apiVersion: 'v1',
          kind: 'Secret',
          metadata: { name: 'creds', namespace: NS },
          stringData: { password: 's3cret' },
        },
      },
      expect: async (out, t) => {
        const s = (await stored(t, 'v1', 'Secret', 'creds'))!;
        expect(s.data).toEqual({ password: Buffer.from('s3cret').toString('base64') });
        expect(s.stringData).toBeUndefined();
        expect(s.type).toBe('Opaque');
        expect(ok(out).object!.kind).toBe('Secret');
      },
    },
    {
      name: 'apply creates, then a changed manifest updates in place',
      seed: [ns(NS)],
      before: [{ op: 'apply', objects: [cm('hello-config'), deployment('hello')] }],
      op: { op: 'apply', objects: [cm('hello-config', { MESSAGE: 'v2' })] },
      expect: async (out, t) => {
        expect(ok(out).object!.data).toEqual({ MESSAGE: 'v2' });
        expect((await storedCm(t, 'hello-config'))!.data).toEqual({ MESSAGE: 'v2' });
        expect(await storedDeploy(t, 'hello')).toBeDefined();
      },
    },
    {
      name: 'dry-run apply leaves the stored object alone',
      seed: [cm('hello-config')],
      op: { op: 'apply', objects: [cm('hello-config', { MESSAGE: 'dry' })], dryRun: true },
      expect: async (_out, t) => expect((await storedCm(t, 'hello-config'))!.data).toEqual({ MESSAGE: 'hello' }),
    },
    {
      name: 'apply -k of a kustomization (prefix, labels, generated ConfigMap)',
      seed: [ns(NS)],
      op: {
        op: 'applyKustomize',
        files: {
          'kustomization.yaml': `apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nnamespace: ${NS}\nnamePrefix: test-\nlabels:\n  - pairs: {env: test}\n    includeSelectors: false\nresources: [deployment.yaml]\nconfigMapGenerator:\n  - name: hello-config\n    literals: [MESSAGE=from-kustomize]\n`,
          'deployment.yaml': JSON.stringify(deployment('hello')),
        },
      },
      expect: async (_out, t) => {
        const cms = await cmsIn(t);
        expect(cms).toHaveLength(1);
        expect(cms[0]!.metadata.name).toMatch(/^test-hello-config-[a-z0-9]{10}$/);
        expect(cms[0]!.data).toEqual({ MESSAGE: 'from-kustomize' });
        const d = (await storedDeploy(t, 'test-hello'))!;
        expect(d.metadata.labels).toMatchObject({ env: 'test' });
      },
    },
    {
      name: 'Knative Service status: url and a new revision per template change',
      seed: [ns(NS)],
      before: [{ op: 'apply', objects: [ksvc('restart')] }],
      op: { op: 'apply', objects: [ksvc('restart', 'ghcr.io/reroll/restart:1.1.0')] },
      expect: async (_out, t) => {
        const s = (await stored(t, 'serving.knative.dev/v1', 'Service', 'restart'))!;
        expect(s.metadata.generation).toBe(2);
        // no Knative Serving controller runs on the real tier: the status is the emulator's play
        if (!t.simulatesControllers) return expect(s.status).toBeUndefined();
        expect(s.status).toMatchObject({
          url: `http://restart.${NS}.example.com`,
          latestCreatedRevisionName: 'restart-00002',
          latestReadyRevisionName: 'restart-00002',
          observedGeneration: 2,
        });
        expect(
          (s.status as { conditions: Array<{ type: string; status: string }> }).conditions.find(
            (c) => c.type === 'Ready',
          )?.status,
        ).toBe('True');
      },
    },
    {
      name: 'delete removes the object',
      seed: [cm('hello-config')],
      op: { op: 'delete', ...cmRef('hello-config') },
      expect: async (out, t) => {
        ok(out);
        expect(await storedCm(t, 'hello-config')).toBeUndefined();
      },
    },
    {
      name: 'deleting a namespace deletes what is in it',
      seed: [cm('hello-config'), deployment('hello'), { ...cm('keep'), metadata: { name: 'keep', namespace: OTHER } }],
      op: { op: 'delete', apiVersion: 'v1', kind: 'Namespace', name: NS },
      expect: async (out, t) => {
        ok(out);
        // the namespace controller empties it, then it goes (at once on the emulator)
        const gone = await t.eventually(
          async () => ((await stored(t, 'v1', 'Namespace', NS)) ? undefined : true),
          60_000,
        );
        expect(gone).toBe(true);
        expect(await t.list('v1', 'ConfigMap', NS)).toEqual([]);
        expect(await t.list('apps/v1', 'Deployment', NS)).toEqual([]);
        expect(await storedCm(t, 'keep', OTHER)).toBeDefined();
      },
    },
    {
      name: 'malformed JSON body is 400 BadRequest',
      seed: [ns(NS)],
      op: { op: 'raw', method: 'POST', path: `/api/v1/namespaces/${NS}/configmaps`, body: '{"metadata": {"name": "x"' },
      expect: (out) => {
        expect(out.ok).toBe(false);
        if (!out.ok) {
          expect(out.reason).toBe('BadRequest');
          expect(out.message).toMatch(/json parse error/);
          if (out.body) expect(out.body.code).toBe(400);
        }
      },
    },
    {
      name: 'a body over 3 MiB is 413',
      seed: [ns(NS)],
      op: {
        op: 'raw',
        method: 'POST',
        path: `/api/v1/namespaces/${NS}/configmaps`,
        body: JSON.stringify(cm('huge', { a: 'x'.repeat(3 * 1024 * 1024) })),
      },
      expect: (out) =>
        expectStatus(out, {
          code: 413,
          reason: 'RequestEntityTooLarge',
          message: 'Request entity too large: limit is 3145728',
        }),
    },
    {
      name: 'an unknown resource is 404',
      seed: [ns(NS)],
      op: { op: 'raw', method: 'GET', path: `/api/v1/namespaces/${NS}/widgets` },
      expect: (out) =>
        expectStatus(out, {
          code: 404,
          reason: 'NotFound',
          message: 'the server could not find the requested resource',
          details: {},
        }),
    },
    ...newerCases(),
  ];
  return CASES;

  /** what kubectl users run every day (issue 11): Lists, server-side apply, diff, explain, scale, set env */
  function newerCases(): ContractCase[] {
    const cfg = (data: Record<string, string>, labels?: Record<string, string>) => cm('hello-config', data, labels);
    const replicas = (n: number) => ({ ...deployment('hello'), spec: { ...deployment('hello').spec, replicas: n } });
    const manager = (o: Json | undefined, name: string, operation = 'Apply') =>
      ((o?.metadata.managedFields ?? []) as Json[]).find((e) => e.manager === name && e.operation === operation);
    return [
      {
        name: 'apply -f of a kind: List file creates every item (validated against /openapi/v2)',
        seed: [ns(NS)],
        op: { op: 'applyList', objects: [cfg({ MESSAGE: 'listed' }), deployment('hello')] },
        expect: async (out, t) => {
          ok(out);
          expect((await storedCm(t, 'hello-config'))?.data).toEqual({ MESSAGE: 'listed' });
          expect((await storedDeploy(t, 'hello'))?.spec.replicas).toBe(2);
        },
      },
      {
        name: 'server-side apply creates the object and records the manager in managedFields',
        seed: [ns(NS)],
        op: { op: 'serverSideApply', objects: [cfg({ MESSAGE: 'ssa' }, { app: 'helloworld' })], fieldManager: 'alice' },
        expect: async (out, t) => {
          expect(ok(out).object!.data).toEqual({ MESSAGE: 'ssa' });
          const entry = manager(await storedCm(t, 'hello-config'), 'alice');
          expect(entry).toMatchObject({ apiVersion: 'v1', fieldsType: 'FieldsV1', operation: 'Apply' });
          // exactly the applied fields: no system fields, no maps of their own
          expect(entry!.fieldsV1).toEqual({
            'f:data': { 'f:MESSAGE': {} },
            'f:metadata': { 'f:labels': { 'f:app': {} } },
          });
          expect(entry!.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
        },
      },
      {
        name: 'server-side apply of a Deployment owns list items by their keys (containers by name, ports by port+protocol)',
        seed: [ns(NS)],
        op: { op: 'serverSideApply', objects: [deployment('hello')], fieldManager: 'alice' },
        expect: async (_out, t) => {
          const d = await storedDeploy(t, 'hello');
          const spec = manager(d, 'alice')!.fieldsV1['f:spec'] as Json;
          expect(spec['f:selector']).toEqual({}); // a LabelSelector is atomic
          const containers = spec['f:template']['f:spec']['f:containers'] as Json;
          expect(Object.keys(containers).sort()).toEqual(['k:{"name":"app"}', 'k:{"name":"sidecar"}']);
          // the key takes the defaulted protocol, as the apiserver records it
          expect(containers['k:{"name":"app"}']['f:ports']).toEqual({
            'k:{"containerPort":8080,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {} },
          });
          expect(d!.spec.template.spec.containers[0].ports[0].protocol).toBe('TCP');
        },
      },
      {
        name: 'server-side apply by a second manager changing an owned field is a 409 conflict',
        seed: [ns(NS)],
        before: [{ op: 'serverSideApply', objects: [replicas(2)], fieldManager: 'alice' }],
        op: { op: 'serverSideApply', objects: [replicas(3)], fieldManager: 'bob' },
        expect: async (out, t) => {
          expectStatus(out, {
            code: 409,
            reason: 'Conflict',
            message: 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas',
            details: {
              causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }],
            },
          });
          expect((await storedDeploy(t, 'hello'))!.spec.replicas).toBe(2);
        },
      },
      {
        name: 'server-side apply --force-conflicts takes the field from its owner',
        seed: [ns(NS)],
        before: [{ op: 'serverSideApply', objects: [replicas(2)], fieldManager: 'alice' }],
        op: { op: 'serverSideApply', objects: [replicas(3)], fieldManager: 'bob', force: true },
        expect: async (_out, t) => {
          const d = await storedDeploy(t, 'hello');
          expect(d!.spec.replicas).toBe(3);
          expect(d!.metadata.generation).toBe(2);
          expect(manager(d, 'alice')!.fieldsV1['f:spec']['f:replicas']).toBeUndefined();
          expect(manager(d, 'bob')!.fieldsV1['f:spec']['f:replicas']).toEqual({});
          // fields both applied with the same value stay shared
          expect(manager(d, 'alice')!.fieldsV1['f:spec']['f:template']).toBeDefined();
        },
      },
      {
        name: 'server-side apply of the same value co-owns the field; conflicts name every manager',
        seed: [ns(NS)],
        before: [
          { op: 'serverSideApply', objects: [replicas(2)], fieldManager: 'alice' },
          { op: 'serverSideApply', objects: [replicas(2)], fieldManager: 'bob' },
        ],
        op: { op: 'serverSideApply', objects: [replicas(4)], fieldManager: 'carol' },
        expect: (out) => {
          expect(out.ok).toBe(false);
          if (out.ok) return;
          expect(out.message).toContain('Apply failed with 2 conflicts: conflicts with "alice":');
          expect(out.message).toContain('conflicts with "bob":');
          if (out.body) expect(out.body.code).toBe(409);
        },
      },
      {
        name: 'server-side apply conflicts with the manager of a plain write, named with its apiVersion',
        seed: [ns(NS)],
        before: [{ op: 'create', object: cfg({ MESSAGE: 'created' }) }],
        op: { op: 'serverSideApply', objects: [cfg({ MESSAGE: 'applied' })], fieldManager: 'alice' },
        expect: (out) => {
          expect(out.ok).toBe(false);
          if (out.ok) return;
          // the creator is kubectl-create or client-node's user agent, whichever driver created it
          expect(out.message).toMatch(
            /^Apply failed with 1 conflict: conflict with "[^"]+" using v1: \.data\.MESSAGE$/,
          );
          if (out.body) expect(out.body.reason).toBe('Conflict');
        },
      },
      {
        name: 'server-side apply drops the fields its manager no longer applies',
        seed: [ns(NS)],
        before: [{ op: 'serverSideApply', objects: [cfg({ MESSAGE: 'a', EXTRA: 'b' })], fieldManager: 'alice' }],
        op: { op: 'serverSideApply', objects: [cfg({ MESSAGE: 'a' })], fieldManager: 'alice' },
        expect: async (_out, t) => expect((await storedCm(t, 'hello-config'))!.data).toEqual({ MESSAGE: 'a' }),
      },
      {
        name: 'diff shows the change from a server-side dry run and stores nothing',
        seed: [cm('hello-config')],
        op: { op: 'diff', objects: [cfg({ MESSAGE: 'v2' })] },
        expect: async (out, t) => {
          const o = ok(out);
          expect(o.text).toMatch(/^-\s+MESSAGE: hello$/m);
          expect(o.text).toMatch(/^\+\s+MESSAGE: v2$/m);
          expect((await storedCm(t, 'hello-config'))!.data).toEqual({ MESSAGE: 'hello' });
        },
      },
      {
        name: 'explain answers from the server OpenAPI: a built-in field and a CRD field',
        seed: [ns(NS)],
        op: { op: 'explain', apiVersion: 'apps/v1', kind: 'Deployment', field: ['spec', 'replicas'] },
        expect: (out) => {
          const o = ok(out);
          expect(o.text).toContain('Number of desired pods.');
          expect(o.text).toContain('integer');
        },
      },
      {
        name: 'explain of a Knative Service field comes from its CRD schema',
        seed: [ns(NS)],
        op: { op: 'explain', apiVersion: 'serving.knative.dev/v1', kind: 'Service', field: ['spec', 'traffic'] },
        expect: (out) =>
          expect(ok(out).text).toContain('Traffic specifies how to distribute traffic over a collection of'),
      },
      {
        name: "the CRD schemas served in OpenAPI v3 are the CRD files' own",
        seed: [ns(NS)],
        op: { op: 'raw', method: 'GET', path: '/openapi/v3/apis/serving.knative.dev/v1' },
        expect: (out) => {
          const crd = parseYaml(
            readFileSync(new URL('../../../../crds/serving.knative.dev/services.yaml', import.meta.url), 'utf8'),
          ) as Json;
          const schema = (crd.spec.versions as Json[]).find((v) => v.name === 'v1')!.schema.openAPIV3Schema as Json;
          const served = ok(out).object!.components.schemas['dev.knative.serving.v1.Service'] as Json;
          expect(served.properties.spec).toEqual(schema.properties.spec);
          expect(served.properties.metadata).toEqual({
            description: expect.stringContaining("Standard object's metadata.") as unknown,
            allOf: [{ $ref: '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta' }],
          });
          expect(served['x-kubernetes-group-version-kind']).toEqual([
            { group: 'serving.knative.dev', kind: 'Service', version: 'v1' },
          ]);
        },
      },
      {
        name: 'generateName gets a random 5-character suffix',
        seed: [ns(NS)],
        op: {
          op: 'create',
          object: {
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { generateName: 'hello-', namespace: NS },
            data: { A: '1' },
          },
        },
        expect: (out) => {
          const o = ok(out).object!;
          expect(o.metadata.name).toMatch(/^hello-[a-z0-9]{5}$/);
          expect(o.metadata.generateName).toBe('hello-');
        },
      },
      {
        name: 'a Deployment gets the apiserver defaults',
        seed: [ns(NS)],
        op: { op: 'create', object: deployment('hello') },
        expect: (out) => {
          const spec = ok(out).object!.spec as Json;
          expect(spec).toMatchObject({
            revisionHistoryLimit: 10,
            progressDeadlineSeconds: 600,
            strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
          });
          expect(spec.template.spec).toMatchObject({
            restartPolicy: 'Always',
            terminationGracePeriodSeconds: 30,
            dnsPolicy: 'ClusterFirst',
            securityContext: {},
            schedulerName: 'default-scheduler',
          });
          expect(spec.template.spec.containers[0]).toMatchObject({
            imagePullPolicy: 'IfNotPresent',
            terminationMessagePath: '/dev/termination-log',
            terminationMessagePolicy: 'File',
            resources: {},
            ports: [{ containerPort: 8080, protocol: 'TCP' }],
          });
        },
      },
      {
        name: 'scale changes spec.replicas through /scale and bumps the generation',
        seed: [deployment('hello')],
        op: { op: 'scale', ...deployRef('hello'), replicas: 5 },
        expect: async (_out, t) => {
          const d = (await storedDeploy(t, 'hello'))!;
          expect(d.spec.replicas).toBe(5);
          expect(d.metadata.generation).toBe(2);
        },
      },
      {
        name: 'set env adds the variable to every container and bumps the generation',
        seed: [deployment('hello')],
        op: { op: 'setEnv', ...deployRef('hello'), env: { LOG_LEVEL: 'debug' } },
        expect: async (_out, t) => {
          const d = (await storedDeploy(t, 'hello'))!;
          const envs = (d.spec.template.spec.containers as Json[]).map((c) =>
            (c.env as Json[]).map((e) => e.name as string),
          );
          // order differs by client, alike on both servers: kubectl sends $setElementOrder (appended),
          // a plain strategic patch puts the new variable first (pure-core.test.ts pins that)
          expect(envs.map((e) => [...e].sort())).toEqual([['ENV_MESSAGE', 'LOG_LEVEL'], ['LOG_LEVEL']]);
          expect(d.metadata.generation).toBe(2);
        },
      },
    ];
  }
}
