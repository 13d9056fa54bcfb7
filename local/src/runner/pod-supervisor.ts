// The local "kubelet + deployment controller + ReplicaSet controller": for each Deployment it runs
// spec.replicas local processes from the pod template, one ReplicaSet per template hash, and, when
// a cluster port is given, writes the objects a cluster would show (ReplicaSets, Pods following
// their processes, Events). The ConfigMaps and Secrets are read when a container starts and never
// again (the app does not hot-reload; that is why reroll exists). When the template changes it rolls
// within the Deployment's strategy (maxSurge/maxUnavailable): start new pods, wait for /readyz,
// switch the endpoints, drain and SIGTERM the old ones, so no request fails.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type DeploymentCondition,
  type DeploymentStatus,
  computeDeploymentStatus,
  hashPodTemplate,
} from './compute-deployment-status';
import {
  type ContainerPhase,
  buildEvent,
  buildPod,
  buildReplicaSet,
  podNameFor,
  podStatus,
  replicaSetNameFor,
  replicaSetStatus,
} from './controller-objects';
import type { ContainerLogs } from './container-logs';
import type { ConfigMapLike, DeploymentLike, KubeObject, SecretLike } from './kube-shapes';
import { objectKey } from './kube-shapes';
import { type LocalProcess, startLocalProcess } from './local-process';
import type { LogLine } from './part-log';
import { listReferencedObjects, resolvePodInputs } from './resolve-pod-inputs';
import type { Endpoint } from './resolve-route';
import { planRolloutStep, resolveStrategy } from './rollout-plan';

/** The writes a cluster's controllers and kubelet make; without it the pods exist only locally. */
export interface ClusterPort {
  createReplicaSet(rs: KubeObject): Promise<KubeObject>;
  /** Merge patch of metadata.annotations and spec.replicas. */
  patchReplicaSet(namespace: string, name: string, patch: Record<string, unknown>): Promise<KubeObject>;
  writeReplicaSetStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void>;
  deleteReplicaSet(namespace: string, name: string): Promise<void>;
  createPod(pod: KubeObject): Promise<KubeObject>;
  writePodStatus(namespace: string, name: string, status: Record<string, unknown>): Promise<void>;
  /** gracePeriodSeconds 0 removes it; more marks it Terminating (404 is not an error). */
  deletePod(namespace: string, name: string, gracePeriodSeconds: number): Promise<void>;
  recordEvent(event: KubeObject): Promise<void>;
}

/** What the supervisor needs from the API server. */
export interface SupervisorPort {
  readConfigMap(namespace: string, name: string): Promise<ConfigMapLike | undefined>;
  readSecret(namespace: string, name: string): Promise<SecretLike | undefined>;
  writeDeploymentStatus(namespace: string, name: string, status: DeploymentStatus): Promise<void>;
  cluster?: ClusterPort;
}

export interface LocalProgram {
  /** Script run with node for this Deployment's pods. */
  script: string;
  /** Env set on top of what the pod template gives (PORT is always set to the pod's port). */
  envOverrides?: Record<string, string>;
}

export interface PodSupervisorOptions {
  port: SupervisorPort;
  /** The local program for a Deployment, or undefined when it has none (it is then left alone). */
  programFor: (deployment: DeploymentLike) => LocalProgram | undefined;
  /** Log prefix for a Deployment's pods, e.g. `hello-test`. */
  logFor: (deployment: DeploymentLike) => LogLine;
  findFreePort: () => Promise<number>;
  /** Directory under which each pod gets its own directory (mounted files). */
  podRoot: string;
  /** Called before a pod is stopped, after it left the endpoints: waits for its in-flight requests. */
  drain?: (endpoint: Endpoint) => Promise<void>;
  onEndpointsChanged?: () => void;
  /** Keeps each container's output for `kubectl logs`. */
  containerLogs?: ContainerLogs;
  readyTimeoutMs?: number;
  now?: () => string;
}

interface LocalPod {
  name: string;
  namespace: string;
  templateHash: string;
  replicaSet: string;
  container: string;
  image: string;
  dir: string;
  program: LocalProgram;
  env: Record<string, string>;
  process: LocalProcess;
  endpoint: Endpoint;
  stopping: boolean;
  object?: KubeObject;
  scheduledAt: string;
  startedAt: string;
  restartCount: number;
  lastTerminated?: { exitCode: number; reason: string; startedAt: string; finishedAt: string };
  /** Status writes in order, one at a time. */
  writes: Promise<void>;
}

