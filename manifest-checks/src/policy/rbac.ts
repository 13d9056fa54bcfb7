import { asArray, asRecord, asText, groupOf, isKind, type KubeObject } from '../kube-object';
import { violation, type Violation } from '../violation';

/** What the restart function does with the API (DESIGN "restart function — contract"), nothing more. */
export const RESTART_PERMISSIONS = [
  '/configmaps:get',
  '/secrets:get',
  ...['deployments', 'statefulsets', 'daemonsets'].flatMap((r) =>
    ['get', 'list', 'patch'].map((v) => `apps/${r}:${v}`),
  ),
  ...['get', 'list', 'patch'].map((v) => `batch/cronjobs:${v}`),
  ...['get', 'list', 'patch'].map((v) => `argoproj.io/rollouts:${v}`),
  ...['get', 'list', 'patch'].map((v) => `serving.knative.dev/services:${v}`),
  // Kubernetes Events on the workloads it decides about: create, and patch for a repeated event's series
  'events.k8s.io/events:create',
  'events.k8s.io/events:patch',
];

/** What the routes function does with the API (DESIGN "routes function"), in its own namespace. */
export const ROUTES_PERMISSIONS = [
  '/configmaps:get',
  '/services:get',
  '/services:list',
  ...['get', 'list', 'create', 'update', 'delete'].map((v) => `networking.istio.io/virtualservices:${v}`),
];

/** The permissions of each function, by the name of its Knative Service. */
export const FUNCTION_PERMISSIONS: Record<string, string[]> = {
  restart: RESTART_PERMISSIONS,
  routes: ROUTES_PERMISSIONS,
};

/** Plural resource of a core or apps kind, as RBAC names it. */
function pluralOf(kind: string): string {
  return `${kind.toLowerCase()}s`;
}

/**
 * The permission set each ServiceAccount needs, from the manifests themselves: an ApiServerSource's
 * account get/list/watch exactly the kinds it watches; the account of the Knative Service the
 * source delivers to gets that function's FUNCTION_PERMISSIONS (restart's when it is unknown).
 */
export function requiredPermissions(
  objects: KubeObject[],
  functionPermissions: Record<string, string[]> = FUNCTION_PERMISSIONS,
): Map<string, string[]> {
  const needed = new Map<string, string[]>();
  for (const source of objects.filter((o) => isKind(o, 'sources.knative.dev', 'ApiServerSource'))) {
    const spec = asRecord(source.spec);
    const account = asText(spec.serviceAccountName, 'default');
    const perms = asArray(spec.resources).flatMap((r) => {
      const res = asRecord(r);
      const group = groupOf(asText(res.apiVersion));
      return ['get', 'list', 'watch'].map((v) => `${group}/${pluralOf(String(res.kind))}:${v}`);
    });
    needed.set(account, [...(needed.get(account) ?? []), ...perms]);
    const sink = asRecord(asRecord(spec.sink).ref);
    const restart = objects.find(
      (o) => isKind(o, 'serving.knative.dev', 'Service') && o.metadata.name === sink.name && sink.kind === 'Service',
    );
    const restartAccount = asRecord(asRecord(asRecord(restart?.spec).template).spec).serviceAccountName;
    if (typeof restartAccount === 'string')
      needed.set(restartAccount, functionPermissions[String(sink.name)] ?? RESTART_PERMISSIONS);
  }
  return needed;
}

export function expandRules(role: KubeObject): string[] {
  return asArray(role.rules).flatMap((rule) => {
    const r = asRecord(rule);
    return asArray(r.apiGroups).flatMap((g) =>
      asArray(r.resources).flatMap((res) => asArray(r.verbs).map((v) => `${String(g)}/${String(res)}:${String(v)}`)),
    );
  });
}

/**
 * Least privilege, exactly: each ServiceAccount's namespaced Roles grant the needed set, no verb or
 * resource more (wildcards count as more), and nothing is granted cluster-wide.
 */
export function checkRbac(objects: KubeObject[], needed = requiredPermissions(objects)): Violation[] {
  const out: Violation[] = [];
  for (const o of objects) {
    if (groupOf(o.apiVersion) === 'rbac.authorization.k8s.io' && o.kind.startsWith('Cluster')) {
      out.push(violation(o, 'rbac', 'cluster-wide RBAC is not allowed: use a namespaced Role and RoleBinding'));
    }
  }
  const roles = objects.filter((o) => isKind(o, 'rbac.authorization.k8s.io', 'Role'));
  const bindings = objects.filter((o) => isKind(o, 'rbac.authorization.k8s.io', 'RoleBinding'));
  for (const [account, want] of needed) {
    const granted = new Map<string, string>(); // permission -> Role granting it
    for (const binding of bindings) {
      const ns = binding.metadata.namespace;
      const bound = asArray(binding.subjects).some((s) => {
        const subject = asRecord(s);
        return subject.kind === 'ServiceAccount' && subject.name === account && (subject.namespace ?? ns) === ns;
      });
      if (!bound) continue;
      const ref = asRecord(binding.roleRef);
      const role = roles.find((r) => ref.kind === 'Role' && r.metadata.name === ref.name);
      if (!role) {
        out.push(violation(binding, 'rbac', `roleRef ${String(ref.kind)}/${String(ref.name)} does not exist`));
        continue;
      }
      for (const p of expandRules(role)) granted.set(p, `Role/${role.metadata.name}`);
    }
    const wanted = new Set(want);
    const missing = [...wanted].filter((p) => !granted.has(p));
    const extra = [...granted].filter(([p]) => !wanted.has(p));
    if (missing.length > 0)
      out.push(violation(`ServiceAccount/${account}`, 'rbac', `missing permissions: ${missing.join(', ')}`));
    for (const [p, role] of extra)
      out.push(violation(role, 'rbac', `grants ${p} to ServiceAccount/${account}, which does not need it`));
  }
  return out;
}
