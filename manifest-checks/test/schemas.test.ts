// Every deployable object validates against its real schema, unknown fields rejected.
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { describeObject, type KubeObject } from '../src/kube-object';
import { loadManifestSet } from '../src/manifest-set';
import { parseStack, toFunctionResource } from '../src/check-stack';
import { repoPath } from '../src/repo-paths';
import { createCrdValidator } from '../src/validate-crd';
import { validateObject } from '../src/validate-object';

// Cases break one field deep inside arbitrary Kubernetes JSON: an untyped view keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const set = await loadManifestSet();
const crds = await createCrdValidator();
const stack = parseStack(await readFile(repoPath('stack.yml'), 'utf8'));

const groups = [
  ...set.kustomizations,
  ...set.variants,
  ...set.rawFiles,
  { source: 'stack.yml as openfaas.com/v1 Functions', objects: stack.functions.map((f) => toFunctionResource(f)) },
];

for (const group of groups) {
  describe(group.source, () => {
    it('renders at least one object', () => {
      expect(group.objects.length).toBeGreaterThan(0);
    });
    for (const object of group.objects) {
      it(`${describeObject(object)} matches its schema`, async () => {
        expect(await validateObject(object, crds)).toEqual([]);
      });
    }
  });
}

const pick = (source: string, kind: string, apiVersion?: string): KubeObject => {
  const found = [...set.kustomizations, ...set.variants]
    .find((r) => r.source === source)
    ?.objects.find((o) => o.kind === kind && (apiVersion === undefined || o.apiVersion === apiVersion));
  if (!found) throw new Error(`no ${kind} in ${source}`);
  return structuredClone(found);
};

type Case = { name: string; object: () => KubeObject; expected: string };
const broken: Case[] = [
  {
    name: 'Deployment spec.replicas misspelt',
    object: () => {
      const d = pick('kustomize/overlays/test', 'Deployment') as KubeObject & { spec: Record<string, unknown> };
      d.spec.replicass = d.spec.replicas;
      delete d.spec.replicas;
      return d;
    },
    expected: 'spec.replicass: unknown field',
  },
  {
    name: 'container imagePullPolicy misspelt',
    object: () => {
      const d = pick('kustomize/overlays/test', 'Deployment') as Doc;
      d.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
      return d;
    },
    expected: 'spec.template.spec.containers[0].imagePullPolicyy: unknown field',
  },
  {
    name: 'Deployment replicas of the wrong type',
    object: () => {
      const d = pick('kustomize/overlays/prod', 'Deployment') as Doc;
      d.spec.replicas = 'two';
      return d;
    },
    expected: 'spec/replicas must be integer',
  },
  {
    name: 'Service port missing (required)',
    object: () => {
      const s = pick('kustomize/overlays/test', 'Service', 'v1') as Doc;
      delete s.spec.ports[0].port;
      return s;
    },
    expected: 'spec/ports/0 must have required property port',
  },
  {
    name: 'Role rule with a misspelt key',
    object: () => {
      const r = pick('knative', 'Role') as Doc;
      r.rules[0].verb = r.rules[0].verbs;
      return r;
    },
    expected: 'rules[0].verb: unknown field',
  },
  {
    name: 'Knative Service container field misspelt',
    object: () => {
      const k = pick('knative', 'Service', 'serving.knative.dev/v1') as Doc;
      k.spec.template.spec.containers[0].imagePullPolicyy = 'Always';
      return k;
    },
    expected: 'spec.template.spec.containers.0.imagePullPolicyy: unknown field',
  },
  {
    name: 'Knative Service containerConcurrency of the wrong type',
    object: () => {
      const k = pick('knative', 'Service', 'serving.knative.dev/v1') as Doc;
      k.spec.template.spec.containerConcurrency = 'ten';
      return k;
    },
    expected: 'spec.template.spec.containerConcurrency: must be integer',
  },
  {
    name: 'VirtualService destination host misspelt',
    object: () => {
      const v = pick('kustomize/overlays/test', 'VirtualService') as Doc;
      v.spec.http[0].route[0].destination.hots = v.spec.http[0].route[0].destination.host;
      return v;
    },
    expected: 'spec.http.0.route.0.destination.hots: unknown field',
  },
  {
    name: 'Gateway server port number of the wrong type',
    object: () => {
      const g = pick('kustomize/overlays/prod', 'Gateway') as Doc;
      g.spec.servers[0].port.number = 'eighty';
      return g;
    },
    expected: 'spec.servers.0.port.number: must be integer',
  },
  {
    name: 'PingSource schedule misspelt',
    object: () => {
      const p = pick('knative', 'PingSource') as Doc;
      p.spec.schedul = p.spec.schedule;
      return p;
    },
    expected: 'spec.schedul: unknown field',
  },
  {
    name: 'custom resource metadata field misspelt',
    object: () => {
      const p = pick('knative', 'PingSource') as Doc;
      p.metadata.labelz = { a: 'b' };
      return p;
    },
    expected: 'metadata.labelz: unknown field',
  },
  {
    name: 'ApiServerSource with an apiVersion the CRD does not serve',
    object: () => ({ ...pick('knative', 'ApiServerSource'), apiVersion: 'sources.knative.dev/v1beta1' }),
    expected: 'is not served by the CRD',
  },
  {
    name: 'a kind nobody knows',
    object: () => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }),
    expected: 'no schema known for example.com/v1 Widget',
  },
  {
    name: 'OpenFaaS Function without an image',
    object: () => ({ apiVersion: 'openfaas.com/v1', kind: 'Function', metadata: { name: 'f' }, spec: { name: 'f' } }),
    expected: "must have required property 'image'",
  },
];

describe('schema validation rejects broken objects', () => {
  for (const c of broken) {
    it(c.name, async () => {
      const errors = await validateObject(c.object(), crds);
      expect(errors.join('\n')).toContain(c.expected);
    });
  }
});