interface ReplicaSetRecord {
  name: string;
  templateHash: string;
  revision: number;
  replicas: number;
  object?: KubeObject;
  lastStatus?: string;
  lastMeta?: string;
}

interface DeploymentState {
  latest: DeploymentLike | undefined;
  pods: LocalPod[];
  replicaSets: Map<string, ReplicaSetRecord>;
  running: boolean;
  again: boolean;
  failure?: string;
  lastStatus?: string;
  conditions?: DeploymentCondition[];
  retryTimer?: NodeJS.Timeout;
  crashes: number;
  log: LogLine;
}

export interface PodSupervisor {
  /** Feed a Deployment as the watch saw it (added or modified). */
  upsert(deployment: DeploymentLike): void;
  remove(deployment: DeploymentLike): void;
  /** Feed a Pod as the watch saw it: a deletion asked through the API stops it (its ReplicaSet replaces it). */
  podChanged(pod: KubeObject, deleted: boolean): void;
  endpoints(): Endpoint[];
  /** Names of the pods running now, per Deployment key `ns/name` (for logs and tests). */
  pods(): Record<string, { name: string; templateHash: string; pid: number | undefined; ready: boolean }[]>;
  /** Resolves when no reconcile is running or queued. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

const DEPLOYMENT_CONTROLLER = 'deployment-controller';
const REPLICASET_CONTROLLER = 'replicaset-controller';

export function createPodSupervisor(opts: PodSupervisorOptions): PodSupervisor {
  const states = new Map<string, DeploymentState>();
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  const now = opts.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
  const cluster = opts.port.cluster;
  /** Pods this kubelet is stopping: their Terminating watch events are its own doing. */
  const terminating = new Set<string>();
  let events: Promise<void> = Promise.resolve();
  let stopped = false;
  let idleWaiters: (() => void)[] = [];

  const busy = () => [...states.values()].some((s) => s.running);
  const wakeIdle = () => {
    if (busy()) return;
    for (const w of idleWaiters) w();
    idleWaiters = [];
  };

  function stateFor(dep: DeploymentLike): DeploymentState {
    const key = objectKey(dep);
    let state = states.get(key);
    if (!state) {
      state = {
        latest: dep,
        pods: [],
        replicaSets: new Map(),
        running: false,
        again: false,
        crashes: 0,
        log: opts.logFor(dep),
      };
      states.set(key, state);
    }
    return state;
  }

  function kick(key: string): void {
    const state = states.get(key);
    if (!state || stopped) return;
    if (state.running) {
      state.again = true;
      return;
    }
    state.running = true;
    void (async () => {
      try {
        do {
          state.again = false;
          await reconcile(key, state);
        } while (state.again && !stopped);
      } catch (err) {
        state.log(`reconcile failed: ${(err as Error).message}`);
      } finally {
        state.running = false;
        if (!state.latest && state.pods.length === 0) states.delete(key);
        wakeIdle();
      }
    })();
  }

  function scheduleRetry(key: string, state: DeploymentState, ms: number): void {
    clearTimeout(state.retryTimer);
    state.retryTimer = setTimeout(() => kick(key), ms);
    state.retryTimer.unref();
  }

  /** Events are a trace, not state: a failed write is logged and the rollout goes on. */
  function record(
    state: DeploymentState,
    involved: KubeObject | undefined,
    reason: string,
    message: string,
    component: string,
    type: 'Normal' | 'Warning' = 'Normal',
  ): void {
    if (!cluster || !involved?.metadata?.uid) return;
    const event = buildEvent({ involved, reason, message, component, type, now: now() });
    // One at a time, so they are stored in the order they happened.
    events = events
      .then(() => cluster.recordEvent(event))
      .catch((err: unknown) => state.log(`could not record event ${reason}: ${(err as Error).message}`));
  }

  function writePodStatus(state: DeploymentState, pod: Omit<LocalPod, 'process'>, phase: ContainerPhase): void {
    if (!cluster) return;
    const status = podStatus({
      container: pod.container,
      image: pod.image,
      phase,
      scheduledAt: pod.scheduledAt,
      restartCount: pod.restartCount,
      lastTerminated: pod.lastTerminated,
      now: now(),
    });
    pod.writes = pod.writes
      .then(() => cluster.writePodStatus(pod.namespace, pod.name, status))
      .catch((err: unknown) => {
        if (!pod.stopping) state.log(`could not write the status of pod ${pod.name}: ${(err as Error).message}`);
      });
  }

