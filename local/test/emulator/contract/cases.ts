// THE table of contract cases: each runs unchanged through client-node and through kubectl.
// Objects are realistic manifests; expectations are what a user of either client would see.
import { expect } from 'vitest';
import type { Emulator, EmulatorOptions } from '../../../src/emulator/index';
import type { Json, Op, Outcome } from './operations';

export interface ContractCase {
  name: string;
  emulator?: EmulatorOptions;
  seed?: Record<string, unknown>[];
  /** run through the same driver before op (their outcomes must be ok) */
  before?: Op[];
  op: Op | ((emu: Emulator) => Op);
  expect: (out: Outcome, emu: Emulator) => void | Promise<void>;
}

const NS = 'demo';

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

const names = (out: Outcome) => (ok(out).items ?? []).map((o) => o.metadata.name as string).sort();

const stored = (emu: Emulator, resource: string, name: string, namespace = NS) =>
  emu.core.store.get(resource, namespace, name);

const TOO_LONG = 'Too long: must have at most 1048576 bytes';
const CONFLICT =
  'Operation cannot be fulfilled on configmaps "hello-config": the object has been modified; please apply your changes to the latest version and try again';

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

export const CASES: ContractCase[] = [
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
    expect: (out, emu) => {
      const o = ok(out).object!;
      expect(o.metadata.generation).toBe(1);
      const s = stored(emu, 'deployments.apps', 'hello')!;
      expect(s.status).toMatchObject({
        observedGeneration: 1,
        replicas: 2,
        updatedReplicas: 2,
        readyReplicas: 2,
        availableReplicas: 2,
      });
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
    expect: (out, emu) => {
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
      expect(stored(emu, 'configmaps', 'big')).toBeUndefined();
    },
  },
  {
    name: 'dry-run create validates and answers without storing',
    seed: [ns(NS)],
    op: { op: 'create', object: cm('dry'), dryRun: true },
    expect: (out, emu) => {
      expect(ok(out).object!.metadata.name).toBe('dry');
      expect(stored(emu, 'configmaps', 'dry')).toBeUndefined();
    },
  },
  {
    name: 'update with a stale resourceVersion is 409 Conflict',
    seed: [cm('hello-config')],
    before: [{ op: 'patch', ...cmRef('hello-config'), type: 'merge', patch: { data: { MESSAGE: 'newer' } } }],
    op: {
      op: 'replace',
      object: {
        ...cm('hello-config', { MESSAGE: 'stale' }),
        metadata: { name: 'hello-config', namespace: NS, resourceVersion: '1' },
      },
    },
    expect: (out, emu) => {
      expectStatus(out, {
        code: 409,
        reason: 'Conflict',
        message: CONFLICT,
        details: { name: 'hello-config', kind: 'configmaps' },
      });
      expect(stored(emu, 'configmaps', 'hello-config')!.data).toEqual({ MESSAGE: 'newer' });
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
    expect: (out, emu) => {
      expect(out.ok).toBe(false);
      if (!out.ok) expect(out.reason || 'Invalid').toBe('Invalid');
      if (!out.ok && out.body) expect(out.body.code).toBe(422);
      expect(stored(emu, 'configmaps', 'hello-config')!.data).toEqual({ MESSAGE: 'hello' });
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
          'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml',
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
      { ...cm('hello-config'), metadata: { name: 'hello-config', namespace: 'other' } },
      cm('else'),
    ],
    op: {
      op: 'list',
      apiVersion: 'v1',
      kind: 'ConfigMap',
      fieldSelector: 'metadata.name=hello-config,metadata.namespace=other',
    },
    expect: (out) => {
      const items = ok(out).items!;
      expect(items.map((o) => `${o.metadata.namespace}/${o.metadata.name}`)).toEqual(['other/hello-config']);
    },
  },
  {
    name: 'limit + continue pages through every object',
    seed: ['c1', 'c2', 'c3', 'c4', 'c5'].map((n) => cm(n)),
    op: { op: 'list', apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, chunkSize: 2 },
    expect: (out, emu) => {
      expect(names(out)).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
      const pages = emu.requests().filter((r) => r.verb === 'list' && r.resource === 'configmaps');
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
    seed: Array.from({ length: 12 }, (_, i) => cm(`c${i}`)),
    op: { op: 'watch', apiVersion: 'v1', kind: 'ConfigMap', namespace: NS, resourceVersion: '2', then: [], events: 1 },
    expect: (out) => {
      const e = ok(out).events![0]!;
      expect(e).toMatchObject({ type: 'ERROR', code: 410, reason: 'Expired' });
      expect(e.message).toMatch(/^too old resource version: 2 \(\d+\)$/);
    },
  },
  {
    name: 'rollout restart bumps the template and rollout status completes',
    seed: [deployment('hello')],
    op: { op: 'rolloutRestart', ...deployRef('hello') },
    expect: (out, emu) => {
      const o = ok(out).object!;
      expect(ok(out).rolledOut).toBe(true);
      expect(o.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt']).toBeTruthy();
      expect(o.metadata.generation).toBe(2);
      expect(o.status.observedGeneration).toBe(2);
      const patches = emu.requests().filter((r) => r.verb === 'patch' && r.resource === 'deployments');
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
    expect: (out, emu) => {
      const s = stored(emu, 'secrets', 'creds')!;
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
    expect: (out, emu) => {
      expect(ok(out).object!.data).toEqual({ MESSAGE: 'v2' });
      expect(stored(emu, 'configmaps', 'hello-config')!.data).toEqual({ MESSAGE: 'v2' });
      expect(stored(emu, 'deployments.apps', 'hello')).toBeDefined();
    },
  },
  {
    name: 'dry-run apply leaves the stored object alone',
    seed: [cm('hello-config')],
    op: { op: 'apply', objects: [cm('hello-config', { MESSAGE: 'dry' })], dryRun: true },
    expect: (_out, emu) => expect(stored(emu, 'configmaps', 'hello-config')!.data).toEqual({ MESSAGE: 'hello' }),
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
    expect: (_out, emu) => {
      const cms = emu.core.store.list('configmaps', NS);
      expect(cms).toHaveLength(1);
      expect(cms[0]!.metadata.name).toMatch(/^test-hello-config-[a-z0-9]{10}$/);
      expect(cms[0]!.data).toEqual({ MESSAGE: 'from-kustomize' });
      const d = stored(emu, 'deployments.apps', 'test-hello')!;
      expect(d.metadata.labels).toMatchObject({ env: 'test' });
    },
  },
  {
    name: 'Knative Service status: url and a new revision per template change',
    seed: [ns(NS)],
    before: [{ op: 'apply', objects: [ksvc('restart')] }],
    op: { op: 'apply', objects: [ksvc('restart', 'ghcr.io/reroll/restart:1.1.0')] },
    expect: (_out, emu) => {
      const s = stored(emu, 'services.serving.knative.dev', 'restart')!;
      expect(s.status).toMatchObject({
        url: `http://restart.${NS}.example.com`,
        latestCreatedRevisionName: 'restart-00002',
        latestReadyRevisionName: 'restart-00002',
        observedGeneration: 2,
      });
      expect(
        (s.status as { conditions: Array<{ type: string; status: string }> }).conditions.find((c) => c.type === 'Ready')
          ?.status,
      ).toBe('True');
    },
  },
  {
    name: 'delete removes the object',
    seed: [cm('hello-config')],
    op: { op: 'delete', ...cmRef('hello-config') },
    expect: (out, emu) => {
      ok(out);
      expect(stored(emu, 'configmaps', 'hello-config')).toBeUndefined();
    },
  },
  {
    name: 'deleting a namespace deletes what is in it',
    seed: [
      cm('hello-config'),
      deployment('hello'),
      cm('keep', {}, undefined) && { ...cm('keep'), metadata: { name: 'keep', namespace: 'other' } },
    ],
    op: { op: 'delete', apiVersion: 'v1', kind: 'Namespace', name: NS },
    expect: (out, emu) => {
      ok(out);
      expect(emu.core.store.list('configmaps', NS)).toEqual([]);
      expect(emu.core.store.list('deployments.apps', NS)).toEqual([]);
      expect(stored(emu, 'namespaces', NS, '')).toBeUndefined();
      expect(stored(emu, 'configmaps', 'keep', 'other')).toBeDefined();
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
];
