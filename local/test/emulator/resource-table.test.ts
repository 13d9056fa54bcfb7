// The custom kinds in the resource table must say what their CRDs say (names, scope, short names,
// printer columns), checked against the upstream CRD files in crds/.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';
import { RESOURCE_TABLE } from '../../src/emulator/resource-table';

const CRDS = fileURLToPath(new URL('../../../crds/', import.meta.url));

interface Crd {
  spec: {
    names: { kind: string; plural: string; singular: string; shortNames?: string[]; categories?: string[] };
    scope: string;
    versions: Array<{
      name: string;
      served: boolean;
      subresources?: { status?: object };
      additionalPrinterColumns?: Array<{ name: string; type: string; jsonPath: string }>;
    }>;
  };
}

describe('resource table vs upstream CRDs', () => {
  for (const t of RESOURCE_TABLE.filter((r) => r.custom)) {
    const file = `${CRDS}${t.group}/${t.resource}.yaml`;
    it(`${t.resource}.${t.group}/${t.version}`, () => {
      const crd = parseAllDocuments(readFileSync(file, 'utf8'))
        .map((d) => d.toJS() as Crd & { kind?: string })
        .find((d) => d?.kind === 'CustomResourceDefinition')!;
      const v = crd.spec.versions.find((x) => x.name === t.version)!;
      expect(v?.served).toBe(true);
      expect({
        kind: t.kind,
        plural: t.resource,
        singular: t.singular,
        shortNames: t.shortNames,
        categories: t.categories,
        namespaced: t.namespaced,
        status: t.statusSubresource,
      }).toEqual({
        kind: crd.spec.names.kind,
        plural: crd.spec.names.plural,
        singular: crd.spec.names.singular,
        shortNames: crd.spec.names.shortNames,
        categories: crd.spec.names.categories,
        namespaced: crd.spec.scope === 'Namespaced',
        status: v.subresources?.status !== undefined,
      });
      const cols = (v.additionalPrinterColumns ?? []).map(({ name, type, jsonPath }) => ({ name, type, jsonPath }));
      expect((t.printerColumns ?? []).map(({ name, type, jsonPath }) => ({ name, type, jsonPath }))).toEqual(cols);
    });
  }
});
