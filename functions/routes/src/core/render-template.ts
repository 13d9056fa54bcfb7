// seed 003's template: `${serviceName}` and `${defaultNamespace}` substituted in the YAML text, then
// parsed. Any other `${…}` is an error rather than left in place: a literal `${x}` in a host name
// would only fail later, at the API server or in Envoy.
import { parse } from 'yaml';
import type { KubeObject } from './types';

export const PLACEHOLDERS = ['serviceName', 'defaultNamespace'] as const;
export type TemplateValues = Record<(typeof PLACEHOLDERS)[number], string>;

export type Rendered = { ok: true; object: KubeObject } | { ok: false; error: string };

export function renderTemplate(template: string, values: TemplateValues): Rendered {
  const unknown = [...template.matchAll(/\$\{([^}]*)\}/g)]
    .map((m) => m[1]!)
    .filter((name) => !(PLACEHOLDERS as readonly string[]).includes(name));
  if (unknown.length > 0)
    return {
      ok: false,
      error: `virtualServiceTemplate: unknown placeholder ${[...new Set(unknown)].map((n) => `\${${n}}`).join(', ')} (known: ${PLACEHOLDERS.map((n) => `\${${n}}`).join(', ')})`,
    };
  // the values are DNS labels (checked by the config schema and by the API server), safe inside YAML
  const text = template.replace(
    /\$\{(serviceName|defaultNamespace)\}/g,
    (_, name: keyof TemplateValues) => values[name],
  );
  let object: unknown;
  try {
    object = parse(text);
  } catch (err) {
    const line = (err as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    return { ok: false, error: `virtualServiceTemplate: not valid YAML${line ? ` (line ${line})` : ''}` };
  }
  if (object === null || typeof object !== 'object' || Array.isArray(object))
    return { ok: false, error: 'virtualServiceTemplate: does not render to an object' };
  return { ok: true, object: object as KubeObject };
}
