// Policy checks: each passes on the real manifests and fails, naming object and rule, on a broken copy.
import { describe, expect, it } from 'vitest';
import type { KubeObject, Rendered } from '../src/kube-object';
import { ENVS, loadManifestSet } from '../src/manifest-set';
import { checkConfigReferences } from '../src/policy/config-references';
import { checkLabels } from '../src/policy/env-labels';
import { checkIstioRouting } from '../src/policy/istio-routing';
import { checkKsvcScale } from '../src/policy/ksvc-scale';
import { checkNameCollisions } from '../src/policy/name-collisions';
import { checkPodHardening } from '../src/policy/pod-hardening';
import { checkRbac } from '../src/policy/rbac';
import { checkRestartEnv } from '../src/policy/restart-env';
import { checkServiceSelectors } from '../src/policy/service-selectors';
import { checkSingleNamespace } from '../src/policy/single-namespace';
import { checkSinks } from '../src/policy/sinks';
import { checkSourceSelector } from '../src/policy/source-selector';
import { formatViolation, type Violation } from '../src/violation';

// Cases break one field deep inside arbitrary Kubernetes JSON: an untyped view keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const set = await loadManifestSet();

/** What one check sees: the renders applied together, deep-copied so a case may break them. */
interface World {
  test: Rendered;
  prod: Rendered;
  knative: Rendered;
  variants: Rendered[];
}

function freshWorld(): World {
  return structuredClone({
    test: set.overlay('test'),
    prod: set.overlay('prod'),
    knative: set.knative(),
    variants: set.variants,
  });
}

const everything = (w: World): KubeObject[] => [w.test, w.prod, w.knative].flatMap((r) => r.objects);
const hello = { app: 'helloworld' };
const partOf = { 'app.kubernetes.io/part-of': 'reroll' };

const checks: Record<string, (w: World) => Violation[]> = {
  labels: (w) => [
    ...ENVS.flatMap((env) => checkLabels(w[env].objects, { ...hello, env })),
    ...[w.knative, ...w.variants].flatMap((r) => checkLabels(r.objects, partOf, false)),
  ],
  collision: (w) => [
    ...checkNameCollisions([w.test, w.prod, w.knative]),
    ...w.variants.flatMap((v) => checkNameCollisions([w.test, w.prod, v])),
  ],
  'service-selector': (w) => checkServiceSelectors(everything(w)),
  'pod-hardening': (w) => checkPodHardening(everything(w)),
  rbac: (w) => [w.knative, ...w.variants].flatMap((r) => checkRbac(r.objects)),
  'source-selector': (w) => [
    ...checkSourceSelector(everything(w)),
    ...w.variants.flatMap((v) => checkSourceSelector([...w.test.objects, ...w.prod.objects, ...v.objects])),
  ],
  sink: (w) => [w.knative, ...w.variants].flatMap((r) => checkSinks(r.objects)),
  'istio-routing': (w) => checkIstioRouting(everything(w)),
  'ksvc-scale': (w) => checkKsvcScale(everything(w)),
  'config-reference': (w) => checkConfigReferences(everything(w)),
  'restart-env': (w) => checkRestartEnv(w.knative.objects),
  namespace: (w) => checkSingleNamespace([w.test, w.prod, w.knative]),
};

describe('the real manifests pass every policy', () => {
  for (const [rule, check] of Object.entries(checks)) {
    it(rule, () => {
      expect(check(freshWorld()).map(formatViolation)).toEqual([]);
    });
  }
});

