// The pure decision: given what is live (the config, the Service in the default namespace, the
// same-named Services in the developer namespaces, the VirtualService) say what the VirtualService
// should be and why. No I/O: reconcile.ts reads the inputs and applies the write.
import {
  buildVirtualService,
  renderVirtualService,
  type DeveloperService,
  type VirtualServiceValidator,
} from './build-virtual-service';
import { isManaged, MANAGED_BY, MANAGED_BY_LABEL, type Decision, type KubeObject, type RoutesConfig } from './types';

export type Write =
  | { verb: 'create'; object: KubeObject }
  /** a full replace carrying the resourceVersion it was computed from (409 when someone wrote since) */
  | { verb: 'update'; object: KubeObject }
  | { verb: 'delete'; name: string; resourceVersion: string | undefined };

export interface Plan {
  decision: Decision;
  write?: Write;
}

export interface RoutesState {
  config: RoutesConfig;
  serviceName: string;
  /** the Service in defaultNamespace; null = it does not exist */
  defaultService: KubeObject | null;
  /** the same-named Service per served developer namespace (null = none there), any order */
  developerServices: ReadonlyMap<string, KubeObject | null>;
  /** the live VirtualService of the rendered name; null = none */
  existing: KubeObject | null;
}

/** Developer namespaces that are routed: configured order, no duplicates, never the default or an excluded one. */
export function servedDeveloperNamespaces(
  config: RoutesConfig,
  excluded: readonly string[],
): { namespaces: string[]; dropped: Array<{ namespace: string; reason: string }> } {
  const namespaces: string[] = [];
  const dropped: Array<{ namespace: string; reason: string }> = [];
  for (const ns of config.developerNamespaces) {
    if (namespaces.includes(ns)) continue;
    if (ns === config.defaultNamespace) dropped.push({ namespace: ns, reason: 'it is the default namespace' });
    else if (excluded.includes(ns)) dropped.push({ namespace: ns, reason: 'it is a system namespace' });
    else namespaces.push(ns);
  }
  return { namespaces, dropped };
}

/** The name the VirtualService of a Service has, from the template (or why it cannot be known). */
export function nameVirtualService(
  config: RoutesConfig,
  serviceName: string,
  validate: VirtualServiceValidator,
): { ok: true; name: string } | { ok: false; error: string } {
  const rendered = renderVirtualService(config, serviceName, validate);
  return rendered.ok ? { ok: true, name: rendered.object.metadata!.name! } : rendered;
}

export function decideRoutes(state: RoutesState, excluded: readonly string[], validate: VirtualServiceValidator): Plan {
  const { config, serviceName, defaultService, existing } = state;
  const namespace = config.defaultNamespace;
  const rendered = renderVirtualService(config, serviceName, validate);
  const fallbackName = `${serviceName}-virtual-service`;
  if (!rendered.ok)
    return { decision: decision(namespace, fallbackName, serviceName, 'failed', `${rendered.error}; nothing written`) };
  const name = rendered.object.metadata!.name!;
  const say = (action: Decision['action'], reason: string): Decision =>
    decision(namespace, name, serviceName, action, reason);

  if (existing && !isManaged(existing))
    return {
      decision: say(
        'skipped',
        `VirtualService ${namespace}/${name} exists without ${MANAGED_BY_LABEL}=${MANAGED_BY}: not ours, left alone`,
      ),
    };

  if (!defaultService) {
    if (existing)
      return {
        decision: say('deleted', `Service ${namespace}/${serviceName} is gone: its VirtualService goes too`),
        write: { verb: 'delete', name, resourceVersion: existing.metadata?.resourceVersion },
      };
    return {
      decision: say(
        'skipped',
        `no Service ${serviceName} in the default namespace ${namespace}: no VirtualService (developer-only Services are not routed)`,
      ),
    };
  }

  const { namespaces } = servedDeveloperNamespaces(config, excluded);
  const developers: DeveloperService[] = namespaces.flatMap((ns) => {
    const service = state.developerServices.get(ns);
    return service ? [{ namespace: ns, service }] : [];
  });
  const built = buildVirtualService(rendered.object, config, serviceName, defaultService, developers, validate);
  if (!built.ok) return { decision: say('failed', `${built.error}; nothing written`) };
  const routed =
    developers.length === 0
      ? 'the default route only'
      : `x-developer routes to ${developers.map((d) => d.namespace).join(', ')}, then the default route`;

  if (!existing) return { decision: say('created', routed), write: { verb: 'create', object: built.object } };
  if (isUpToDate(existing, built.object))
    return { decision: say('unchanged', `already routes ${routed.replace(/^x-developer routes to /, 'to ')}`) };
  const object: KubeObject = {
    ...built.object,
    metadata: {
      ...built.object.metadata,
      labels: { ...existing.metadata?.labels, ...built.object.metadata?.labels },
      annotations: { ...existing.metadata?.annotations, ...built.object.metadata?.annotations },
      ...(existing.metadata?.resourceVersion ? { resourceVersion: existing.metadata.resourceVersion } : {}),
    },
  };
  return { decision: say('updated', routed), write: { verb: 'update', object } };
}

/** Same spec, and our labels/annotations present: the template's metadata is ours to keep in place. */
function isUpToDate(existing: KubeObject, desired: KubeObject): boolean {
  const contains = (have: Record<string, string> | undefined, want: Record<string, string> | undefined) =>
    Object.entries(want ?? {}).every(([k, v]) => have?.[k] === v);
  return (
    canonical(existing.spec) === canonical(desired.spec) &&
    contains(existing.metadata?.labels, desired.metadata?.labels) &&
    contains(existing.metadata?.annotations, desired.metadata?.annotations)
  );
}

/** JSON with sorted keys: the API server may return keys in another order than we sent them. */
export function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)))
      : v,
  );
}

function decision(
  namespace: string,
  name: string,
  service: string,
  action: Decision['action'],
  reason: string,
): Decision {
  return { kind: 'VirtualService', namespace, name, service, action, reason };
}