  const runningPhase = (pod: LocalPod): ContainerPhase => ({
    state: 'running',
    startedAt: pod.startedAt,
    ready: pod.endpoint.ready,
    pid: pod.process.pid,
  });

  /** Resolve the pod's env and files from the ConfigMaps and Secrets as they are now. */
  async function preparePod(
    dep: DeploymentLike,
    state: DeploymentState,
    name: string,
  ): Promise<{ dir: string; env: Record<string, string> }> {
    const namespace = dep.metadata?.namespace ?? 'default';
    const template = dep.spec?.template ?? {};
    const refs = listReferencedObjects(template);
    const configMaps = new Map<string, ConfigMapLike>();
    const secrets = new Map<string, SecretLike>();
    for (const cm of refs.configMaps) {
      const obj = await opts.port.readConfigMap(namespace, cm);
      if (obj) configMaps.set(cm, obj);
    }
    for (const s of refs.secrets) {
      const obj = await opts.port.readSecret(namespace, s);
      if (obj) secrets.set(s, obj);
    }
    const dir = join(opts.podRoot, name);
    const inputs = resolvePodInputs({ template, configMaps, secrets, podDir: dir, podName: name, namespace });
    for (const w of inputs.warnings) state.log(`warning: ${w}`);
    if (inputs.errors.length > 0) throw new Error(`CreateContainerConfigError: ${inputs.errors.join('; ')}`);
    for (const d of inputs.dirs) await mkdir(d, { recursive: true });
    for (const f of inputs.files) {
      await mkdir(dirname(f.path), { recursive: true });
      await writeFile(f.path, f.content, { mode: 0o444 });
    }
    return { dir, env: inputs.env };
  }

  async function spawnContainer(state: DeploymentState, pod: Omit<LocalPod, 'process'>): Promise<LocalProcess> {
    const port = await opts.findFreePort();
    const toLogs = opts.containerLogs?.startContainer(pod.namespace, pod.name, pod.container);
    const process = startLocalProcess({
      script: pod.program.script,
      env: { ...pod.env, ...pod.program.envOverrides },
      port,
      log: (line) => {
        state.log(line);
        toLogs?.(line);
      },
    });
    pod.endpoint.port = port;
    pod.startedAt = now();
    const restart = pod.restartCount > 0 ? `, restart ${pod.restartCount}` : '';
    state.log(`pod ${pod.name} starting (pid ${process.pid ?? '?'}, port ${port}${restart})`);
    return process;
  }

  function watchExit(dep: DeploymentLike, state: DeploymentState, pod: LocalPod, process: LocalProcess): void {
    void process.exited.then((code) => {
      opts.containerLogs?.endContainer(pod.namespace, pod.name);
      if (pod.stopping || stopped || pod.process !== process) return;
      const wasReady = pod.endpoint.ready;
      pod.endpoint.ready = false;
      if (wasReady) opts.onEndpointsChanged?.();
      if (!wasReady) return; // the readiness wait reports it
      // The kubelet restarts the container in the same pod (restartPolicy Always), with a back-off.
      state.crashes++;
      const backoff = Math.min(1000 * 2 ** (state.crashes - 1), 30_000);
      const exitCode = Number.isInteger(Number(code)) ? Number(code) : 137;
      pod.lastTerminated = { exitCode, reason: 'Error', startedAt: pod.startedAt, finishedAt: now() };
      pod.restartCount++;
      state.log(`pod ${pod.name} exited unexpectedly (${code}); restarting in ${backoff} ms`);
      writePodStatus(state, pod, { state: 'backoff', reason: 'CrashLoopBackOff' });
      record(
        state,
        pod.object,
        'BackOff',
        `Back-off restarting failed container ${pod.container}`,
        'kubelet',
        'Warning',
      );
      const timer = setTimeout(() => void restartContainer(dep, state, pod), backoff);
      timer.unref();
      kick(objectKey(dep));
    });
  }

