import { describe, expect, it } from 'vitest';
import { checkKustomizationFields, findKustomizations, readKustomization } from '../src/check-kustomization-fields';

const files = await findKustomizations('kustomize', 'knative');

describe('kustomization files use current fields', () => {
  it('finds the overlays, knative/ and its components', () => {
    expect(files).toEqual(
      expect.arrayContaining([
        'knative/kustomization.yaml',
        'knative/optional/broker/kustomization.yaml',
        'kustomize/base/kustomization.yaml',
        'kustomize/overlays/prod/kustomization.yaml',
        'kustomize/overlays/test/kustomization.yaml',
      ]),
    );
  });
  for (const file of files) {
    it(file, async () => {
      expect(checkKustomizationFields(await readKustomization(file), file)).toEqual([]);
    });
  }

  const broken = [
    {
      name: 'commonLabels',
      text: 'commonLabels:\n  app: helloworld\n',
      expected: 'x: commonLabels is deprecated, use labels',
    },
    {
      name: 'patchesStrategicMerge',
      text: 'patchesStrategicMerge: [a.yaml]\n',
      expected: 'x: patchesStrategicMerge is deprecated, use patches',
    },
    { name: 'bases', text: 'bases: [../base]\n', expected: 'x: bases is deprecated, use resources' },
    { name: 'vars', text: 'vars: []\n', expected: 'x: vars is deprecated, use replacements' },
    {
      name: 'a hashed ConfigMap name',
      text: 'configMapGenerator:\n  - name: helloworld\n    literals: [message=hi]\n',
      expected: 'x: configMapGenerator helloworld needs options.disableNameSuffixHash: true',
    },
  ];
  for (const c of broken) {
    it(`rejects ${c.name}`, () => {
      expect(checkKustomizationFields(c.text, 'x').join('\n')).toContain(c.expected);
    });
  }
  it('accepts a generator whose hash suffix is disabled', () => {
    const text =
      'configMapGenerator:\n  - name: helloworld\n    literals: [message=hi]\n    options:\n      disableNameSuffixHash: true\n';
    expect(checkKustomizationFields(text, 'x')).toEqual([]);
  });
});
