// Knative Serving, locally: every Knative Service gets the status Knative's controller would give
// it and a Revision object per template change (`kubectl get ksvc,revision`). A Knative Service
// with a local program (hello) really runs: each revision behind its own activator (scaled to
// zero, as the restart function is), reachable through the gateway at the host its status.url
// names. A new revision starts one instance first; traffic moves to it once that is ready
// (latestReadyRevisionName, traffic 100%), and the old revision's activator drains and stops.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { CustomObjectsApi, type KubeConfig, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { RESOURCE_TABLE, type KObject } from '@reroll/local/emulator';
import { settledStatus } from '../emulator/workload-status';
import { type FunctionActivator, startFunctionActivator } from './function-activator';
import { type ObjectWatch, watchObjects } from './kube-client';
import type { ConfigMapLike, KubeObject, PodTemplate, SecretLike } from './kube-shapes';
import { isRecord } from './kube-shapes';
import { startLocalProcess } from './local-process';
import type { LogLine } from './part-log';
import type { LocalProgram, SupervisorPort } from './pod-supervisor';
import { listReferencedObjects, resolvePodInputs } from './resolve-pod-inputs';
import { type Endpoint, normalizeHost } from './resolve-route';

const KSVC = RESOURCE_TABLE.find((t) => t.group === 'serving.knative.dev' && t.resource === 'services');
const GROUP = 'serving.knative.dev';
const VERSION = 'v1';
const MERGE = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

/** A Knative Service whose first container is the hello image: local mode can run it. */
export function isHelloImage(ksvc: KubeObject): boolean {
  const template = isRecord(ksvc.spec) ? (ksvc.spec.template as PodTemplate | undefined) : undefined;
  return /\/hello[:@]|^hello[:@]/.test(template?.spec?.containers?.[0]?.image ?? '');
}

export interface KnativeRevisionsOptions {
  kubeConfig: KubeConfig;
  namespace: string;
  log: LogLine;
  /** The local program of a Knative Service's revisions; undefined = status and Revisions only. */
  programFor: (ksvc: KubeObject) => LocalProgram | undefined;
  logFor: (ksvc: KubeObject) => LogLine;
  /** Reads the ConfigMaps and Secrets a revision's instance starts with. */
  port: Pick<SupervisorPort, 'readConfigMap' | 'readSecret'>;
  findFreePort: () => Promise<number>;
  podRoot: string;
  idleMs: number;
  /** Waits for the gateway's in-flight requests to an activator before it stops. */
  drain?: (endpoint: Endpoint) => Promise<void>;
  now?: () => string;
}

export interface KnativeRevisions {
  /** The activator of the revision taking a host's traffic (the gateway asks first). */
  hostRoute(host: string): Endpoint | undefined;
  /** The activator per running revision name (tests, logs). */
  activators(): Record<string, FunctionActivator>;
  stop(): Promise<void>;
}

interface Serving {
  revision: string;
  host: string;
  activator: FunctionActivator;
  endpoint: Endpoint;
}

interface ServiceState {
  settled?: KObject;
  serving?: Serving;
  queue: Promise<void>;
}

const condition = (type: string, status: string, now: string, reason?: string, message?: string) => ({
  type,
  status,
  lastTransitionTime: now,
  ...(reason ? { reason } : {}),
  ...(message ? { message } : {}),
});

