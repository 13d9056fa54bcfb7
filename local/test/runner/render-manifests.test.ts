import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findAppNamespace, parseManifests, planApply, renderManifests } from '../../src/runner/render-manifests';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

describe('parseManifests', () => {
  const cases: { name: string; text: string; kinds?: string[]; error?: RegExp }[] = [
    {
      name: 'several documents, empty ones skipped',
      text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Service\nmetadata: {name: b}\n',
      kinds: ['ConfigMap/a', 'Service/b'],
    },
    {
      name: 'a List is flattened',
      text: JSON.stringify({
        apiVersion: 'v1',
        kind: 'List',
        items: [{ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } }],
      }),
      kinds: ['Secret/s'],
    },
    {
      name: 'invalid YAML names the document',
      text: 'apiVersion: v1\nkind: [oops\n',
      error: /overlay: YAML document 1 is invalid/,
    },
    { name: 'not an object', text: '- a\n- b\n', error: /document 1 is not a Kubernetes object/ },
    {
      name: 'no name',
      text: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n',
      error: /ConfigMap in document 1 has no metadata.name/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      if (c.error) expect(() => parseManifests(c.text, 'overlay')).toThrow(c.error);
      else expect(parseManifests(c.text, 'overlay').map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual(c.kinds);
    });
  }
});

describe('planApply', () => {
  it('puts Namespaces first and creates the ones only referenced', () => {
    const plan = planApply([
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'apps' } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'declared' } },
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'b', namespace: 'declared' } },
    ]);
    expect(plan.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Namespace/declared',
      'Namespace/apps',
      'ConfigMap/a',
      'Service/b',
    ]);
  });
});

describe('renderManifests (the repository manifests, with kubectl kustomize)', () => {
  it('renders both hello environments and the knative objects into one namespace', async () => {
    const objects = await renderManifests(repoRoot);
    const names = objects.map((o) => `${o.kind}/${o.metadata?.name}`);
    for (const want of [
      'Deployment/helloworld-test',
      'Deployment/helloworld-prod',
      'VirtualService/helloworld-test',
      'Gateway/helloworld-prod',
    ]) {
      expect(names).toContain(want);
    }
    expect(names).toContain('ApiServerSource/reroll-source');
    expect(names).toContain('PingSource/reroll-resync');
    expect(new Set(objects.filter((o) => o.metadata?.namespace).map((o) => o.metadata?.namespace)).size).toBe(1);
    expect(findAppNamespace(objects)).toBe(objects.find((o) => o.kind === 'Deployment')?.metadata?.namespace);
  }, 60_000);

  it('names the directory that does not render', async () => {
    await expect(renderManifests(repoRoot, ['no/such/dir'])).rejects.toThrow(/kubectl kustomize no\/such\/dir failed/);
  }, 60_000);
});