  async function restartContainer(dep: DeploymentLike, state: DeploymentState, pod: LocalPod): Promise<void> {
    if (pod.stopping || stopped) return;
    // A new container resolves its env again, from the ConfigMaps as they are now (as the kubelet does).
    try {
      await rm(pod.dir, { recursive: true, force: true }); // its files are written read-only
      pod.env = (await preparePod(dep, state, pod.name)).env;
    } catch (err) {
      state.log(`pod ${pod.name}: ${(err as Error).message}; restarting with the env it had`);
    }
    if (pod.stopping || stopped) return;
    const process = await spawnContainer(state, pod);
    pod.process = process;
    watchExit(dep, state, pod, process);
    record(state, pod.object, 'Started', `Started container ${pod.container}`, 'kubelet');
    writePodStatus(state, pod, runningPhase(pod));
    try {
      await process.waitReady(readyTimeoutMs);
      if (pod.stopping || pod.process !== process) return;
      pod.endpoint.ready = true;
      state.crashes = 0;
      writePodStatus(state, pod, runningPhase(pod));
      opts.onEndpointsChanged?.();
      state.log(`pod ${pod.name} ready again`);
    } catch (err) {
      state.log(`pod ${pod.name}: ${(err as Error).message}`);
    }
    kick(objectKey(dep));
  }

  async function startPod(
    dep: DeploymentLike,
    state: DeploymentState,
    rs: ReplicaSetRecord,
    program: LocalProgram,
  ): Promise<LocalPod> {
    const namespace = dep.metadata?.namespace ?? 'default';
    const template = dep.spec?.template ?? {};
    const first = template.spec?.containers?.[0];
    const name = podNameFor(rs.name);
    const draft: Omit<LocalPod, 'process'> = {
      name,
      namespace,
      templateHash: rs.templateHash,
      replicaSet: rs.name,
      container: first?.name ?? 'app',
      image: first?.image ?? '',
      dir: join(opts.podRoot, name),
      program,
      env: {},
      stopping: false,
      scheduledAt: now(),
      startedAt: now(),
      restartCount: 0,
      writes: Promise.resolve(),
      endpoint: {
        pod: name,
        namespace,
        labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': rs.templateHash },
        host: '127.0.0.1',
        port: 0,
        ready: false,
      },
    };
    if (cluster && rs.object) {
      try {
        draft.object = await cluster.createPod(buildPod(rs.object, name));
        record(state, rs.object, 'SuccessfulCreate', `Created pod: ${name}`, REPLICASET_CONTROLLER);
        record(
          state,
          draft.object,
          'Scheduled',
          `Successfully assigned ${namespace}/${name} to local`,
          'default-scheduler',
        );
        writePodStatus(state, draft, { state: 'starting' });
      } catch (err) {
        record(
          state,
          rs.object,
          'FailedCreate',
          `Error creating: ${(err as Error).message}`,
          REPLICASET_CONTROLLER,
          'Warning',
        );
        throw err;
      }
    }
    try {
      const prepared = await preparePod(dep, state, name);
      draft.dir = prepared.dir;
      draft.env = prepared.env;
    } catch (err) {
      record(state, draft.object, 'Failed', `Error: ${(err as Error).message}`, 'kubelet', 'Warning');
      await removePodObject(draft);
      throw err;
    }
    const pod: LocalPod = Object.assign(draft, { process: await spawnContainer(state, draft) });
    watchExit(dep, state, pod, pod.process);
    record(state, pod.object, 'Created', `Created container: ${pod.container}`, 'kubelet');
    record(state, pod.object, 'Started', `Started container ${pod.container}`, 'kubelet');
    writePodStatus(state, pod, runningPhase(pod));
    return pod;
  }

  async function removePodObject(pod: Omit<LocalPod, 'process'>): Promise<void> {
    if (!cluster) return;
    await pod.writes;
    try {
      await cluster.deletePod(pod.namespace, pod.name, 0);
    } catch {
      // already gone
    }
  }

