// Request URL -> what the apiserver's RequestInfo resolver would make of it.
import { findResource, RESOURCE_TABLE, type ResourceType } from './resource-table';

export interface ResourcePath {
  kind: 'resource';
  group: string;
  version: string;
  resource: string;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** undefined when group/version/resource is not in the table */
  type?: ResourceType;
  /** the group/version itself exists (so an unknown resource is 404 NotFound, not an unknown path) */
  knownGroupVersion: boolean;
}

export interface OtherPath {
  kind: 'other';
  path: string;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** `table`: the rows this emulator serves (an optional CRD not installed is an unknown resource) */
export function parseRequestPath(
  pathname: string,
  table: readonly ResourceType[] = RESOURCE_TABLE,
): ResourcePath | OtherPath {
  const segs = pathname
    .split('/')
    .filter((s) => s.length > 0)
    .map(decodeSegment);
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 3) {
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 4) {
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else {
    return { kind: 'other', path: pathname };
  }
  const knownGroupVersion = table.some((t) => t.group === group && t.version === version);
  let namespace: string | undefined;
  // namespaces/<ns>/<resource>... is a namespaced path unless it is namespaces/<name>/<subresource>
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const candidate = findResource(group, version, rest[2]!, table);
    if (group !== '' || (candidate && candidate.namespaced) || !['status', 'finalize'].includes(rest[2]!)) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
  }
  const [resource, name, subresource] = rest as [string, string | undefined, string | undefined];
  const type = findResource(group, version, resource, table);
  const out: ResourcePath = { kind: 'resource', group, version, resource, knownGroupVersion, type };
  if (namespace !== undefined) out.namespace = namespace;
  if (name !== undefined) out.name = name;
  if (subresource !== undefined) out.subresource = subresource;
  if (rest.length > 3) out.subresource = rest.slice(2).join('/');
  return out;
}
