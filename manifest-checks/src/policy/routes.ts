// The routes function's manifests fit together (DESIGN "routes function"): its Knative Service names
// a config ConfigMap that is deployed with it; that config parses and its template renders to a valid
// VirtualService (the upstream CRD); the VirtualServices are written where its Role is (the default
// namespace is the function's own); its ApiServerSource sends Reference events about v1 Services from
// the default and every developer namespace; and each developer namespace grants Service reads only.
import { parse } from 'yaml';
import { asArray, asRecord, isKind, type KubeObject } from '../kube-object';
import { podTemplateOf } from '../pod-templates';
import type { CrdValidator } from '../validate-crd';
import { violation, type Violation } from '../violation';

export const ROUTES_KSVC = 'routes';
const LOG_CHOICES: Record<string, string[]> = {
  LOG_FORMAT: ['text', 'json'],
  LOG_LEVEL: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'],
};

/** A source that delivers straight to the routes function (restart's policies do not apply to it). */
export function isRoutesSource(source: KubeObject): boolean {
  const ref = asRecord(asRecord(asRecord(source.spec).sink).ref);
  return ref.kind === 'Service' && ref.name === ROUTES_KSVC;
}

function textOf(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

export interface RoutesSettings {
  defaultNamespace: string;
  developerNamespaces: string[];
}

function envOf(ksvc: KubeObject): Map<string, string> {
  const env = new Map<string, string>();
  for (const c of podTemplateOf(ksvc)?.containers ?? [])
    for (const e of asArray(c.env)) env.set(String(asRecord(e).name), textOf(asRecord(e).value));
  return env;
}

/** The settings the routes function would read, or the violations that stop it. */
export function readRoutesSettings(
  objects: KubeObject[],
  validator: CrdValidator,
): { settings?: RoutesSettings; violations: Violation[] } {
  const out: Violation[] = [];
  const ksvc = objects.find((o) => isKind(o, 'serving.knative.dev', 'Service') && o.metadata.name === ROUTES_KSVC);
  if (!ksvc)
    return { violations: [violation(`Service/${ROUTES_KSVC}`, 'routes', 'the routes Knative Service is missing')] };
  const env = envOf(ksvc);
  const fail = (object: KubeObject | string, message: string) => out.push(violation(object, 'routes', message));
  for (const [name, allowed] of Object.entries(LOG_CHOICES)) {
    const value = env.get(name);
    if (value !== undefined && !allowed.includes(value))
      fail(ksvc, `${name}=${value} is not one of ${allowed.join('|')}`);
  }
  if (env.has('PORT')) fail(ksvc, 'PORT is reserved by Knative: set containerPort instead');
  const cmName = env.get('REROLL_ROUTES_CONFIGMAP') ?? 'reroll-routes-config';
  const cmNamespace = env.get('REROLL_ROUTES_CONFIGMAP_NAMESPACE') ?? ksvc.metadata.namespace;
  if (cmNamespace !== ksvc.metadata.namespace)
    fail(
      ksvc,
      `REROLL_ROUTES_CONFIGMAP_NAMESPACE=${String(cmNamespace)} but its Role only reaches ${String(ksvc.metadata.namespace)}`,
    );
  const cm = objects.find(
    (o) =>
      o.apiVersion === 'v1' &&
      o.kind === 'ConfigMap' &&
      o.metadata.name === cmName &&
      o.metadata.namespace === cmNamespace,
  );
  if (!cm) {
    fail(ksvc, `REROLL_ROUTES_CONFIGMAP=${cmName}: no such ConfigMap in ${String(cmNamespace)}`);
    return { violations: out };
  }
  let config: Record<string, unknown>;
  try {
    config = asRecord(parse(textOf(asRecord(cm.data)['config.yaml'])));
  } catch {
    fail(cm, 'config.yaml is not valid YAML');
    return { violations: out };
  }
  const defaultNamespace = config.defaultNamespace;
  const developerNamespaces = asArray(config.developerNamespaces).map(String);
  if (typeof defaultNamespace !== 'string') fail(cm, 'config.yaml: defaultNamespace is required');
  else if (defaultNamespace !== ksvc.metadata.namespace)
    fail(
      cm,
      `config.yaml: defaultNamespace ${defaultNamespace} is not the function's namespace ${String(ksvc.metadata.namespace)}, where its Role lets it write VirtualServices`,
    );
  const template = config.virtualServiceTemplate;
  if (typeof template !== 'string') fail(cm, 'config.yaml: virtualServiceTemplate is required');
  else {
    const text = template
      .replaceAll('${serviceName}', 'example')
      .replaceAll('${defaultNamespace}', String(defaultNamespace));
    let rendered: KubeObject | undefined;
    try {
      rendered = parse(text) as KubeObject;
    } catch {
      fail(cm, 'config.yaml: virtualServiceTemplate does not render to YAML');
    }
    if (rendered) {
      if (!validator.knows(rendered) || rendered.kind !== 'VirtualService')
        fail(cm, 'config.yaml: virtualServiceTemplate does not render to a networking.istio.io VirtualService');
      else
        for (const problem of validator.validate(rendered))
          fail(cm, `config.yaml: virtualServiceTemplate renders an invalid VirtualService: ${problem}`);
    }
  }
  if (out.length > 0 || typeof defaultNamespace !== 'string') return { violations: out };
  return { settings: { defaultNamespace, developerNamespaces }, violations: out };
}

/** The routes ApiServerSource: Reference mode, v1 Services only, from exactly the configured namespaces. */
export function checkRoutesSource(objects: KubeObject[], settings: RoutesSettings): Violation[] {
  const out: Violation[] = [];
  const sources = objects.filter((o) => isKind(o, 'sources.knative.dev', 'ApiServerSource') && isRoutesSource(o));
  if (sources.length === 0) return [violation(`Service/${ROUTES_KSVC}`, 'routes', 'no ApiServerSource delivers to it')];
  const wanted = [settings.defaultNamespace, ...settings.developerNamespaces];
  for (const source of sources) {
    const spec = asRecord(source.spec);
    const fail = (message: string) => out.push(violation(source, 'routes', message));
    if (spec.mode !== 'Reference') fail(`mode is ${textOf(spec.mode) || '<unset>'}, must be Reference`);
    const resources = asArray(spec.resources).map(asRecord);
    if (resources.length !== 1 || resources[0]?.apiVersion !== 'v1' || resources[0]?.kind !== 'Service')
      fail('must watch v1 Services, and nothing else');
    const expressions = asArray(asRecord(spec.namespaceSelector).matchExpressions).map(asRecord);
    const names = expressions.find((e) => e.key === 'kubernetes.io/metadata.name' && e.operator === 'In');
    const selected = asArray(names?.values).map(String);
    const missing = wanted.filter((ns) => !selected.includes(ns));
    const extra = selected.filter((ns) => !wanted.includes(ns));
    if (!names) fail('namespaceSelector must list the namespaces by kubernetes.io/metadata.name In [...]');
    else {
      if (missing.length > 0) fail(`namespaceSelector misses ${missing.join(', ')} (in the routes config)`);
      if (extra.length > 0)
        fail(`namespaceSelector watches ${extra.join(', ')}, which the routes config does not name`);
    }
  }
  return out;
}

const DEVELOPER_GRANTS: Record<string, string[]> = {
  'reroll-routes': ['/services:get', '/services:list'],
  'reroll-routes-source': ['/services:get', '/services:list', '/services:watch'],
};

/** knative/developer-namespace/: Service reads for the routes function and its source, nothing more. */
export function checkDeveloperNamespace(
  objects: KubeObject[],
  settings: RoutesSettings,
  functionNamespace: string,
): Violation[] {
  const out: Violation[] = [];
  const namespace = objects.find((o) => o.kind === 'Namespace')?.metadata.name;
  if (!namespace || !settings.developerNamespaces.includes(namespace))
    out.push(
      violation(
        `Namespace/${String(namespace)}`,
        'routes',
        'is not one of the developerNamespaces of the routes config',
      ),
    );
  const granted = new Map<string, Set<string>>();
  for (const binding of objects.filter((o) => isKind(o, 'rbac.authorization.k8s.io', 'RoleBinding'))) {
    const ref = asRecord(binding.roleRef);
    const role = objects.find((o) => isKind(o, 'rbac.authorization.k8s.io', 'Role') && o.metadata.name === ref.name);
    if (!role) {
      out.push(violation(binding, 'routes', `roleRef ${String(ref.name)} does not exist`));
      continue;
    }
    const perms = asArray(role.rules).flatMap((rule) => {
      const r = asRecord(rule);
      return asArray(r.apiGroups).flatMap((g) =>
        asArray(r.resources).flatMap((res) => asArray(r.verbs).map((v) => `${String(g)}/${String(res)}:${String(v)}`)),
      );
    });
    for (const s of asArray(binding.subjects).map(asRecord)) {
      if (s.kind !== 'ServiceAccount' || s.namespace !== functionNamespace) {
        out.push(
          violation(
            binding,
            'routes',
            `binds ${String(s.kind)}/${String(s.namespace)}/${String(s.name)}: only reroll's ServiceAccounts in ${functionNamespace}`,
          ),
        );
        continue;
      }
      const set = granted.get(String(s.name)) ?? new Set<string>();
      perms.forEach((p) => set.add(p));
      granted.set(String(s.name), set);
    }
  }
  for (const [account, want] of Object.entries(DEVELOPER_GRANTS)) {
    const have = granted.get(account) ?? new Set<string>();
    const missing = want.filter((p) => !have.has(p));
    const extra = [...have].filter((p) => !want.includes(p));
    if (missing.length > 0)
      out.push(
        violation(`ServiceAccount/${account}`, 'routes', `missing in ${String(namespace)}: ${missing.join(', ')}`),
      );
    if (extra.length > 0)
      out.push(
        violation(
          `ServiceAccount/${account}`,
          'routes',
          `grants ${extra.join(', ')} in ${String(namespace)}, which it does not need`,
        ),
      );
  }
  for (const account of granted.keys())
    if (!(account in DEVELOPER_GRANTS))
      out.push(
        violation(
          `ServiceAccount/${account}`,
          'routes',
          `is granted access in ${String(namespace)}, which it does not need`,
        ),
      );
  return out;
}