  /** `byApi`: the deletion was asked through the API (the pod is already Terminating). */
  async function stopPod(state: DeploymentState, pod: LocalPod, reason: string, byApi = false): Promise<void> {
    pod.stopping = true;
    terminating.add(`${pod.namespace}/${pod.name}`);
    const wasReady = pod.endpoint.ready;
    pod.endpoint.ready = false;
    state.pods = state.pods.filter((p) => p !== pod);
    if (cluster && !byApi) {
      // The ReplicaSet controller deletes it; the kubelet sees it Terminating and stops it.
      await pod.writes;
      await cluster.deletePod(pod.namespace, pod.name, 30).catch(() => undefined);
      const rs = state.replicaSets.get(pod.templateHash)?.object;
      record(state, rs, 'SuccessfulDelete', `Deleted pod: ${pod.name}`, REPLICASET_CONTROLLER);
    }
    record(state, pod.object, 'Killing', `Stopping container ${pod.container}`, 'kubelet');
    if (wasReady) {
      opts.onEndpointsChanged?.();
      await opts.drain?.(pod.endpoint);
    }
    await pod.process.stop();
    await rm(pod.dir, { recursive: true, force: true });
    await removePodObject(pod);
    opts.containerLogs?.forget(pod.namespace, pod.name);
    terminating.delete(`${pod.namespace}/${pod.name}`);
    state.log(`pod ${pod.name} stopped (${reason})`);
  }

  /** The ReplicaSet for this template: created at the next revision, or brought back (undo) as the newest. */
  async function ensureReplicaSet(
    dep: DeploymentLike,
    state: DeploymentState,
    hash: string,
    maxSurge: number,
  ): Promise<ReplicaSetRecord> {
    const revisions = [...state.replicaSets.values()].map((r) => r.revision);
    const maxRevision = revisions.length > 0 ? Math.max(...revisions) : 0;
    let rs = state.replicaSets.get(hash);
    if (!rs) {
      rs = { name: replicaSetNameFor(dep, hash), templateHash: hash, revision: maxRevision + 1, replicas: 0 };
      state.replicaSets.set(hash, rs);
    } else if (rs.revision < maxRevision) {
      rs.revision = maxRevision + 1;
    }
    if (cluster) await writeReplicaSet(dep, rs, maxSurge);
    return rs;
  }

  async function writeReplicaSet(dep: DeploymentLike, rs: ReplicaSetRecord, maxSurge: number): Promise<void> {
    if (!cluster) return;
    const wanted = buildReplicaSet({
      deployment: dep,
      templateHash: rs.templateHash,
      revision: rs.revision,
      replicas: rs.replicas,
      maxSurge,
    });
    const namespace = dep.metadata?.namespace ?? 'default';
    if (!rs.object) {
      rs.object = await cluster.createReplicaSet(wanted);
      rs.lastMeta = JSON.stringify([wanted.metadata?.annotations, rs.replicas]);
      return;
    }
    const meta = JSON.stringify([wanted.metadata?.annotations, rs.replicas]);
    if (meta === rs.lastMeta) return;
    rs.object = await cluster.patchReplicaSet(namespace, rs.name, {
      metadata: { annotations: wanted.metadata?.annotations },
      spec: { replicas: rs.replicas },
    });
    rs.lastMeta = meta;
  }

  /** Scale a ReplicaSet and say so on the Deployment, as ScalingReplicaSet events do. */
  async function scaleReplicaSet(
    dep: DeploymentLike,
    state: DeploymentState,
    rs: ReplicaSetRecord,
    to: number,
    maxSurge: number,
  ): Promise<void> {
    if (rs.replicas === to) return;
    const from = rs.replicas;
    rs.replicas = to;
    await writeReplicaSet(dep, rs, maxSurge);
    const direction = to > from ? 'up' : 'down';
    record(
      state,
      { ...dep, apiVersion: 'apps/v1', kind: 'Deployment' },
      'ScalingReplicaSet',
      `Scaled ${direction} replica set ${rs.name} from ${from} to ${to}`,
      DEPLOYMENT_CONTROLLER,
    );
  }

  async function writeStatus(dep: DeploymentLike, state: DeploymentState, templateHash: string): Promise<void> {
    const current = state.replicaSets.get(templateHash);
    const status = computeDeploymentStatus({
      generation: dep.metadata?.generation ?? 1,
      desiredReplicas: dep.spec?.replicas ?? 1,
      currentTemplateHash: templateHash,
      pods: state.pods.map((p) => ({ templateHash: p.templateHash, ready: p.endpoint.ready })),
      failure: state.failure,
      previousConditions: state.conditions,
      replicaSetName: cluster ? current?.name : undefined,
      now: now(),
    });
    await writeReplicaSetStatuses(state);
    const text = JSON.stringify(status);
    if (text === state.lastStatus) return;
    try {
      await opts.port.writeDeploymentStatus(dep.metadata?.namespace ?? 'default', dep.metadata?.name ?? '', status);
      state.lastStatus = text;
      state.conditions = status.conditions;
    } catch (err) {
      state.log(`could not write the Deployment status: ${(err as Error).message}`);
    }
  }

