// The cluster-wide install (knative/cluster-wide/, knative/cluster-wide-reloader/ and their
// components): every render validates against its schema, passes the policies that apply to it
// (exact cluster-wide RBAC, the source's namespaceSelector and the function's selector in step,
// hardening, sinks, labels), stays in step with the namespaced manifests it copies, and each broken
// copy fails naming the object and rule.
import { describe, expect, it } from 'vitest';
import { loadClusterWideSet } from '../src/cluster-wide-set';
import { describeObject, type KubeObject, type Rendered } from '../src/kube-object';
import { loadManifestSet } from '../src/manifest-set';
import { checkClusterRbac } from '../src/policy/cluster-rbac';
import { checkClusterSelector } from '../src/policy/cluster-selector';
import { checkLabels } from '../src/policy/env-labels';
import { checkKsvcScale } from '../src/policy/ksvc-scale';
import { checkPodHardening } from '../src/policy/pod-hardening';
import { checkRbac } from '../src/policy/rbac';
import { checkSingleNamespace } from '../src/policy/single-namespace';
import { checkSinks } from '../src/policy/sinks';
import { createCrdValidator } from '../src/validate-crd';
import { validateObject } from '../src/validate-object';
import { formatViolation, type Violation } from '../src/violation';

// Cases break one field deep inside arbitrary Kubernetes JSON: an untyped view keeps them short.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;

const cluster = await loadClusterWideSet();
const namespaced = await loadManifestSet();
const crds = await createCrdValidator();

const find = (r: Rendered, kind: string, name?: string): Doc => {
  const o = r.objects.find((x) => x.kind === kind && (name === undefined || x.metadata.name === name));
  if (!o) throw new Error(`no ${kind}/${name ?? '*'} in ${r.source}`);
  return o;
};
const byName = (source: string): Rendered => {
  const r = [...cluster.all, ...cluster.namespacedReloader].find((x) => x.source === source);
  if (!r) throw new Error(`${source} was not rendered`);
  return r;
};
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding']);
const namespacedPart = (r: Rendered): Rendered => ({
  source: r.source,
  objects: r.objects.filter((o) => !CLUSTER_SCOPED.has(o.kind) || o.kind === 'Namespace'),
});
const partOf = { 'app.kubernetes.io/part-of': 'reroll' };

const checks: Record<string, (objects: KubeObject[], r: Rendered) => Violation[]> = {
  'cluster-rbac': (objects) => checkClusterRbac(objects),
  'cluster-selector': (objects) => checkClusterSelector(objects),
  labels: (objects) => checkLabels(objects, partOf, false),
  'pod-hardening': (objects) => checkPodHardening(objects),
  sink: (objects) => checkSinks(objects),
  'ksvc-scale': (objects) => checkKsvcScale(objects),
  namespace: (_objects, r) => checkSingleNamespace([namespacedPart(r)]),
};

describe('every cluster-wide render', () => {
  it('renders the variants docs/deploy.md names', () => {
    expect(cluster.all.map((r) => r.source)).toEqual([
      'knative/cluster-wide',
      'knative/cluster-wide-reloader',
      'knative/cluster-wide + knative/optional/watch-secrets',
      'knative/cluster-wide + knative/optional/watch-all-configmaps',
      'knative/cluster-wide-reloader + knative/optional/watch-all-secrets',
    ]);
  });
  for (const r of [...cluster.all, ...cluster.namespacedReloader]) {
    describe(r.source, () => {
      for (const object of r.objects) {
        it(`${describeObject(object)} matches its schema`, async () => {
          expect(await validateObject(object, crds)).toEqual([]);
        });
      }
    });
  }
  for (const r of cluster.all) {
    for (const [rule, check] of Object.entries(checks)) {
      it(`${r.source} passes ${rule}`, () => {
        expect(check(structuredClone(r.objects), structuredClone(r)).map(formatViolation)).toEqual([]);
      });
    }
  }
  for (const r of cluster.namespacedReloader) {
    it(`${r.source}: the namespaced install keeps exact namespaced RBAC`, () => {
      expect(checkRbac(r.objects).map(formatViolation)).toEqual([]);
    });
  }
});

describe('what each variant watches', () => {
  const watched = (source: string) =>
    find(byName(source), 'ApiServerSource', 'reroll-source').spec.resources.map(
      (r: Doc) => `${r.kind}${r.selector ? ` ${JSON.stringify(r.selector.matchLabels)}` : ' (all)'}`,
    );
  const table: Array<[string, string[]]> = [
    ['knative/cluster-wide', ['ConfigMap {"reroll.dev/watch":"true"}']],
    [
      'knative/cluster-wide + knative/optional/watch-secrets',
      ['ConfigMap {"reroll.dev/watch":"true"}', 'Secret {"reroll.dev/watch":"true"}'],
    ],
    ['knative/cluster-wide-reloader', ['ConfigMap (all)']],
    ['knative/cluster-wide + knative/optional/watch-all-configmaps', ['ConfigMap (all)']],
    ['knative/cluster-wide-reloader + knative/optional/watch-all-secrets', ['ConfigMap (all)', 'Secret (all)']],
    ['knative + knative/optional/watch-all-configmaps', ['ConfigMap (all)']],
  ];
  for (const [source, expected] of table) {
    it(`${source}: ${expected.join(', ')}, in Reference mode, from namespaces labelled reroll.dev/enabled=true`, () => {
      expect(watched(source)).toEqual(expected);
      const spec = find(byName(source), 'ApiServerSource', 'reroll-source').spec;
      expect(spec.mode).toBe('Reference');
      if (source.startsWith('knative/cluster-wide'))
        expect(spec.namespaceSelector).toEqual({ matchLabels: { 'reroll.dev/enabled': 'true' } });
    });
  }
});

