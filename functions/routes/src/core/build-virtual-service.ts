// The VirtualService a Service should have: seed 003's template rendered for it, labelled as ours,
// its `http` list = one x-developer route per developer namespace that has a Service of the same
// name (in the configured order), then the template's own routes (the default route).
import { renderTemplate } from './render-template';
import {
  DEVELOPER_HEADER,
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SERVICE_LABEL,
  type KubeObject,
  type RoutesConfig,
} from './types';

export const VIRTUAL_SERVICE_GROUP = 'networking.istio.io';

/** Schema problems of a VirtualService (the CRD's openAPIV3Schema, compiled once outside the core). */
export type VirtualServiceValidator = (object: KubeObject) => string[];

export type Built = { ok: true; object: KubeObject } | { ok: false; error: string };

export interface DeveloperService {
  namespace: string;
  service: KubeObject;
}

/** The template rendered for one Service and checked to be a VirtualService we may write. */
export function renderVirtualService(
  config: RoutesConfig,
  serviceName: string,
  validate: VirtualServiceValidator,
): Built {
  const rendered = renderTemplate(config.virtualServiceTemplate, {
    serviceName,
    defaultNamespace: config.defaultNamespace,
  });
  if (!rendered.ok) return rendered;
  const object = rendered.object;
  const group = String(object.apiVersion ?? '').split('/')[0];
  if (group !== VIRTUAL_SERVICE_GROUP || object.kind !== 'VirtualService')
    return {
      ok: false,
      error:
        `virtualServiceTemplate: renders to ${String(object.apiVersion)} ` +
        `${String(object.kind)}, not a ${VIRTUAL_SERVICE_GROUP} VirtualService`,
    };
  const name = object.metadata?.name;
  if (typeof name !== 'string' || name === '')
    return { ok: false, error: 'virtualServiceTemplate: metadata.name is required' };
  const namespace = object.metadata?.namespace;
  if (namespace !== undefined && namespace !== config.defaultNamespace)
    return {
      ok: false,
      error:
        `virtualServiceTemplate: metadata.namespace renders to ${JSON.stringify(namespace)}; ` +
        `VirtualServices are written only in defaultNamespace (${config.defaultNamespace})`,
    };
  const problems = validate(object);
  if (problems.length > 0)
    return {
      ok: false,
      error: `virtualServiceTemplate: not a valid VirtualService: ${problems.slice(0, 3).join('; ')}`,
    };
  const http = object.spec?.http;
  if (!Array.isArray(http) || http.length === 0)
    return { ok: false, error: 'virtualServiceTemplate: spec.http needs the default route' };
  return { ok: true, object };
}

/** The whole desired object: template + our label + the developer routes before the default route. */
export function buildVirtualService(
  template: KubeObject,
  config: RoutesConfig,
  serviceName: string,
  defaultService: KubeObject,
  developers: DeveloperService[],
  validate: VirtualServiceValidator,
): Built {
  const spec = template.spec ?? {};
  const defaultRoutes = (spec.http as unknown[] | undefined) ?? [];
  const developerRoutes = developers.map(({ namespace, service }) =>
    buildDeveloperRoute(serviceName, namespace, service, defaultService),
  );
  const object: KubeObject = {
    ...template,
    metadata: {
      ...template.metadata,
      namespace: config.defaultNamespace,
      labels: { ...template.metadata?.labels, [MANAGED_BY_LABEL]: MANAGED_BY, [SERVICE_LABEL]: serviceName },
    },
    spec: { ...spec, http: [...developerRoutes, ...defaultRoutes] },
  };
  const problems = validate(object);
  if (problems.length > 0)
    return { ok: false, error: `the VirtualService built would be invalid: ${problems.slice(0, 3).join('; ')}` };
  return { ok: true, object };
}

function buildDeveloperRoute(
  serviceName: string,
  namespace: string,
  service: KubeObject,
  defaultService: KubeObject,
): Record<string, unknown> {
  const port = pickPort(service, defaultService);
  return {
    name: `${DEVELOPER_HEADER}-${namespace}`,
    match: [{ headers: { [DEVELOPER_HEADER]: { exact: namespace } } }],
    route: [
      {
        destination: {
          host: `${serviceName}.${namespace}.svc.cluster.local`,
          ...(port !== undefined ? { port: { number: port } } : {}),
        },
      },
    ],
  };
}

/**
 * The developer Service's port: the one with the default Service's (first) port number when it has
 * it, else its first. Istio needs a port only when the destination has several; naming it always
 * keeps the route right when a port is added later.
 */
export function pickPort(service: KubeObject, defaultService: KubeObject): number | undefined {
  const ports = portsOf(service);
  const wanted = portsOf(defaultService)[0];
  return ports.find((p) => p === wanted) ?? ports[0];
}

function portsOf(service: KubeObject): number[] {
  const ports = (service.spec?.ports as Array<{ port?: unknown }> | undefined) ?? [];
  return ports.map((p) => p.port).filter((p): p is number => typeof p === 'number');
}
