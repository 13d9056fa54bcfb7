import { asArray, asRecord, isKind, type KubeObject } from '../kube-object';
import { violation, type Violation } from '../violation';
import { RESTART_PERMISSIONS, expandRules, requiredPermissions } from './rbac';

/**
 * The cluster-wide install's restart function: its namespaced verbs, plus get/list namespaces (it
 * reads a namespace's labels per event and lists the labelled ones per resync), plus the CronJob and
 * Argo Rollout kinds (get/list/patch, like every workload kind). Nothing else.
 */
export const CLUSTER_RESTART_PERMISSIONS = [
  ...new Set([
    ...RESTART_PERMISSIONS,
    '/namespaces:get',
    '/namespaces:list',
    ...['get', 'list', 'patch'].flatMap((v) => [`batch/cronjobs:${v}`, `argoproj.io/rollouts:${v}`]),
  ]),
];

/**
 * Least privilege for an install that serves many namespaces: each ServiceAccount gets exactly the
 * permissions it needs (derived from the ApiServerSource and the function it feeds, as in rbac.ts),
 * all of them through ClusterRoleBindings (a namespace labelled later needs no new binding), no
 * wildcard, no verb or resource more, and no namespaced Role in between that could drift.
 */
export function checkClusterRbac(
  objects: KubeObject[],
  needed = requiredPermissions(objects, { restart: CLUSTER_RESTART_PERMISSIONS }),
): Violation[] {
  const out: Violation[] = [];
  for (const o of objects) {
    if (isKind(o, 'rbac.authorization.k8s.io', 'Role') || isKind(o, 'rbac.authorization.k8s.io', 'RoleBinding'))
      out.push(violation(o, 'cluster-rbac', 'a namespaced grant in the cluster-wide install: use the ClusterRole'));
  }
  const roles = objects.filter((o) => isKind(o, 'rbac.authorization.k8s.io', 'ClusterRole'));
  const bindings = objects.filter((o) => isKind(o, 'rbac.authorization.k8s.io', 'ClusterRoleBinding'));
  for (const role of roles) {
    for (const p of expandRules(role))
      if (p.includes('*')) out.push(violation(role, 'cluster-rbac', `grants a wildcard (${p})`));
    if (asArray(role.rules).some((r) => asRecord(r).nonResourceURLs !== undefined))
      out.push(violation(role, 'cluster-rbac', 'grants nonResourceURLs'));
  }
  for (const [account, want] of needed) {
    const granted = new Map<string, string>();
    for (const binding of bindings) {
      const bound = asArray(binding.subjects).some((s) => {
        const subject = asRecord(s);
        return subject.kind === 'ServiceAccount' && subject.name === account && typeof subject.namespace === 'string';
      });
      if (!bound) continue;
      const ref = asRecord(binding.roleRef);
      const role = roles.find((r) => ref.kind === 'ClusterRole' && r.metadata.name === ref.name);
      if (!role) {
        out.push(violation(binding, 'cluster-rbac', `roleRef ${String(ref.kind)}/${String(ref.name)} does not exist`));
        continue;
      }
      for (const p of expandRules(role)) granted.set(p, `ClusterRole/${role.metadata.name}`);
    }
    const wanted = new Set(want);
    const missing = [...wanted].filter((p) => !granted.has(p));
    if (missing.length > 0)
      out.push(violation(`ServiceAccount/${account}`, 'cluster-rbac', `missing permissions: ${missing.join(', ')}`));
    for (const [p, role] of granted)
      if (!wanted.has(p))
        out.push(violation(role, 'cluster-rbac', `grants ${p} to ServiceAccount/${account}, which does not need it`));
  }
  return out;
}
