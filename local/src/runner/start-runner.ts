// `npm start`: the whole reroll loop on a laptop. The API emulator with the repository's manifests
// applied, the hello Deployments run as local processes behind a Host-routing gateway, the
// restart function scaled to zero behind an activator, and the emulated ApiServerSource and
// PingSource posting to it.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi } from '@kubernetes/client-node';
import { ADMIN_USER, type Emulator, startEmulator, writeKubeconfig } from '@reroll/local/emulator';
import { type RunningSources, startSources } from '@reroll/local/source';
import { findFreePort } from './free-port';
import { isHelloImage, startKnativeRevisions } from './knative-revisions';
import { type FunctionActivator, startFunctionActivator } from './function-activator';
import { type Gateway, startGateway } from './gateway';
import { type ObjectWatch, watchObjects } from './kube-client';
import type { DeploymentLike, KubeObject, PodTemplate } from './kube-shapes';
import { isRecord } from './kube-shapes';
import { CONTROLLERS_USER, connectLocalControllers } from './local-controllers';
import { startLocalProcess } from './local-process';
import { type PartLogger, createPartLogger } from './part-log';
import { type PodSupervisor, createPodSupervisor } from './pod-supervisor';
import { MANIFEST_DIRS, applyManifests, findAppNamespace, renderManifests } from './render-manifests';
import { isRoutesSource, startRoutesPart } from './start-routes-part';

export interface RunnerOptions {
  repoRoot: string;
  gatewayPort: number;
  apiPort: number;
  kubeconfigPath: string;
  idleSeconds: number;
  /** Where log lines go (stdout in the CLI). */
  write: (text: string) => void;
  colors?: boolean;
  /** Override the bundles (tests); default: the production bundles under functions/. */
  helloScript?: string;
  restartScript?: string;
  routesScript?: string;
  /** The mesh port (routing as a sidecar would, for the routes function's VirtualServices); 0 = any. */
  meshPort?: number;
}

export interface Runner {
  gatewayUrl: string;
  apiUrl: string;
  kubeconfigPath: string;
  namespace: string;
  /** Hosts the VirtualServices serve, and the ConfigMap + key that feeds each hello Deployment. */
  apps: { env: string; host: string; configMap: string; key: string }[];
  supervisor: PodSupervisor;
  activator: FunctionActivator;
  /** The mesh port and the developer namespaces (the routes function, seed 003). */
  mesh: { url: string; developerNamespaces: string[]; hosts: string[] };
  stop(): Promise<void>;
}

const HELLO_BUNDLE = 'functions/hello/dist/hello.mjs';
const RESTART_BUNDLE = 'functions/restart/dist/restart.mjs';

/** The local program of a Deployment: the hello bundle for hello images, nothing for others. */
function isHelloDeployment(dep: DeploymentLike): boolean {
  const image = dep.spec?.template?.spec?.containers?.[0]?.image ?? '';
  return /hello/.test(image) || dep.metadata?.labels?.app === 'helloworld';
}

/** `hello-test` from the env label, else the Deployment's name. */
export function partNameFor(dep: KubeObject): string {
  const env = dep.metadata?.labels?.env;
  return env ? `hello-${env}` : (dep.metadata?.name ?? 'hello');
}

/** Env of the restart function as its Knative Service declares it (plain values only). */
function restartEnvFrom(objects: readonly KubeObject[], sinkName: string | undefined): Record<string, string> {
  const ksvc = objects.find(
    (o) =>
      o.kind === 'Service' &&
      o.apiVersion?.startsWith('serving.knative.dev/') &&
      (!sinkName || o.metadata?.name === sinkName),
  );
  const template = isRecord(ksvc?.spec) ? (ksvc.spec.template as PodTemplate | undefined) : undefined;
  const env: Record<string, string> = {};
  for (const v of template?.spec?.containers?.[0]?.env ?? []) if (v.value !== undefined) env[v.name] = v.value;
  return env;
}

/** The ServiceAccount the restart Knative Service runs as: local mode gives the function that identity. */
function restartServiceAccountOf(objects: readonly KubeObject[], sinkName: string | undefined): string | undefined {
  const ksvc = objects.find(
    (o) =>
      o.kind === 'Service' &&
      o.apiVersion?.startsWith('serving.knative.dev/') &&
      (!sinkName || o.metadata?.name === sinkName),
  );
  const template = isRecord(ksvc?.spec) && isRecord(ksvc.spec.template) ? ksvc.spec.template : undefined;
  const name = isRecord(template?.spec) ? template.spec.serviceAccountName : undefined;
  return typeof name === 'string' ? name : undefined;
}