  async function writeReplicaSetStatuses(state: DeploymentState): Promise<void> {
    if (!cluster) return;
    for (const rs of state.replicaSets.values()) {
      if (!rs.object) continue;
      const pods = state.pods.filter((p) => p.templateHash === rs.templateHash);
      const generation = rs.object.metadata?.generation ?? 1;
      const status = replicaSetStatus(pods.length, pods.filter((p) => p.endpoint.ready).length, generation);
      const text = JSON.stringify(status);
      if (text === rs.lastStatus) continue;
      try {
        await cluster.writeReplicaSetStatus(rs.object.metadata?.namespace ?? 'default', rs.name, status);
        rs.lastStatus = text;
      } catch (err) {
        state.log(`could not write the status of replica set ${rs.name}: ${(err as Error).message}`);
      }
    }
  }

  /** revisionHistoryLimit: the oldest scaled-down ReplicaSets beyond it are deleted. */
  async function pruneHistory(dep: DeploymentLike, state: DeploymentState, templateHash: string): Promise<void> {
    const limit = dep.spec?.revisionHistoryLimit ?? 10;
    const old = [...state.replicaSets.values()]
      .filter(
        (r) =>
          r.templateHash !== templateHash &&
          r.replicas === 0 &&
          !state.pods.some((p) => p.templateHash === r.templateHash),
      )
      .sort((a, b) => a.revision - b.revision);
    for (const rs of old.slice(0, Math.max(old.length - limit, 0))) {
      state.replicaSets.delete(rs.templateHash);
      if (cluster && rs.object)
        await cluster.deleteReplicaSet(rs.object.metadata?.namespace ?? 'default', rs.name).catch(() => undefined);
    }
  }

  async function reconcile(key: string, state: DeploymentState): Promise<void> {
    const dep = state.latest;
    if (!dep) {
      for (const pod of [...state.pods]) await stopPod(state, pod, 'Deployment deleted');
      // No garbage collector here: the controller takes its ReplicaSets with it.
      for (const rs of state.replicaSets.values())
        if (cluster && rs.object)
          await cluster.deleteReplicaSet(rs.object.metadata?.namespace ?? 'default', rs.name).catch(() => undefined);
      state.replicaSets.clear();
      return;
    }
    const program = opts.programFor(dep);
    if (!program) return;
    const templateHash = hashPodTemplate(dep.spec?.template);
    const desired = Math.max(dep.spec?.replicas ?? 1, 0);
    const strategy = resolveStrategy(dep.spec?.strategy, desired);
    const rs = await ensureReplicaSet(dep, state, templateHash, strategy.maxSurge);
    if (
      state.pods.some((p) => p.templateHash !== templateHash) &&
      !state.pods.some((p) => p.templateHash === templateHash)
    )
      state.log(`pod template changed (generation ${dep.metadata?.generation ?? '?'}): rolling out ${templateHash}`);

    for (;;) {
      if (stopped || state.latest !== dep) break;
      const live = state.pods.filter((p) => !p.stopping);
      const fresh = live.filter((p) => p.templateHash === templateHash);
      const old = live.filter((p) => p.templateHash !== templateHash);
      const step = planRolloutStep(strategy, {
        desired,
        newTotal: fresh.length,
        newReady: fresh.filter((p) => p.endpoint.ready).length,
        oldTotal: old.length,
        oldReady: old.filter((p) => p.endpoint.ready).length,
      });
      if (step.start === 0 && step.stopOld === 0 && step.stopNew === 0) break;

      // Not-ready old pods go first, then the oldest revisions: what the controller scales down.
      const revisionOf = (p: LocalPod) => state.replicaSets.get(p.templateHash)?.revision ?? 0;
      const victims = [...old]
        .sort((a, b) => Number(a.endpoint.ready) - Number(b.endpoint.ready) || revisionOf(a) - revisionOf(b))
        .slice(0, step.stopOld);
      const surplus = fresh.slice(desired);
      await scaleReplicaSet(dep, state, rs, fresh.length + step.start - surplus.length, strategy.maxSurge);
      for (const other of state.replicaSets.values()) {
        if (other === rs) continue;
        const leaving = victims.filter((p) => p.templateHash === other.templateHash).length;
        const remaining = old.filter((p) => p.templateHash === other.templateHash).length - leaving;
        if (leaving > 0 || other.replicas > remaining)
          await scaleReplicaSet(dep, state, other, Math.max(remaining, 0), strategy.maxSurge);
      }

      const started = Date.now();
      const stopping = [
        ...victims.map((p) => stopPod(state, p, 'replaced by the new template')),
        ...surplus.map((p) => stopPod(state, p, 'scaled down')),
      ];
      const results = await Promise.allSettled(
        Array.from({ length: step.start }, () => startPod(dep, state, rs, program)),
      );
      const created = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      state.pods.push(...created);
      await writeStatus(dep, state, templateHash);
      const readiness = await Promise.allSettled(created.map((p) => p.process.waitReady(readyTimeoutMs)));
      const problems: string[] = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      for (const [i, r] of readiness.entries()) {
        const pod = created[i] as LocalPod;
        if (r.status === 'fulfilled' && !pod.stopping) {
          pod.endpoint.ready = true;
          writePodStatus(state, pod, runningPhase(pod));
          state.log(`pod ${pod.name} ready in ${Date.now() - started} ms`);
        } else if (r.status === 'rejected') {
          problems.push(`pod ${pod.name}: ${(r.reason as Error).message}`);
          await stopPod(state, pod, 'not ready');
        }
      }
      if (created.some((p) => p.endpoint.ready)) opts.onEndpointsChanged?.();
      await Promise.all(stopping);
      if (problems.length > 0) {
        state.failure = problems.join('; ');
        state.log(`cannot start the pods: ${state.failure}; retrying in 5 s`);
        await scaleReplicaSet(
          dep,
          state,
          rs,
          state.pods.filter((p) => p.templateHash === templateHash).length,
          strategy.maxSurge,
        );
        await writeStatus(dep, state, templateHash);
        scheduleRetry(key, state, 5000);
        return;
      }
      state.failure = undefined;
      await writeStatus(dep, state, templateHash);
    }
    await pruneHistory(dep, state, templateHash);
    await writeStatus(dep, state, templateHash);
  }