export async function startKnativeRevisions(opts: KnativeRevisionsOptions): Promise<KnativeRevisions> {
  const api = opts.kubeConfig.makeApiClient(CustomObjectsApi);
  const now = opts.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
  const services = new Map<string, ServiceState>();
  const known = new Set<string>();
  let stopped = false;

  const writeKsvcStatus = (name: string, status: Record<string, unknown>) =>
    api.patchNamespacedCustomObjectStatus(
      { group: GROUP, version: VERSION, namespace: opts.namespace, plural: 'services', name, body: { status } },
      MERGE,
    );
  const writeRevisionStatus = (name: string, status: Record<string, unknown>) =>
    api
      .patchNamespacedCustomObjectStatus(
        { group: GROUP, version: VERSION, namespace: opts.namespace, plural: 'revisions', name, body: { status } },
        MERGE,
      )
      .catch((err: unknown) => opts.log(`revision ${name}: could not write its status: ${(err as Error).message}`));

  async function ensureRevision(ksvc: KubeObject, name: string): Promise<void> {
    if (known.has(name)) return;
    const service = ksvc.metadata?.name ?? '';
    const template = (isRecord(ksvc.spec) ? ksvc.spec.template : undefined) as PodTemplate | undefined;
    const body = {
      apiVersion: `${GROUP}/${VERSION}`,
      kind: 'Revision',
      metadata: {
        name,
        namespace: opts.namespace,
        labels: {
          'serving.knative.dev/configuration': service,
          'serving.knative.dev/configurationGeneration': String(ksvc.metadata?.generation ?? 1),
          'serving.knative.dev/service': service,
          ...(ksvc.metadata?.uid ? { 'serving.knative.dev/serviceUID': ksvc.metadata.uid } : {}),
        },
        ...(template?.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
      },
      spec: structuredClone(template?.spec ?? {}),
    };
    try {
      await api.createNamespacedCustomObject({
        group: GROUP,
        version: VERSION,
        namespace: opts.namespace,
        plural: 'revisions',
        body,
      });
    } catch (err) {
      if (!/already exists|409/.test((err as Error).message)) throw err;
    }
    known.add(name);
  }

  function revisionStatus(ready: 'True' | 'False' | 'Unknown', actual: number | undefined, message?: string) {
    const t = now();
    return {
      observedGeneration: 1,
      conditions: [
        condition('Active', actual === 0 ? 'False' : 'True', t, actual === 0 ? 'NoTraffic' : undefined),
        condition('ContainerHealthy', ready, t),
        condition('Ready', ready, t, ready === 'False' ? 'ExitCode1' : undefined, message),
        condition('ResourcesAvailable', ready, t),
      ],
      ...(actual !== undefined ? { actualReplicas: actual, desiredReplicas: actual } : {}),
    };
  }

  /** Start an instance of a revision: its env and files from the ConfigMaps as they are now, as a new pod would. */
  async function startInstance(ksvc: KubeObject, revision: string, program: LocalProgram, port: number, log: LogLine) {
    const template = ((isRecord(ksvc.spec) ? ksvc.spec.template : undefined) ?? {}) as PodTemplate;
    const refs = listReferencedObjects(template);
    const configMaps = new Map<string, ConfigMapLike>();
    const secrets = new Map<string, SecretLike>();
    for (const cm of refs.configMaps) {
      const obj = await opts.port.readConfigMap(opts.namespace, cm);
      if (obj) configMaps.set(cm, obj);
    }
    for (const s of refs.secrets) {
      const obj = await opts.port.readSecret(opts.namespace, s);
      if (obj) secrets.set(s, obj);
    }
    const podName = `${revision}-deployment-local`;
    const dir = join(opts.podRoot, `${revision}-${port}`);
    const inputs = resolvePodInputs({ template, configMaps, secrets, podDir: dir, podName, namespace: opts.namespace });
    if (inputs.errors.length > 0) throw new Error(`CreateContainerConfigError: ${inputs.errors.join('; ')}`);
    for (const d of inputs.dirs) await mkdir(d, { recursive: true });
    for (const f of inputs.files) {
      await mkdir(dirname(f.path), { recursive: true });
      await writeFile(f.path, f.content, { mode: 0o444 });
    }
    const process = startLocalProcess({
      script: program.script,
      env: { ...inputs.env, ...program.envOverrides },
      port,
      log,
    });
    void process.exited.then(() => rm(dir, { recursive: true, force: true }));
    return process;
  }

  async function reconcile(seen: KubeObject): Promise<void> {
    if (!KSVC || stopped) return;
    const name = seen.metadata?.name ?? '';
    // Read it as plain JSON: the generic client maps kind Service to core/v1's model and would drop
    // spec.template from what the informer hands over.
    const obj = (await api.getNamespacedCustomObject({
      group: GROUP,
      version: VERSION,
      namespace: opts.namespace,
      plural: 'services',
      name,
    })) as KubeObject;
    const state = services.get(name) ?? { queue: Promise.resolve() };
    services.set(name, state);
    const status = isRecord(obj.status) ? obj.status : {};
    if (status.observedGeneration === obj.metadata?.generation) return;
    const next = settledStatus(KSVC, obj as KObject, state.settled ?? (obj as KObject));
    if (!next) return;
    state.settled = { ...(obj as KObject), status: next };
    const revision = String(next.latestCreatedRevisionName);
    await ensureRevision(obj, revision);
    const program = opts.programFor(obj);
    if (!program || state.serving?.revision === revision) {
      if (!program) await writeRevisionStatus(revision, revisionStatus('True', undefined));
      await writeKsvcStatus(name, next);
      opts.log(`knative service ${name}: revision ${revision} ready`);
      return;
    }

    // A new revision of a locally run service: created now, ready once its first instance answers.
    const previous = state.serving;
    const t = now();
    await writeRevisionStatus(revision, revisionStatus('Unknown', 0));
    await writeKsvcStatus(name, {
      ...next,
      latestReadyRevisionName: previous?.revision,
      traffic: previous ? [{ revisionName: previous.revision, latestRevision: true, percent: 100 }] : [],
      conditions: [
        condition('ConfigurationsReady', 'Unknown', t),
        condition('Ready', 'Unknown', t),
        condition('RoutesReady', previous ? 'True' : 'Unknown', t),
      ],
    });
    const log = opts.logFor(obj);
    const activator = await startFunctionActivator({
      port: 0,
      idleMs: opts.idleMs,
      findFreePort: opts.findFreePort,
      log: (line) => log(`${revision}: ${line}`),
      startInstance: (port) => startInstance(obj, revision, program, port, log),
      onScale: (n) => void writeRevisionStatus(revision, revisionStatus('True', n)),
    });
    try {
      await activator.warm();
    } catch (err) {
      await activator.stop();
      await writeRevisionStatus(revision, revisionStatus('False', 0, (err as Error).message));
      await writeKsvcStatus(name, {
        ...next,
        latestReadyRevisionName: previous?.revision,
        traffic: previous ? [{ revisionName: previous.revision, latestRevision: false, percent: 100 }] : [],
        conditions: [
          condition('ConfigurationsReady', 'False', t, 'RevisionFailed', (err as Error).message),
          condition('Ready', 'False', t, 'RevisionFailed', (err as Error).message),
          condition('RoutesReady', previous ? 'True' : 'False', t),
        ],
      });
      opts.log(`knative service ${name}: revision ${revision} failed: ${(err as Error).message}`);
      return;
    }
    const url = typeof next.url === 'string' ? next.url : '';
    const host = normalizeHost(url.replace(/^https?:\/\//, ''));
    const endpoint: Endpoint = {
      pod: revision,
      namespace: opts.namespace,
      labels: { 'serving.knative.dev/revision': revision },
      host: '127.0.0.1',
      port: activator.port,
      ready: true,
    };
    state.serving = { revision, host, activator, endpoint };
    await writeKsvcStatus(name, next);
    opts.log(`knative service ${name}: revision ${revision} ready; traffic 100% to it at ${url}`);
    if (previous) {
      previous.endpoint.ready = false;
      await opts.drain?.(previous.endpoint);
      await previous.activator.stop();
      await writeRevisionStatus(previous.revision, revisionStatus('True', 0));
    }
  }

  const enqueue = (obj: KubeObject) => {
    const name = obj.metadata?.name ?? '';
    const state = services.get(name) ?? { queue: Promise.resolve() };
    services.set(name, state);
    state.queue = state.queue
      .then(() => reconcile(obj))
      .catch((err: unknown) => opts.log(`knative service ${name}: ${(err as Error).message}`));
  };

  const watch: ObjectWatch = await watchObjects(opts.kubeConfig, {
    apiVersion: `${GROUP}/${VERSION}`,
    kind: 'Service',
    namespace: opts.namespace,
    log: opts.log,
    onAdd: enqueue,
    onUpdate: enqueue,
  });

  return {
    hostRoute(host) {
      const h = normalizeHost(host);
      for (const s of services.values()) if (s.serving && s.serving.host === h) return s.serving.endpoint;
      return undefined;
    },
    activators() {
      const out: Record<string, FunctionActivator> = {};
      for (const s of services.values()) if (s.serving) out[s.serving.revision] = s.serving.activator;
      return out;
    },
    async stop() {
      stopped = true;
      await watch.stop();
      await Promise.all([...services.values()].flatMap((s) => (s.serving ? [s.serving.activator.stop()] : [])));
    },
  };
}
