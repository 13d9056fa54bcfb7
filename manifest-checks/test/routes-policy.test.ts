// The routes function's manifests: they pass, and a broken copy fails naming the object and what is wrong.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../src/kube-object';
import { loadManifestSet } from '../src/manifest-set';
import { checkDeveloperNamespace, checkRoutesSource, readRoutesSettings } from '../src/policy/routes';
import { renderKustomization } from '../src/render-kustomization';
import { createCrdValidator } from '../src/validate-crd';
import { formatViolation } from '../src/violation';

const set = await loadManifestSet();
const validator = await createCrdValidator();
const developerKit = await renderKustomization('knative/developer-namespace');

function check(knative: KubeObject[], kit: KubeObject[] = developerKit.objects): string[] {
  const { settings, violations } = readRoutesSettings(knative, validator);
  const all = [...violations];
  if (settings)
    all.push(...checkRoutesSource(knative, settings), ...checkDeveloperNamespace(kit, settings, 'reroll-demo'));
  return all.map(formatViolation);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Doc = any;
const copy = () => structuredClone(set.knative().objects) as Doc[];
const find = (objects: Doc[], kind: string, name: string): Doc =>
  objects.find((o: Doc) => o.kind === kind && o.metadata.name === name);

describe('routes manifests', () => {
  it('the real manifests and the developer namespace kit pass', () => {
    expect(check(set.knative().objects)).toEqual([]);
  });

  it.each<[string, (k: Doc[], kit: Doc[]) => void, string]>([
    [
      'a template with an unknown field',
      (k) => {
        const cm = find(k, 'ConfigMap', 'reroll-routes-config');
        cm.data['config.yaml'] = cm.data['config.yaml'].replace('hosts:', 'hostz:');
      },
      'ConfigMap/reroll-routes-config: [routes] config.yaml: virtualServiceTemplate renders an invalid VirtualService: spec.hostz: unknown field',
    ],
    [
      'a config naming another default namespace',
      (k) => {
        const cm = find(k, 'ConfigMap', 'reroll-routes-config');
        cm.data['config.yaml'] = cm.data['config.yaml'].replace('"reroll-demo"', '"prod"');
      },
      "defaultNamespace prod is not the function's namespace",
    ],
    [
      'the source without the developer namespace',
      (k) => {
        find(k, 'ApiServerSource', 'routes-source').spec.namespaceSelector.matchExpressions[0].values = ['reroll-demo'];
      },
      'ApiServerSource/routes-source: [routes] namespaceSelector misses dev-alice',
    ],
    [
      'the source in Resource mode',
      (k) => {
        find(k, 'ApiServerSource', 'routes-source').spec.mode = 'Resource';
      },
      'mode is Resource, must be Reference',
    ],
    [
      'the config ConfigMap missing',
      (k) => {
        k.splice(k.indexOf(find(k, 'ConfigMap', 'reroll-routes-config')), 1);
      },
      'REROLL_ROUTES_CONFIGMAP=reroll-routes-config: no such ConfigMap',
    ],
    [
      'a developer namespace Role that may write',
      (_k, kit) => {
        find(kit, 'Role', 'reroll-routes').rules[0].verbs.push('delete');
      },
      'ServiceAccount/reroll-routes: [routes] grants /services:delete in dev-alice',
    ],
  ])('%s fails', (_name, breakIt, expected) => {
    const knative = copy();
    const kit = structuredClone(developerKit.objects) as Doc[];
    breakIt(knative, kit);
    expect(check(knative, kit).join('\n')).toContain(expected);
  });
});