describe('the copies stay in step with knative/', () => {
  const ns = namespaced.knative();
  const base = cluster.base;
  const envOf = (ksvc: Doc) => ksvc.spec.template.spec.containers[0].env as Array<{ name: string; value: string }>;
  it('the restart Knative Service differs only in REROLL_NAMESPACES → REROLL_NAMESPACE_SELECTOR', () => {
    const mine = structuredClone(find(base, 'Service', 'restart'));
    const theirs = structuredClone(find(ns, 'Service', 'restart'));
    expect(envOf(mine).find((e) => e.name === 'REROLL_NAMESPACE_SELECTOR')?.value).toBe('reroll.dev/enabled=true');
    const strip = (k: Doc) => {
      k.spec.template.spec.containers[0].env = envOf(k).filter(
        (e) => e.name !== 'REROLL_NAMESPACES' && e.name !== 'REROLL_NAMESPACE_SELECTOR',
      );
      return k.spec;
    };
    expect(strip(mine)).toEqual(strip(theirs));
  });
  it('the ApiServerSource differs only in namespaceSelector; the PingSource not at all', () => {
    const { namespaceSelector: _selector, ...source } = structuredClone(
      find(base, 'ApiServerSource', 'reroll-source').spec,
    );
    expect(source).toEqual(find(ns, 'ApiServerSource', 'reroll-source').spec);
    expect(find(base, 'PingSource', 'reroll-resync').spec).toEqual(find(ns, 'PingSource', 'reroll-resync').spec);
  });
  it('nothing of the demo app or the routes function comes along', () => {
    expect(base.objects.map(describeObject).sort()).toEqual([
      'ApiServerSource/reroll-source',
      'ClusterRole/reroll-restart',
      'ClusterRole/reroll-source',
      'ClusterRoleBinding/reroll-restart',
      'ClusterRoleBinding/reroll-source',
      'Namespace/reroll-system',
      'PingSource/reroll-resync',
      'Service/restart',
      'ServiceAccount/reroll-restart',
      'ServiceAccount/reroll-source',
    ]);
  });
});

interface BrokenCase {
  name: string;
  rule: keyof typeof checks;
  source?: string;
  breakIt: (r: Rendered) => void;
  expected: string[];
}

const rules = (r: Rendered, name: string): Doc[] => find(r, 'ClusterRole', name).rules;
const restartEnv = (r: Rendered): Doc[] => find(r, 'Service', 'restart').spec.template.spec.containers[0].env;
const setEnv = (r: Rendered, name: string, value: string | undefined) => {
  const env = restartEnv(r);
  const i = env.findIndex((e: Doc) => e.name === name);
  if (value === undefined) env.splice(i, 1);
  else if (i === -1) env.push({ name, value });
  else env[i].value = value;
};

