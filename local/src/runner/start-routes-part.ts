// Local mode for the routes function (seed 003): dev-alice's namespace and hello applied from the
// repository (knative/developer-namespace, kustomize/overlays/dev-alice), its hello run like the
// others, the routes function scaled to zero behind its own activator (as ServiceAccount
// reroll-routes, so the RBAC from knative/ holds), its ApiServerSource and PingSource emulated, and
// the mesh port: routing as a sidecar would, by the VirtualServices without gateways.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Emulator } from '@reroll/local/emulator';
import { startSources } from '@reroll/local/source';
import { findFreePort } from './free-port';
import { startFunctionActivator } from './function-activator';
import { startGateway } from './gateway';
import { watchObjects, type ObjectWatch } from './kube-client';
import type { KubeObject } from './kube-shapes';
import { isRecord } from './kube-shapes';
import { startLocalProcess } from './local-process';
import { meshRouteInputs } from './mesh-route-inputs';
import type { PartLogger } from './part-log';
import type { PodSupervisor } from './pod-supervisor';
import { applyManifests, renderManifests } from './render-manifests';

export const ROUTES_BUNDLE = 'functions/routes/dist/routes.mjs';
/** The developer namespace kit and dev-alice's copy of the test hello. */
export const DEVELOPER_DIRS = ['knative/developer-namespace', 'kustomize/overlays/dev-alice'] as const;
export const ROUTES_KSVC = 'routes';

/** A source that delivers to the routes function: local mode sends it there, not to restart. */
export function isRoutesSource(o: KubeObject): boolean {
  if (o.kind !== 'ApiServerSource' && o.kind !== 'PingSource') return false;
  const sink = isRecord(o.spec) && isRecord(o.spec.sink) && isRecord(o.spec.sink.ref) ? o.spec.sink.ref : undefined;
  return sink?.kind === 'Service' && sink.name === ROUTES_KSVC;
}

function envOf(ksvc: KubeObject | undefined): Record<string, string> {
  const template = isRecord(ksvc?.spec) && isRecord(ksvc.spec.template) ? ksvc.spec.template : undefined;
  const containers =
    isRecord(template?.spec) && Array.isArray(template.spec.containers) ? template.spec.containers : [];
  const env: Record<string, string> = {};
  for (const c of containers.filter(isRecord))
    for (const e of Array.isArray(c.env) ? c.env.filter(isRecord) : [])
      if (typeof e.name === 'string' && typeof e.value === 'string') env[e.name] = e.value;
  return env;
}

export interface RoutesPartOptions {
  repoRoot: string;
  emulator: Emulator;
  /** the admin's client (the runner's) */
  kc: KubeConfig;
  /** the rendered knative/ + overlays (the routes Knative Service and sources are among them) */
  rendered: readonly KubeObject[];
  /** where reroll and the hello app live (the routes config's defaultNamespace) */
  namespace: string;
  meshPort: number;
  idleSeconds: number;
  logger: PartLogger;
  supervisor: PodSupervisor;
  routesScript?: string;
}

export interface RoutesPart {
  meshUrl: string;
  developerNamespaces: string[];
  /** Services that have a developer copy: the mesh hosts worth a curl */
  hosts: string[];
  stop(): Promise<void>;
}

