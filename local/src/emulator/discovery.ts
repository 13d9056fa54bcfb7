// Legacy discovery documents, generated from the resource table (kubectl api-resources, RESTMapper,
// client-node KubernetesObjectApi all read these).
import { groupVersions, RESOURCE_TABLE, RESOURCE_VERBS, apiVersionOf, type ResourceType } from './resource-table';
import { createHash } from 'node:crypto';

export const SERVER_VERSION = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-reroll-emulator',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2025-01-01T00:00:00Z',
  goVersion: 'go1.23.4',
  compiler: 'gc',
  platform: 'linux/amd64',
};

export function coreVersions(serverAddress: string) {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(name: string, versions: string[]) {
  const gv = versions.map((version) => ({ groupVersion: `${name}/${version}`, version }));
  return { name, versions: gv, preferredVersion: gv[0]! };
}

export function apiGroupList(table: readonly ResourceType[] = RESOURCE_TABLE) {
  const groups = [...groupVersions(table).entries()].filter(([g]) => g !== '').map(([g, vs]) => groupDoc(g, vs));
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

export function apiGroup(group: string, table: readonly ResourceType[] = RESOURCE_TABLE) {
  const vs = groupVersions(table).get(group);
  if (!vs || group === '') return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group, vs) };
}

const hash = (s: string) => createHash('sha256').update(s).digest('base64').slice(0, 11) + '=';

export function apiResourceList(group: string, version: string, table: readonly ResourceType[] = RESOURCE_TABLE) {
  const rows = table.filter((t) => t.group === group && t.version === version);
  if (rows.length === 0) return undefined;
  const resources: Record<string, unknown>[] = [];
  for (const t of rows) {
    const r: Record<string, unknown> = {
      name: t.resource,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: t.resource === 'namespaces' ? RESOURCE_VERBS.filter((v) => v !== 'deletecollection') : RESOURCE_VERBS,
    };
    if (t.shortNames) r.shortNames = t.shortNames;
    if (t.categories) r.categories = t.categories;
    r.storageVersionHash = hash(`${apiVersionOf(t)}/${t.kind}`);
    resources.push(r);
    if (t.scaleSubresource)
      resources.push({
        name: `${t.resource}/scale`,
        singularName: '',
        namespaced: t.namespaced,
        group: 'autoscaling',
        version: 'v1',
        kind: 'Scale',
        verbs: ['get', 'patch', 'update'],
      });
    if (t.logSubresource)
      resources.push({
        name: `${t.resource}/log`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get'],
      });
    if (t.statusSubresource)
      resources.push({
        name: `${t.resource}/status`,
        singularName: '',
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: ['get', 'patch', 'update'],
      });
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources,
  };
}