  return {
    upsert(dep) {
      const state = stateFor(dep);
      state.latest = dep;
      kick(objectKey(dep));
    },
    remove(dep) {
      const state = states.get(objectKey(dep));
      if (!state) return;
      state.latest = undefined;
      kick(objectKey(dep));
    },
    podChanged(obj, deleted) {
      const ns = obj.metadata?.namespace ?? '';
      const name = obj.metadata?.name ?? '';
      if (!deleted && !obj.metadata?.deletionTimestamp) return;
      if (terminating.has(`${ns}/${name}`)) return;
      for (const [key, state] of states) {
        const pod = state.pods.find((p) => p.namespace === ns && p.name === name && !p.stopping);
        if (!pod) continue;
        void stopPod(state, pod, 'deleted through the API', true).then(() => kick(key));
        return;
      }
      // Not a pod of ours (nothing runs it here): as a kubelet with nothing to stop, let it go.
      if (!deleted && cluster) void cluster.deletePod(ns, name, 0).catch(() => undefined);
    },
    endpoints() {
      return [...states.values()].flatMap((s) => s.pods.map((p) => p.endpoint));
    },
    pods() {
      const out: ReturnType<PodSupervisor['pods']> = {};
      for (const [key, s] of states) {
        out[key] = s.pods.map((p) => ({
          name: p.name,
          templateHash: p.templateHash,
          pid: p.process.pid,
          ready: p.endpoint.ready,
        }));
      }
      return out;
    },
    settled() {
      if (!busy()) return Promise.resolve();
      return new Promise((resolve) => idleWaiters.push(resolve));
    },
    async stop() {
      stopped = true;
      for (const s of states.values()) clearTimeout(s.retryTimer);
      await Promise.all(
        [...states.values()].flatMap((s) =>
          s.pods.map(async (p) => {
            p.stopping = true;
            p.endpoint.ready = false;
            await p.process.stop(5000);
            await rm(p.dir, { recursive: true, force: true });
          }),
        ),
      );
      states.clear();
      wakeIdle();
    },
  };
}