const cases: BrokenCase[] = [
  {
    name: 'the function may also list Secrets',
    rule: 'cluster-rbac',
    breakIt: (r) => rules(r, 'reroll-restart')[1].verbs.push('list'),
    expected: [
      'ClusterRole/reroll-restart: [cluster-rbac] grants /configmaps:list to ServiceAccount/reroll-restart, which does not need it',
      'ClusterRole/reroll-restart: [cluster-rbac] grants /secrets:list to ServiceAccount/reroll-restart, which does not need it',
    ],
  },
  {
    name: 'the function cannot list namespaces (a resync would fail)',
    rule: 'cluster-rbac',
    breakIt: (r) => (rules(r, 'reroll-restart')[0].verbs = ['get']),
    expected: ['ServiceAccount/reroll-restart: [cluster-rbac] missing permissions: /namespaces:list'],
  },
  {
    name: 'the source may watch namespaces (Knative’s controller resolves the selector, not the adapter)',
    rule: 'cluster-rbac',
    breakIt: (r) => rules(r, 'reroll-source').push({ apiGroups: [''], resources: ['namespaces'], verbs: ['watch'] }),
    expected: [
      'ClusterRole/reroll-source: [cluster-rbac] grants /namespaces:watch to ServiceAccount/reroll-source, which does not need it',
    ],
  },
  {
    name: 'a wildcard verb',
    rule: 'cluster-rbac',
    breakIt: (r) => (rules(r, 'reroll-source')[0].verbs = ['*']),
    expected: [
      'ClusterRole/reroll-source: [cluster-rbac] grants a wildcard (/configmaps:*)',
      'ServiceAccount/reroll-source: [cluster-rbac] missing permissions: /configmaps:get, /configmaps:list, /configmaps:watch',
      'ClusterRole/reroll-source: [cluster-rbac] grants /configmaps:* to ServiceAccount/reroll-source, which does not need it',
    ],
  },
  {
    name: 'a binding to a ClusterRole that does not exist',
    rule: 'cluster-rbac',
    breakIt: (r) => (find(r, 'ClusterRoleBinding', 'reroll-source').roleRef.name = 'reroll-sourc'),
    expected: [
      'ClusterRoleBinding/reroll-source: [cluster-rbac] roleRef ClusterRole/reroll-sourc does not exist',
      'ServiceAccount/reroll-source: [cluster-rbac] missing permissions: /configmaps:get, /configmaps:list, /configmaps:watch',
    ],
  },
  {
    name: 'a namespaced Role slipped in',
    rule: 'cluster-rbac',
    breakIt: (r) =>
      r.objects.push({
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'Role',
        metadata: { name: 'extra', namespace: 'reroll-system' },
      }),
    expected: ['Role/extra: [cluster-rbac] a namespaced grant in the cluster-wide install: use the ClusterRole'],
  },
  {
    name: 'the Reloader variant watches Secrets without the source being allowed to',
    rule: 'cluster-rbac',
    source: 'knative/cluster-wide-reloader + knative/optional/watch-all-secrets',
    breakIt: (r) => (rules(r, 'reroll-source')[0].resources = ['configmaps']),
    expected: [
      'ServiceAccount/reroll-source: [cluster-rbac] missing permissions: /secrets:get, /secrets:list, /secrets:watch',
    ],
  },
  {
    name: 'the function told another selector than the source',
    rule: 'cluster-selector',
    breakIt: (r) => setEnv(r, 'REROLL_NAMESPACE_SELECTOR', 'reroll.dev/enabled=yes'),
    expected: [
      'Service/restart: [cluster-selector] REROLL_NAMESPACE_SELECTOR=reroll.dev/enabled=yes but ApiServerSource/reroll-source selects reroll.dev/enabled=true',
    ],
  },
  {
    name: 'the function told no selector',
    rule: 'cluster-selector',
    breakIt: (r) => setEnv(r, 'REROLL_NAMESPACE_SELECTOR', undefined),
    expected: ['Service/restart: [cluster-selector] REROLL_NAMESPACE_SELECTOR is not set'],
  },
  {
    name: 'a fixed namespace list as well',
    rule: 'cluster-selector',
    breakIt: (r) => setEnv(r, 'REROLL_NAMESPACES', 'team-a'),
    expected: [
      'Service/restart: [cluster-selector] REROLL_NAMESPACES is set: it would narrow the selector to a fixed list',
    ],
  },
  {
    name: 'an empty namespaceSelector (every namespace)',
    rule: 'cluster-selector',
    breakIt: (r) => (find(r, 'ApiServerSource').spec.namespaceSelector = {}),
    expected: [
      'ApiServerSource/reroll-source: [cluster-selector] spec.namespaceSelector is empty: it would watch every namespace',
      'Service/restart: [cluster-selector] REROLL_NAMESPACE_SELECTOR=reroll.dev/enabled=true but ApiServerSource/reroll-source selects ',
    ],
  },
  {
    name: 'no namespaceSelector (only its own namespace)',
    rule: 'cluster-selector',
    breakIt: (r) => delete find(r, 'ApiServerSource').spec.namespaceSelector,
    expected: [
      'ApiServerSource/reroll-source: [cluster-selector] spec.namespaceSelector is missing: it would watch only its own namespace',
    ],
  },
  {
    name: 'a Knative object outside reroll-system',
    rule: 'namespace',
    breakIt: (r) => (find(r, 'PingSource').metadata.namespace = 'default'),
    expected: [
      'PingSource/reroll-resync: [namespace] is in namespace default (from knative/cluster-wide), expected reroll-system',
    ],
  },
];

describe('each broken cluster-wide copy fails, naming the object and rule', () => {
  for (const c of cases) {
    it(c.name, () => {
      const r = structuredClone(byName(c.source ?? 'knative/cluster-wide'));
      expect(checks[c.rule]!(r.objects, r).map(formatViolation)).toEqual([]);
      c.breakIt(r);
      expect(checks[c.rule]!(r.objects, r).map(formatViolation)).toEqual(c.expected);
    });
  }

  it('a selector written with matchExpressions and spaces still matches the same text', () => {
    const r = structuredClone(cluster.base);
    find(r, 'ApiServerSource').spec.namespaceSelector = {
      matchExpressions: [
        { key: 'reroll.dev/enabled', operator: 'In', values: ['true'] },
        { key: 'tier', operator: 'In', values: ['b', 'a'] },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    };
    setEnv(r, 'REROLL_NAMESPACE_SELECTOR', 'tier in (a, b), !legacy, reroll.dev/enabled==true');
    expect(checkClusterSelector(r.objects).map(formatViolation)).toEqual([]);
  });
});
