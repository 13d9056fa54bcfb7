// The upstream VirtualService CRD's schemas, by version. From the repository's crds/ when run from
// source (tests, tsx); the bundle gets them inlined at build time instead (scripts/bundle-options.ts
// replaces this module), because the image carries no crds/ folder.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export type SchemasByVersion = Record<string, Record<string, unknown>>;

export const CRD_FILE = fileURLToPath(
  new URL('../../../../crds/networking.istio.io/virtualservices.yaml', import.meta.url),
);

/** openAPIV3Schema of every served version of a CRD document. */
export function extractSchemas(crdYaml: string): SchemasByVersion {
  const crd = parse(crdYaml) as {
    spec?: {
      versions?: Array<{ name: string; served?: boolean; schema?: { openAPIV3Schema?: Record<string, unknown> } }>;
    };
  };
  const out: SchemasByVersion = {};
  for (const v of crd.spec?.versions ?? [])
    if (v.served && v.schema?.openAPIV3Schema) out[v.name] = v.schema.openAPIV3Schema;
  return out;
}

export function readVirtualServiceSchemas(): SchemasByVersion {
  return extractSchemas(readFileSync(CRD_FILE, 'utf8'));
}