function sinkNameOf(objects: readonly KubeObject[]): string | undefined {
  const source = objects.find((o) => o.kind === 'ApiServerSource');
  const sink = isRecord(source?.spec) && isRecord(source.spec.sink) ? source.spec.sink : undefined;
  return isRecord(sink?.ref) && typeof sink.ref.name === 'string' ? sink.ref.name : undefined;
}

/** For each hello Deployment: its env, the host its VirtualService serves, and the ConfigMap key it reads. */
function describeApps(objects: readonly KubeObject[]): Runner['apps'] {
  return objects
    .filter((o): o is DeploymentLike => o.kind === 'Deployment' && isHelloDeployment(o as DeploymentLike))
    .map((dep) => {
      const env = dep.metadata?.labels?.env ?? dep.metadata?.name ?? '';
      const vs = objects.find((o) => o.kind === 'VirtualService' && o.metadata?.labels?.env === env);
      const hosts = isRecord(vs?.spec) && Array.isArray(vs.spec.hosts) ? (vs.spec.hosts as string[]) : [];
      const ref = (dep.spec?.template?.spec?.containers?.[0]?.env ?? []).find((v) => v.valueFrom?.configMapKeyRef)
        ?.valueFrom?.configMapKeyRef;
      const volumeCm = dep.spec?.template?.spec?.volumes?.find((v) => v.configMap)?.configMap?.name;
      return { env, host: hosts[0] ?? '', configMap: ref?.name ?? volumeCm ?? '', key: ref?.key ?? 'message' };
    });
}