export async function startRoutesPart(o: RoutesPartOptions): Promise<RoutesPart> {
  const log = o.logger('routes');
  const apiLog = o.logger('api');
  const script = o.routesScript ?? join(o.repoRoot, ROUTES_BUNDLE);
  if (!existsSync(script))
    throw new Error(`${script} is missing: build it first (\`npm start\` from the repository root does)`);
  const stops: Array<() => Promise<unknown> | void> = [];
  const stop = async () => {
    for (const s of stops.splice(0).reverse()) await s();
  };
  try {
    const developer = await renderManifests(o.repoRoot, DEVELOPER_DIRS);
    const developerNamespaces = developer.filter((x) => x.kind === 'Namespace').map((x) => x.metadata?.name ?? '');
    const applied = await applyManifests(developer, o.emulator.kubeconfigPath);
    apiLog(`kubectl apply: ${applied.applied.length} objects from ${DEVELOPER_DIRS.join(', ')}`);
    for (const line of applied.failed) apiLog(`kubectl apply failed: ${line}`);

    // dev-alice's hello runs like the others (the same supervisor: same rollouts, same endpoints)
    const watches: ObjectWatch[] = [];
    for (const namespace of developerNamespaces)
      watches.push(
        await watchObjects(o.kc, {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          namespace,
          log: apiLog,
          onAdd: (d) => o.supervisor.upsert(d),
          onUpdate: (d) => o.supervisor.upsert(d),
          onDelete: (d) => o.supervisor.remove(d),
        }),
      );
    stops.push(() => Promise.all(watches.map((w) => w.stop())));

    // the mesh: the VirtualServices of the default namespace, the Services of every namespace
    const meshLog = o.logger('mesh');
    const vsWatch = await watchObjects(o.kc, {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      namespace: o.namespace,
      log: meshLog,
    });
    const serviceWatches = await Promise.all(
      [o.namespace, ...developerNamespaces].map((namespace) =>
        watchObjects(o.kc, { apiVersion: 'v1', kind: 'Service', namespace, log: meshLog }),
      ),
    );
    stops.push(() => Promise.all([vsWatch, ...serviceWatches].map((w) => w.stop())));
    const mesh = await startGateway({
      port: o.meshPort,
      log: meshLog,
      accessLog: true,
      routeInputs: () =>
        meshRouteInputs({
          virtualServices: vsWatch.items(),
          services: serviceWatches.flatMap((w) => w.items()),
          endpoints: o.supervisor.endpoints(),
        }),
    });
    stops.push(() => mesh.stop());
    meshLog(`mesh routing (as a sidecar, VirtualServices without gateways) at ${mesh.url}`);

    // scale to zero: the routes function as its Knative Service declares it, as its ServiceAccount
    const ksvc = o.rendered.find(
      (x) =>
        x.kind === 'Service' && x.apiVersion?.startsWith('serving.knative.dev/') && x.metadata?.name === ROUTES_KSVC,
    );
    const template = isRecord(ksvc?.spec) && isRecord(ksvc.spec.template) ? ksvc.spec.template : undefined;
    const account =
      isRecord(template?.spec) && typeof template.spec.serviceAccountName === 'string'
        ? template.spec.serviceAccountName
        : 'default';
    const kubeconfig = await o.emulator.writeKubeconfig({
      user: `system:serviceaccount:${o.namespace}:${account}`,
      namespace: o.namespace,
    });
    log(`runs as ServiceAccount ${o.namespace}/${account} (RBAC from knative/ enforced)`);
    const activator = await startFunctionActivator({
      port: 0,
      idleMs: o.idleSeconds * 1000,
      findFreePort,
      log,
      startInstance: (port) =>
        startLocalProcess({ script, env: { ...envOf(ksvc), KUBECONFIG: kubeconfig, LOG_FORMAT: 'text' }, port, log }),
    });
    stops.push(() => activator.stop());
    log(`scaled to zero; activator at ${activator.url} (stops after ${o.idleSeconds} s idle)`);

    await o.supervisor.settled();
    const sourceLog = o.logger('source');
    const sources = await startSources({
      kubeConfig: o.kc,
      // routes-source's namespaceSelector (kubernetes.io/metadata.name In [...]) is understood by the
      // emulated source itself, as by Knative: the namespaces it selects, and those that match later
      objects: o.rendered.filter(isRoutesSource),
      sinkUrl: activator.url,
      log: (level, message) => sourceLog(`${level === 'info' ? '' : `${level}: `}${message}`),
    });
    stops.push(() => sources.stop());
    // An ApiServerSource sends no adds for what exists when it starts (only changes from then on),
    // so on a cluster the Services already there get their VirtualServices at the first resync.
    // Locally that ping is sent at once: the banner's mesh commands work when it prints.
    for (const ping of sources.pingSources) {
      const result = await ping.sendNow();
      log(`first resync sent (PingSource, outside its schedule): ${describeDelivery(result)}`);
    }
    await sources.idle();
    const hosts = [
      ...new Set(
        developer.filter((x) => x.kind === 'Service' && x.apiVersion === 'v1').map((x) => x.metadata?.name ?? ''),
      ),
    ];
    return { meshUrl: mesh.url, developerNamespaces, hosts, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function describeDelivery(result: { delivered: boolean; attempts: number }): string {
  return `${result.delivered ? 'delivered' : 'dropped'} after ${result.attempts} attempt(s)`;
}
