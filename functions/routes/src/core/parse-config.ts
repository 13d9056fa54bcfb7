// seed 003's `config.yaml` → RoutesConfig, or every problem in one list. The text is the ConfigMap's
// data, so an error names the field that is wrong, never quotes a value back.
import { Ajv } from 'ajv';
import { parse } from 'yaml';
import type { RoutesConfig } from './types';

const DNS_LABEL = '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$';

const CONFIG_SCHEMA = {
  type: 'object',
  required: ['defaultNamespace', 'virtualServiceTemplate'],
  properties: {
    defaultNamespace: { type: 'string', pattern: DNS_LABEL },
    developerNamespaces: { type: 'array', items: { type: 'string', pattern: DNS_LABEL } },
    virtualServiceTemplate: { type: 'string', minLength: 1 },
  },
} as const;

export type ConfigParse = { ok: true; config: RoutesConfig } | { ok: false; errors: string[] };
export type ConfigParser = (text: string | undefined) => ConfigParse;

/** Compiles the schema once (ajv generates code per schema); the parser runs on every reconcile. */
export function createConfigParser(): ConfigParser {
  const validate = new Ajv({ allErrors: true, strict: true }).compile(CONFIG_SCHEMA);
  return (text) => {
    if (text === undefined) return { ok: false, errors: ['config.yaml: the ConfigMap has no config.yaml key'] };
    let value: unknown;
    try {
      value = parse(text);
    } catch (err) {
      const line = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
      return { ok: false, errors: [`config.yaml: not valid YAML${line ? ` (line ${line})` : ''}`] };
    }
    if (!validate(value)) {
      return {
        ok: false,
        errors: (validate.errors ?? []).map((e) => {
          const path = e.instancePath.replace(/^\//, '').replaceAll('/', '.');
          const missing = (e.params as { missingProperty?: string }).missingProperty;
          const field = missing ?? (path || '(root)');
          return `config.yaml: ${field} ${e.keyword === 'required' ? 'is required' : (e.message ?? 'is invalid')}`;
        }),
      };
    }
    const v = value as { defaultNamespace: string; developerNamespaces?: string[]; virtualServiceTemplate: string };
    return {
      ok: true,
      config: {
        defaultNamespace: v.defaultNamespace,
        developerNamespaces: v.developerNamespaces ?? [],
        virtualServiceTemplate: v.virtualServiceTemplate,
      },
    };
  };
}
