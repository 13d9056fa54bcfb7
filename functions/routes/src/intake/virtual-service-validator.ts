// VirtualService schema checks with ajv, the way the API server applies the CRD (manifest-checks'
// crd-schema: unknown fields rejected unless preserved). Each version compiles on first use, once:
// compiling a 50 KB schema costs tens of milliseconds a cold start need not pay for unused versions.
import type { ValidateFunction } from 'ajv';
import { closeSchema, createCrdAjv, describeSchemaError, withTypeMeta } from '@reroll/manifest-checks/crd-schema';
import type { VirtualServiceValidator } from '../core/build-virtual-service';
import type { SchemasByVersion } from './virtual-service-crd';

export function compileVirtualServiceValidator(schemas: SchemasByVersion): VirtualServiceValidator {
  const ajv = createCrdAjv();
  const compiled = new Map<string, ValidateFunction>();
  return (object) => {
    const apiVersion = String(object.apiVersion ?? '');
    const version = apiVersion.split('/')[1] ?? '';
    const schema = schemas[version];
    if (!schema)
      return [
        `apiVersion ${apiVersion}: not served by the VirtualService CRD (served: ${Object.keys(schemas).join(', ')})`,
      ];
    let validate = compiled.get(version);
    if (!validate) {
      validate = ajv.compile(closeSchema(withTypeMeta(schema)));
      compiled.set(version, validate);
    }
    return validate(object) ? [] : [...new Set((validate.errors ?? []).map(describeSchemaError))];
  };
}