export async function startRunner(opts: RunnerOptions): Promise<Runner> {
  const logger: PartLogger = createPartLogger(opts.write, opts.colors);
  const apiLog = logger('api');
  // Stopped in reverse order of starting; one stop at a time even when signals arrive twice.
  const cleanups: (() => Promise<unknown> | void)[] = [];
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      for (const c of cleanups.splice(0).reverse()) {
        try {
          await c();
        } catch (err) {
          apiLog(`shutdown: ${(err as Error).message}`);
        }
      }
    })();
    return stopping;
  };

  try {
    const helloScript = opts.helloScript ?? join(opts.repoRoot, HELLO_BUNDLE);
    const restartScript = opts.restartScript ?? join(opts.repoRoot, RESTART_BUNDLE);
    for (const bundle of [helloScript, restartScript]) {
      if (!existsSync(bundle)) {
        throw new Error(`${bundle} is missing: build it first (\`npm start\` from the repository root does)`);
      }
    }
    const everything = await renderManifests(opts.repoRoot);
    // restart's part sees none of the routes function's sources (start-routes-part.ts runs those)
    const rendered = everything.filter((o) => !isRoutesSource(o));
    const namespace = findAppNamespace(rendered);

    const emulator: Emulator = await startEmulator({
      port: opts.apiPort,
      kubeconfigPath: opts.kubeconfigPath,
      workloadStatus: 'external',
      // RBAC from knative/ is enforced, as on a cluster: the restart function gets exactly its Role.
      authorization: 'rbac',
      // The local kubelet runs the pods: a deleted pod stays Terminating until its process is gone.
      gracefulPodDeletion: true,
    });
    cleanups.push(() => emulator.stop());
    // kubectl's default namespace = the app's, so seed 000's commands work without -n. The user's
    // kubeconfig is the admin's (as with a kind/minikube cluster).
    await writeKubeconfig({
      path: emulator.kubeconfigPath,
      server: emulator.url,
      namespace,
      ...(emulator.adminToken ? { token: emulator.adminToken, user: ADMIN_USER } : {}),
    });
    apiLog(`Kubernetes API emulator at ${emulator.url} (kubeconfig ${emulator.kubeconfigPath})`);
    const applied = await applyManifests(everything, emulator.kubeconfigPath);
    apiLog(
      `kubectl apply: ${applied.applied.length} objects from ${MANIFEST_DIRS.join(', ')} into namespace ${namespace}`,
    );
    for (const line of applied.failed) apiLog(`kubectl apply failed: ${line}`);
    cleanups.push(startApiRequestLog(emulator, apiLog));
    const controllers = await connectLocalControllers(emulator, namespace);

    const kc = new KubeConfig();
    kc.loadFromFile(emulator.kubeconfigPath);

    // The gateway's view: Gateways, VirtualServices and Services as the emulator has them now.
    const istioVersion = rendered.find((o) => o.kind === 'VirtualService')?.apiVersion ?? 'networking.istio.io/v1';
    const gatewayLog = logger('gateway');
    const watches: Record<string, ObjectWatch> = {};
    for (const [kind, apiVersion] of [
      ['Gateway', rendered.find((o) => o.kind === 'Gateway')?.apiVersion ?? istioVersion],
      ['VirtualService', istioVersion],
      ['Service', 'v1'],
    ] as const) {
      watches[kind] = await watchObjects(kc, { apiVersion, kind, namespace, log: gatewayLog });
      cleanups.push(() => watches[kind]?.stop());
    }

    const podRoot = await mkdtemp(join(tmpdir(), 'reroll-pods-'));
    cleanups.push(() => rm(podRoot, { recursive: true, force: true }));
    // The supervisor drains through the gateway, which is started after it (it routes to its pods).
    const gatewayRef: { current?: Gateway } = {};
    // LOG_FORMAT=text: the local terminal wants the human lines, not the cluster's JSON;
    // HOST: a laptop's pods answer on loopback only (the gateway is the way in).
    const helloProgram = { script: helloScript, envOverrides: { LOG_FORMAT: 'text', HOST: '127.0.0.1' } };
    const hellos = new Map<string, ReturnType<PartLogger>>();
    const skipped = new Set<string>();
    const supervisor = createPodSupervisor({
      port: controllers.port,
      containerLogs: controllers.containerLogs,
      findFreePort,
      podRoot,
      programFor: (dep) => {
        if (isHelloDeployment(dep)) return helloProgram;
        const key = `${dep.metadata?.namespace}/${dep.metadata?.name}`;
        if (!skipped.has(key)) apiLog(`deployment ${key}: no local program for its image; not run`);
        skipped.add(key);
        return undefined;
      },
      logFor: (dep) => {
        const part = partNameFor(dep);
        if (!hellos.has(part)) hellos.set(part, logger(part));
        return hellos.get(part) as ReturnType<PartLogger>;
      },
      drain: async (endpoint) => gatewayRef.current?.drain(endpoint),
    });
    cleanups.push(() => supervisor.stop());
    cleanups.push(await controllers.followPods(supervisor, namespace, apiLog));
    const deployments = await watchObjects(kc, {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      namespace,
      log: apiLog,
      onAdd: (d) => supervisor.upsert(d),
      onUpdate: (d) => supervisor.upsert(d),
      onDelete: (d) => supervisor.remove(d),
    });
    cleanups.push(() => deployments.stop());
    const knative = await startKnativeRevisions({
      kubeConfig: controllers.kubeConfig,
      namespace,
      log: apiLog,
      programFor: (ksvc) => (isHelloImage(ksvc) ? helloProgram : undefined),
      logFor: (ksvc) => logger(`ksvc-${ksvc.metadata?.name ?? ''}`),
      port: controllers.port,
      findFreePort,
      podRoot,
      idleMs: opts.idleSeconds * 1000,
      drain: async (endpoint) => gatewayRef.current?.drain(endpoint),
    });
    cleanups.push(() => knative.stop());

    const gateway = await startGateway({
      port: opts.gatewayPort,
      log: gatewayLog,
      accessLog: true,
      hostRoutes: (host) => knative.hostRoute(host),
      routeInputs: () => ({
        gateways: watches.Gateway?.items() ?? [],
        virtualServices: watches.VirtualService?.items() ?? [],
        services: watches.Service?.items() ?? [],
        endpoints: supervisor.endpoints(),
      }),
    });
    gatewayRef.current = gateway;
    cleanups.push(() => gateway.stop());
    gatewayLog(`listening at ${gateway.url}`);

    // Scale to zero: the restart function as its Knative Service declares it, pointed at the emulator.
    const restartLog = logger('restart');
    const restartEnv = restartEnvFrom(rendered, sinkNameOf(rendered));
    const restartAccount = restartServiceAccountOf(rendered, sinkNameOf(rendered)) ?? 'default';
    const restartKubeconfig = await emulator.writeKubeconfig({
      user: `system:serviceaccount:${namespace}:${restartAccount}`,
      namespace,
    });
    restartLog(`runs as ServiceAccount ${namespace}/${restartAccount} (RBAC from knative/ enforced)`);
    const activator = await startFunctionActivator({
      port: 0,
      idleMs: opts.idleSeconds * 1000,
      findFreePort,
      log: restartLog,
      startInstance: (port) =>
        startLocalProcess({
          script: restartScript,
          env: {
            ...restartEnv,
            KUBECONFIG: restartKubeconfig,
            REROLL_NAMESPACES: namespace,
            LOG_FORMAT: 'text',
          },
          port,
          log: restartLog,
        }),
    });
    // Both at once: Ctrl-C reaches the children too (same process group), and neither should
    // mistake that for a crash and start a replacement.
    cleanups.push(() => Promise.all([activator.stop(), supervisor.stop()]));
    restartLog(`scaled to zero; activator at ${activator.url} (stops after ${opts.idleSeconds} s idle)`);

    await supervisor.settled();

    // The sources as applied in the emulator (the objects a cluster's Knative would read).
    const sourceLog = logger('source');
    const sourceObjects = await readBackSources(kc, rendered);
    const sources: RunningSources = await startSources({
      kubeConfig: kc,
      objects: sourceObjects,
      sinkUrl: activator.url,
      log: (level, message, fields) =>
        sourceLog(`${level === 'info' ? '' : `${level}: `}${message}${formatFields(fields)}`),
    });
    cleanups.push(() => sources.stop());

    const routes = await startRoutesPart({
      repoRoot: opts.repoRoot,
      emulator,
      kc,
      rendered: everything,
      namespace,
      meshPort: opts.meshPort ?? 0,
      idleSeconds: opts.idleSeconds,
      logger,
      supervisor,
      ...(opts.routesScript ? { routesScript: opts.routesScript } : {}),
    });
    cleanups.push(() => routes.stop());

    return {
      gatewayUrl: gateway.url,
      apiUrl: emulator.url,
      kubeconfigPath: emulator.kubeconfigPath,
      namespace,
      apps: describeApps(rendered),
      supervisor,
      activator,
      mesh: { url: routes.meshUrl, developerNamespaces: routes.developerNamespaces, hosts: routes.hosts },
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function formatFields(fields: Record<string, unknown>): string {
  const parts = Object.entries(fields ?? {})
    .filter(([, v]) => v !== undefined && (typeof v !== 'object' || v === null))
    .map(([k, v]) => `${k}=${String(v)}`);
  return parts.length > 0 ? ` (${parts.join(' ')})` : '';
}

async function readBackSources(kc: KubeConfig, rendered: readonly KubeObject[]): Promise<KubeObject[]> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  const out: KubeObject[] = [];
  for (const o of rendered.filter((x) => x.kind === 'ApiServerSource' || x.kind === 'PingSource')) {
    try {
      out.push(
        // the local KubeObject keeps timestamps as the JSON strings they are on the wire
        (await api.read({
          apiVersion: o.apiVersion,
          kind: o.kind,
          metadata: { name: o.metadata?.name ?? '', namespace: o.metadata?.namespace },
        })) as unknown as KubeObject,
      );
    } catch {
      out.push(o); // not served by the emulator: the rendered object is the same spec
    }
  }
  return out;
}

/** `api | patch configmaps reroll-demo/helloworld-test → 200`: the writes clients make, as they arrive. */
function startApiRequestLog(emulator: Emulator, log: ReturnType<PartLogger>): () => void {
  emulator.clearRequests();
  const timer = setInterval(() => {
    const records = emulator.requests();
    emulator.clearRequests();
    for (const r of records) {
      if (!['create', 'update', 'patch', 'delete'].includes(r.verb)) continue;
      if (r.subresource === 'status') continue; // the local kubelet's own writes
      if (r.user === CONTROLLERS_USER) continue; // the local controllers' ReplicaSets, Pods and Events
      // Who wrote it matters locally as on a cluster: the function acts as its ServiceAccount.
      const by = r.user && r.user !== ADMIN_USER ? ` by ${r.user}` : '';
      log(`${r.verb} ${r.resource} ${r.namespace ? `${r.namespace}/` : ''}${r.name ?? ''} → ${r.status}${by}`);
    }
  }, 500);
  timer.unref();
  return () => clearInterval(timer);
}
