// The local "kubelet + deployment controller": for each Deployment it runs spec.replicas local
// processes from the pod template. The ConfigMaps and Secrets are read when a pod starts and never
// again (the app does not hot-reload; that is why reroll exists). When the template changes it
// surges: start the new pods, wait for /readyz, switch the endpoints, drain and SIGTERM the old
// ones, so no request fails. It writes the Deployment status so `kubectl rollout status` completes.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  type DeploymentCondition,
  type DeploymentStatus,
  computeDeploymentStatus,
  hashPodTemplate,
} from './compute-deployment-status';
import type { ConfigMapLike, DeploymentLike, SecretLike } from './kube-shapes';
import { objectKey } from './kube-shapes';
import { type LocalProcess, startLocalProcess } from './local-process';
import type { LogLine } from './part-log';
import { listReferencedObjects, resolvePodInputs } from './resolve-pod-inputs';
import type { Endpoint } from './resolve-route';

/** What the supervisor needs from the API server. */
export interface SupervisorPort {
  readConfigMap(namespace: string, name: string): Promise<ConfigMapLike | undefined>;
  readSecret(namespace: string, name: string): Promise<SecretLike | undefined>;
  writeDeploymentStatus(namespace: string, name: string, status: DeploymentStatus): Promise<void>;
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
  readyTimeoutMs?: number;
  now?: () => string;
}

interface LocalPod {
  name: string;
  templateHash: string;
  dir: string;
  process: LocalProcess;
  endpoint: Endpoint;
  stopping: boolean;
}

interface DeploymentState {
  latest: DeploymentLike | undefined;
  pods: LocalPod[];
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
  endpoints(): Endpoint[];
  /** Names of the pods running now, per Deployment key `ns/name` (for logs and tests). */
  pods(): Record<string, { name: string; templateHash: string; pid: number | undefined; ready: boolean }[]>;
  /** Resolves when no reconcile is running or queued. */
  settled(): Promise<void>;
  stop(): Promise<void>;
}

export function createPodSupervisor(opts: PodSupervisorOptions): PodSupervisor {
  const states = new Map<string, DeploymentState>();
  const readyTimeoutMs = opts.readyTimeoutMs ?? 30_000;
  const now = opts.now ?? (() => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'));
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
      state = { latest: dep, pods: [], running: false, again: false, crashes: 0, log: opts.logFor(dep) };
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

  async function startPod(
    dep: DeploymentLike,
    state: DeploymentState,
    templateHash: string,
    program: LocalProgram,
  ): Promise<LocalPod> {
    const namespace = dep.metadata?.namespace ?? 'default';
    const template = dep.spec?.template ?? {};
    const name = `${dep.metadata?.name ?? 'pod'}-${templateHash}-${randomBytes(3).toString('hex').slice(0, 5)}`;
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
    const port = await opts.findFreePort();
    const process = startLocalProcess({
      script: program.script,
      env: { ...inputs.env, ...program.envOverrides },
      port,
      log: state.log,
    });
    const pod: LocalPod = {
      name,
      templateHash,
      dir,
      process,
      stopping: false,
      endpoint: {
        pod: name,
        namespace,
        labels: { ...(template.metadata?.labels ?? {}) },
        host: '127.0.0.1',
        port,
        ready: false,
      },
    };
    state.log(`pod ${name} starting (pid ${process.pid ?? '?'}, port ${port})`);
    void process.exited.then((code) => {
      if (pod.stopping || stopped) return;
      const wasReady = pod.endpoint.ready;
      pod.endpoint.ready = false;
      state.pods = state.pods.filter((p) => p !== pod);
      void rm(dir, { recursive: true, force: true });
      if (wasReady) opts.onEndpointsChanged?.();
      if (!wasReady) return; // startPod's readiness wait reports it
      state.crashes++;
      const backoff = Math.min(1000 * 2 ** (state.crashes - 1), 30_000);
      state.log(`pod ${name} exited unexpectedly (${code}); restarting in ${backoff} ms`);
      scheduleRetry(objectKey(dep), state, backoff);
    });
    return pod;
  }

  async function stopPod(state: DeploymentState, pod: LocalPod, reason: string): Promise<void> {
    pod.stopping = true;
    const wasReady = pod.endpoint.ready;
    pod.endpoint.ready = false;
    state.pods = state.pods.filter((p) => p !== pod);
    if (wasReady) {
      opts.onEndpointsChanged?.();
      await opts.drain?.(pod.endpoint);
    }
    await pod.process.stop();
    await rm(pod.dir, { recursive: true, force: true });
    state.log(`pod ${pod.name} stopped (${reason})`);
  }

  async function writeStatus(dep: DeploymentLike, state: DeploymentState, templateHash: string): Promise<void> {
    const status = computeDeploymentStatus({
      generation: dep.metadata?.generation ?? 1,
      desiredReplicas: dep.spec?.replicas ?? 1,
      currentTemplateHash: templateHash,
      pods: state.pods.map((p) => ({ templateHash: p.templateHash, ready: p.endpoint.ready })),
      failure: state.failure,
      previousConditions: state.conditions,
      now: now(),
    });
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

  async function reconcile(key: string, state: DeploymentState): Promise<void> {
    const dep = state.latest;
    if (!dep) {
      for (const pod of [...state.pods]) await stopPod(state, pod, 'Deployment deleted');
      return;
    }
    const program = opts.programFor(dep);
    if (!program) return;
    const templateHash = hashPodTemplate(dep.spec?.template);
    const desired = Math.max(dep.spec?.replicas ?? 1, 0);
    const current = () => state.pods.filter((p) => p.templateHash === templateHash && !p.stopping);
    const missing = desired - current().length;

    if (missing > 0) {
      const rolling = state.pods.length > 0;
      if (rolling)
        state.log(`pod template changed (generation ${dep.metadata?.generation ?? '?'}): rolling out ${templateHash}`);
      const started = Date.now();
      const results = await Promise.allSettled(
        Array.from({ length: missing }, () => startPod(dep, state, templateHash, program)),
      );
      const fresh = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      state.pods.push(...fresh);
      await writeStatus(dep, state, templateHash);
      const readiness = await Promise.allSettled(fresh.map((p) => p.process.waitReady(readyTimeoutMs)));
      const problems: string[] = results.flatMap((r) => (r.status === 'rejected' ? [(r.reason as Error).message] : []));
      for (const [i, r] of readiness.entries()) {
        const pod = fresh[i] as LocalPod;
        if (r.status === 'fulfilled') {
          pod.endpoint.ready = true;
          state.log(`pod ${pod.name} ready in ${Date.now() - started} ms`);
        } else {
          problems.push(`pod ${pod.name}: ${(r.reason as Error).message}`);
          await stopPod(state, pod, 'not ready');
        }
      }
      if (fresh.some((p) => p.endpoint.ready)) opts.onEndpointsChanged?.();
      if (problems.length > 0) {
        state.failure = problems.join('; ');
        state.log(`cannot start the pods: ${state.failure}; retrying in 5 s`);
        await writeStatus(dep, state, templateHash);
        scheduleRetry(key, state, 5000);
        return;
      }
    }
    state.failure = undefined;
    state.crashes = 0;
    // Old pods go only once every new one is ready: traffic has somewhere to go at every moment.
    const surplus = [...state.pods.filter((p) => p.templateHash !== templateHash), ...current().slice(desired)];
    await writeStatus(dep, state, templateHash);
    await Promise.all(
      surplus.map((p) =>
        stopPod(state, p, p.templateHash !== templateHash ? 'replaced by the new template' : 'scaled down'),
      ),
    );
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
