// RBAC as kube-apiserver evaluates it, over the Roles/ClusterRoles/RoleBindings/ClusterRoleBindings
// stored in the emulator: a request is allowed when some binding that names the user (directly,
// by group, or as a ServiceAccount) points at a role with a rule matching verb, API group,
// resource[/subresource], resource name, and namespace. Deny answers the apiserver's 403 text.
import type { ObjectStore } from './object-store';
import type { KObject } from './object-types';
import { isPlainObject } from './object-types';
import { forbidden, type ApiError } from './status-errors';

export interface UserInfo {
  name: string;
  groups: string[];
}

export interface RequestAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

interface PolicyRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
}

/** The groups kube-apiserver's authenticators give a user. */
export function userInfoFor(name: string, extraGroups: string[] = []): UserInfo {
  const groups = new Set(extraGroups);
  if (name === 'system:anonymous') groups.add('system:unauthenticated');
  else groups.add('system:authenticated');
  const sa = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(name);
  if (sa) {
    groups.add('system:serviceaccounts');
    groups.add(`system:serviceaccounts:${sa[1]}`);
  }
  return { name, groups: [...groups] };
}

const has = (list: string[] | undefined, v: string) => Array.isArray(list) && (list.includes('*') || list.includes(v));

function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (!has(rule.apiGroups, a.group)) return false;
  const resources = rule.resources ?? [];
  const wanted = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resourceOk =
    resources.includes('*') ||
    resources.includes(wanted) ||
    (a.subresource !== undefined && resources.includes(`*/${a.subresource}`));
  if (!resourceOk) return false;
  const names = rule.resourceNames ?? [];
  if (names.length === 0) return true;
  return a.name !== undefined && names.includes(a.name);
}

function subjectMatches(s: Subject, user: UserInfo, bindingNamespace: string | undefined): boolean {
  if (s.kind === 'User') return s.name === user.name;
  if (s.kind === 'Group') return s.name !== undefined && user.groups.includes(s.name);
  if (s.kind === 'ServiceAccount')
    return user.name === `system:serviceaccount:${s.namespace ?? bindingNamespace ?? ''}:${s.name ?? ''}`;
  return false;
}

function rulesOf(role: KObject | undefined): PolicyRule[] {
  return role && Array.isArray(role.rules) ? role.rules.filter(isPlainObject) : [];
}

export class RbacAuthorizer {
  constructor(private readonly store: ObjectStore) {}

  allows(user: UserInfo, a: RequestAttributes): boolean {
    if (user.groups.includes('system:masters')) return true;
    const bound = (binding: KObject) =>
      Array.isArray(binding.subjects) &&
      (binding.subjects as Subject[]).some(
        (s) => isPlainObject(s) && subjectMatches(s, user, binding.metadata.namespace),
      );
    const roleRef = (binding: KObject) =>
      isPlainObject(binding.roleRef) ? (binding.roleRef as { kind?: string; name?: string }) : {};
    for (const crb of this.store.list('clusterrolebindings.rbac.authorization.k8s.io')) {
      if (!bound(crb) || roleRef(crb).kind !== 'ClusterRole') continue;
      if (
        rulesOf(this.store.get('clusterroles.rbac.authorization.k8s.io', '', roleRef(crb).name ?? '')).some((r) =>
          ruleAllows(r, a),
        )
      )
        return true;
    }
    if (a.namespace) {
      for (const rb of this.store.list('rolebindings.rbac.authorization.k8s.io', a.namespace)) {
        if (!bound(rb)) continue;
        const ref = roleRef(rb);
        const role =
          ref.kind === 'Role'
            ? this.store.get('roles.rbac.authorization.k8s.io', a.namespace, ref.name ?? '')
            : ref.kind === 'ClusterRole'
              ? this.store.get('clusterroles.rbac.authorization.k8s.io', '', ref.name ?? '')
              : undefined;
        if (rulesOf(role).some((r) => ruleAllows(r, a))) return true;
      }
    }
    return false;
  }

  /** undefined when allowed, else the 403 the apiserver answers */
  check(user: UserInfo, a: RequestAttributes): ApiError | undefined {
    if (this.allows(user, a)) return undefined;
    const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    const scope = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
    return forbidden(
      { group: a.group, resource: a.resource },
      a.name ?? '',
      `User "${user.name}" cannot ${a.verb} resource "${resource}" in API group "${a.group}" ${scope}`,
    );
  }
}