const find = (r: Rendered, kind: string, name?: string): Doc => {
  const o = r.objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind}/${name ?? '*'} in ${r.source}`);
  return o;
};
const ksvc = (w: World, name: string): Doc =>
  w.knative.objects.find((o) => o.apiVersion === 'serving.knative.dev/v1' && o.metadata.name === name);

interface BrokenCase {
  name: string;
  rule: keyof typeof checks;
  breakIt: (w: World) => void;
  expected: string;
}

const cases: BrokenCase[] = [
  {
    name: 'a ConfigMap without its env label',
    rule: 'labels',
    breakIt: (w) => delete find(w.test, 'ConfigMap').metadata.labels.env,
    expected: 'ConfigMap/helloworld-test: [labels] metadata.labels lacks env=test',
  },
  {
    name: 'a Deployment selector without env',
    rule: 'labels',
    breakIt: (w) => delete find(w.prod, 'Deployment').spec.selector.matchLabels.env,
    expected: 'Deployment/helloworld-prod: [labels] spec.selector.matchLabels lacks env=prod',
  },
  {
    name: 'a Knative object without the part-of label',
    rule: 'labels',
    breakIt: (w) => delete find(w.knative, 'PingSource').metadata.labels,
    expected: 'PingSource/reroll-resync: [labels] metadata.labels lacks app.kubernetes.io/part-of=reroll',
  },
  {
    name: 'both overlays naming their Service the same',
    rule: 'collision',
    breakIt: (w) => (find(w.prod, 'Service').metadata.name = 'helloworld-test'),
    expected:
      'Service/helloworld-test: [collision] the same kind and name is already defined by kustomize/overlays/test',
  },
  {
    name: 'a Knative Service named like an overlay Service',
    rule: 'collision',
    breakIt: (w) => (ksvc(w, 'hello').metadata.name = 'helloworld-prod'),
    expected:
      'Service/helloworld-prod: [collision] the core Service Knative creates for it is already defined by kustomize/overlays/prod',
  },
  {
    name: 'a Service selecting both environments',
    rule: 'service-selector',
    breakIt: (w) => delete find(w.test, 'Service').spec.selector.env,
    expected:
      'Service/helloworld-test: [service-selector] env=test but selects pods of Deployment/helloworld-prod (env=prod)',
  },
  {
    name: 'a Service selecting nothing',
    rule: 'service-selector',
    breakIt: (w) => (find(w.prod, 'Service').spec.selector.app = 'hello-world'),
    expected: 'Service/helloworld-prod: [service-selector] selects no pods',
  },
  {
    name: 'a writable root filesystem',
    rule: 'pod-hardening',
    breakIt: (w) =>
      (find(w.test, 'Deployment').spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false),
    expected:
      'Deployment/helloworld-test: [pod-hardening] container hello: securityContext.readOnlyRootFilesystem must be true',
  },
  {
    name: 'capabilities not dropped',
    rule: 'pod-hardening',
    breakIt: (w) => delete ksvc(w, 'restart').spec.template.spec.containers[0].securityContext.capabilities,
    expected: 'Service/restart: [pod-hardening] container restart: securityContext.capabilities.drop must include ALL',
  },
  {
    name: 'privilege escalation allowed',
    rule: 'pod-hardening',
    breakIt: (w) =>
      delete find(w.prod, 'Deployment').spec.template.spec.containers[0].securityContext.allowPrivilegeEscalation,
    expected:
      'Deployment/helloworld-prod: [pod-hardening] container hello: securityContext.allowPrivilegeEscalation must be false',
  },
  {
    name: 'no seccomp profile anywhere',
    rule: 'pod-hardening',
    breakIt: (w) => {
      const spec = find(w.test, 'Deployment').spec.template.spec;
      delete spec.securityContext.seccompProfile;
      delete spec.containers[0].securityContext.seccompProfile;
    },
    expected: 'Deployment/helloworld-test: [pod-hardening] container hello: seccompProfile.type must be RuntimeDefault',
  },
  {
    name: 'a container running as root',
    rule: 'pod-hardening',
    breakIt: (w) => {
      const spec = find(w.test, 'Deployment').spec.template.spec;
      spec.securityContext.runAsNonRoot = false;
      delete spec.containers[0].securityContext.runAsNonRoot;
    },
    expected: 'Deployment/helloworld-test: [pod-hardening] container hello: securityContext.runAsNonRoot must be true',
  },
  {
    name: 'no memory limit',
    rule: 'pod-hardening',
    breakIt: (w) => delete ksvc(w, 'hello').spec.template.spec.containers[0].resources.limits.memory,
    expected: 'Service/hello: [pod-hardening] container hello: resources.limits.memory is missing',
  },
  {
    name: 'a Knative probe with a port',
    rule: 'pod-hardening',
    breakIt: (w) => (ksvc(w, 'restart').spec.template.spec.containers[0].readinessProbe.httpGet.port = 8080),
    expected: 'Service/restart: [pod-hardening] container restart: readinessProbe.httpGet.port must be omitted',
  },
  {
    name: 'a liveness probe on the wrong path',
    rule: 'pod-hardening',
    breakIt: (w) => (find(w.prod, 'Deployment').spec.template.spec.containers[0].livenessProbe.httpGet.path = '/'),
    expected:
      'Deployment/helloworld-prod: [pod-hardening] container hello: livenessProbe.httpGet.path must be /healthz',
  },
  {
    name: 'the restart Role allowed to delete Deployments',
    rule: 'rbac',
    breakIt: (w) => find(w.knative, 'Role', 'reroll-restart').rules[1].verbs.push('delete'),
    expected:
      'Role/reroll-restart: [rbac] grants apps/deployments:delete to ServiceAccount/reroll-restart, which does not need it',
  },
  {
    name: 'the source Role without watch',
    rule: 'rbac',
    breakIt: (w) => (find(w.knative, 'Role', 'reroll-source').rules[0].verbs = ['get', 'list']),
    expected: 'ServiceAccount/reroll-source: [rbac] missing permissions: /configmaps:watch',
  },
  {
    name: 'a wildcard resource',
    rule: 'rbac',
    breakIt: (w) => (find(w.knative, 'Role', 'reroll-restart').rules[0].resources = ['*']),
    expected: 'Role/reroll-restart: [rbac] grants /*:get to ServiceAccount/reroll-restart',
  },
  {
    name: 'a ClusterRole',
    rule: 'rbac',
    breakIt: (w) => w.knative.objects.push({ ...find(w.knative, 'Role', 'reroll-restart'), kind: 'ClusterRole' }),
    expected: 'ClusterRole/reroll-restart: [rbac] cluster-wide RBAC is not allowed',
  },
  {
    name: 'the watch-secrets variant without list on secrets',
    rule: 'rbac',
    breakIt: (w) => {
      const variant = w.variants.find((v) => v.source.includes('watch-secrets')) as Rendered;
      find(variant, 'Role', 'reroll-source').rules[0].resources = ['configmaps'];
    },
    expected: 'ServiceAccount/reroll-source: [rbac] missing permissions: /secrets:get, /secrets:list, /secrets:watch',
  },
  {
    name: 'a RoleBinding whose subject is in another namespace',
    rule: 'rbac',
    breakIt: (w) => (find(w.knative, 'RoleBinding', 'reroll-source').subjects[0].namespace = 'default'),
    expected:
      'ServiceAccount/reroll-source: [rbac] missing permissions: /configmaps:get, /configmaps:list, /configmaps:watch',
  },
  {
    name: 'an overlay deployed to another namespace',
    rule: 'namespace',
    breakIt: (w) => w.prod.objects.forEach((o) => (o.metadata.namespace = 'prod')),
    expected:
      'Deployment/helloworld-prod: [namespace] is in namespace prod (from kustomize/overlays/prod), expected reroll-demo',
  },
  {
    name: 'a ConfigMap that wants restarts without the watched label',
    rule: 'source-selector',
    breakIt: (w) => delete find(w.test, 'ConfigMap').metadata.labels['reroll.dev/watch'],
    expected:
      'ConfigMap/helloworld-test: [source-selector] has rolling.restart.controller/triggerRestart ' +
      'but not the label reroll.dev/watch=true that ApiServerSource/reroll-source selects',
  },
  {
    name: 'the source in Resource mode',
    rule: 'source-selector',
    breakIt: (w) => (find(w.knative, 'ApiServerSource').spec.mode = 'Resource'),
    expected: 'ApiServerSource/reroll-source: [source-selector] mode is Resource, must be Reference',
  },
  {
    name: 'the source watching every ConfigMap',
    rule: 'source-selector',
    breakIt: (w) => delete find(w.knative, 'ApiServerSource').spec.resources[0].selector,
    expected: 'ApiServerSource/reroll-source: [source-selector] watches ConfigMaps without a label selector',
  },
  {
    name: 'a PingSource sink that does not exist',
    rule: 'sink',
    breakIt: (w) => (find(w.knative, 'PingSource').spec.sink.ref.name = 'restrat'),
    expected: 'PingSource/reroll-resync: [sink] spec.sink.ref Service/restrat (serving.knative.dev/v1) does not exist',
  },
  {
    name: 'a Trigger on a Broker that does not exist',
    rule: 'sink',
    breakIt: (w) => {
      const variant = w.variants.find((v) => v.source.includes('broker')) as Rendered;
      find(variant, 'Trigger').spec.broker = 'default';
    },
    expected: 'Trigger/reroll-restart: [sink] spec.broker default does not exist',
  },
  {
    name: 'a VirtualService bound to a missing Gateway',
    rule: 'istio-routing',
    breakIt: (w) => (find(w.test, 'VirtualService').spec.gateways = ['helloworld']),
    expected: 'VirtualService/helloworld-test: [istio-routing] gateway helloworld does not exist',
  },
  {
    name: 'a VirtualService host its Gateway does not accept',
    rule: 'istio-routing',
    breakIt: (w) => (find(w.prod, 'VirtualService').spec.hosts = ['helloworld-test.local']),
    expected:
      'VirtualService/helloworld-prod: [istio-routing] host helloworld-test.local is not accepted by its gateways (helloworld-prod.local)',
  },
  {
    name: 'a route to a Service that does not exist',
    rule: 'istio-routing',
    breakIt: (w) => (find(w.test, 'VirtualService').spec.http[0].route[0].destination.host = 'helloworld'),
    expected:
      'VirtualService/helloworld-test: [istio-routing] destination helloworld is not a Service deployed with it',
  },
  {
    name: 'a route to a port the Service lacks',
    rule: 'istio-routing',
    breakIt: (w) => (find(w.test, 'VirtualService').spec.http[0].route[0].destination.port.number = 8080),
    expected:
      'VirtualService/helloworld-test: [istio-routing] destination port 8080 is not a port of Service/helloworld-test (80)',
  },
  {
    name: 'a Knative Service that never scales to zero',
    rule: 'ksvc-scale',
    breakIt: (w) => (ksvc(w, 'restart').spec.template.metadata.annotations['autoscaling.knative.dev/min-scale'] = '1'),
    expected: 'Service/restart: [ksvc-scale] autoscaling.knative.dev/min-scale is "1", must be "0"',
  },
  {
    name: 'a Knative Service without a scale cap',
    rule: 'ksvc-scale',
    breakIt: (w) => delete ksvc(w, 'hello').spec.template.metadata.annotations['autoscaling.knative.dev/max-scale'],
    expected: 'Service/hello: [ksvc-scale] autoscaling.knative.dev/max-scale must be a positive number',
  },
  {
    name: 'an opted-in Deployment whose ConfigMap does not ask for restarts',
    rule: 'config-reference',
    breakIt: (w) => delete find(w.test, 'ConfigMap').metadata.annotations['rolling.restart.controller/triggerRestart'],
    expected:
      'Deployment/helloworld-test: [config-reference] uses ConfigMap/helloworld-test, ' +
      'which lacks rolling.restart.controller/triggerRestart',
  },
  {
    name: 'an opted-in Deployment pointing at a ConfigMap that is not deployed',
    rule: 'config-reference',
    breakIt: (w) => (find(w.prod, 'Deployment').spec.template.spec.volumes[0].configMap.name = 'helloworld'),
    expected: 'Deployment/helloworld-prod: [config-reference] uses ConfigMap/helloworld, which is not deployed with it',
  },
  {
    name: 'the restart function serving a namespace its Role does not reach',
    rule: 'restart-env',
    breakIt: (w) => (ksvc(w, 'restart').spec.template.spec.containers[0].env[0].value = 'default'),
    expected:
      'Service/restart: [restart-env] REROLL_NAMESPACES=default but its Role only reaches namespace reroll-demo',
  },
  {
    name: 'the restart function with an unknown match mode',
    rule: 'restart-env',
    breakIt: (w) => {
      const env = ksvc(w, 'restart').spec.template.spec.containers[0].env as Array<{ name: string; value: string }>;
      (env.find((e) => e.name === 'REROLL_MATCH') as { value: string }).value = 'label';
    },
    expected: 'Service/restart: [restart-env] REROLL_MATCH=label is not one of reference|labels|both',
  },
];

describe('each policy names the object and rule it finds broken', () => {
  for (const c of cases) {
    it(`${c.rule}: ${c.name}`, () => {
      const world = freshWorld();
      c.breakIt(world);
      const found = (checks[c.rule] as (w: World) => Violation[])(world).map(formatViolation);
      expect(
        found.some((line) => line.includes(c.expected)),
        `got:\n${found.join('\n')}`,
      ).toBe(true);
    });
  }
});
