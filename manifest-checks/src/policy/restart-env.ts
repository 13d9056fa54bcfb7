import { asArray, asRecord, asText, isKind, type KubeObject } from '../kube-object';
import { podTemplateOf } from '../pod-templates';
import { violation, type Violation } from '../violation';

const CHOICES: Record<string, string[]> = {
  REROLL_MATCH: ['reference', 'labels', 'both'],
  REROLL_ON_DELETE: ['ignore', 'roll'],
  REROLL_DRY_RUN: ['true', 'false'],
  LOG_FORMAT: ['text', 'json'],
  LOG_LEVEL: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
};

/**
 * The restart function's configuration fits its manifests: it serves the namespace its Role is
 * in (RBAC is namespaced), enum settings hold known values, and PORT is left to Knative (reserved).
 */
export function checkRestartEnv(objects: KubeObject[]): Violation[] {
  const out: Violation[] = [];
  for (const source of objects.filter((o) => isKind(o, 'sources.knative.dev', 'ApiServerSource'))) {
    const ref = asRecord(asRecord(asRecord(source.spec).sink).ref);
    const restart = objects.find((o) => isKind(o, 'serving.knative.dev', 'Service') && o.metadata.name === ref.name);
    const template = restart && podTemplateOf(restart);
    if (!restart || !template) continue;
    const env = new Map<string, string>();
    for (const c of template.containers) {
      for (const e of asArray(c.env)) env.set(String(asRecord(e).name), asText(asRecord(e).value));
    }
    const fail = (message: string) => out.push(violation(restart, 'restart-env', message));
    const namespaces = (env.get('REROLL_NAMESPACES') ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const ns = restart.metadata.namespace;
    if (namespaces.length === 0) fail('REROLL_NAMESPACES is not set');
    else if (ns !== undefined && !namespaces.every((n) => n === ns)) {
      fail(`REROLL_NAMESPACES=${namespaces.join(',')} but its Role only reaches namespace ${ns}`);
    }
    for (const [name, allowed] of Object.entries(CHOICES)) {
      const value = env.get(name);
      if (value !== undefined && !allowed.includes(value)) fail(`${name}=${value} is not one of ${allowed.join('|')}`);
    }
    if (env.has('PORT')) fail('PORT is reserved by Knative: set containerPort instead');
  }
  return out;
}
