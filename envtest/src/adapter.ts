// The real Knative ApiServerSource receive adapter as a plain process, configured the way the
// ApiServerSource controller configures its Deployment. The two builds want different
// K_SOURCE_CONFIG shapes (v1.12.6: `namespaces` list; v1.8.8: one `namespace`), facts measured in
// ../shared/envtest/README.md.
import { baseEnv, startManagedProcess, type ManagedProcess } from './managed-process';
import type { AdapterVersion } from './find-assets';
import type { ControlPlaneClient } from './control-plane-client';

export interface AdapterResource {
  /** e.g. { Group: '', Version: 'v1', Resource: 'configmaps' } */
  group: string;
  version: string;
  resource: string;
  /** a label selector string, e.g. `reroll.dev/watch=true` */
  selector?: string;
}

export interface StartAdapterOptions {
  /** the control plane it watches: its /metrics tell when the adapter's watches are open */
  controlPlane: ControlPlaneClient;
  bin: string;
  version: AdapterVersion;
  /** a kubeconfig holding the source ServiceAccount's token (so its RBAC is what a cluster gives it) */
  kubeconfig: string;
  /** where events go (K_SINK), e.g. the restart function's URL */
  sink: string;
  /** the ApiServerSource's name (NAME) */
  name: string;
  /** v1.8.8 watches exactly one */
  namespaces: string[];
  resources: AdapterResource[];
  mode: 'Reference' | 'Resource';
  /** how long to wait for the watches to start (default 60 s) */
  readyTimeoutMs?: number;
}

export interface RunningAdapter {
  process: ManagedProcess;
  output(): string[];
  stop(): Promise<void>;
}

export function sourceConfigFor(
  version: AdapterVersion,
  namespaces: string[],
  resources: AdapterResource[],
  mode: string,
): string {
  const res = resources.map((r) => ({
    gvr: { Group: r.group, Version: r.version, Resource: r.resource },
    ...(r.selector ? { selector: r.selector } : {}),
  }));
  if (version === '1.8.8') {
    if (namespaces.length !== 1) throw new Error(`adapter v1.8.8 watches one namespace, got ${namespaces.length}`);
    return JSON.stringify({ namespace: namespaces[0], resources: res, mode });
  }
  return JSON.stringify({ namespaces, allNamespaces: false, resources: res, mode });
}

// The adapter logs "STARTING" before it lists and watches, and nothing once its watches are open;
// until then a change is missed (it sends nothing for objects that exist at start). The apiserver
// counts open watches per resource and scope in /metrics, so that is where "ready" is read.
async function countNamespacedWatches(cp: ControlPlaneClient, resources: AdapterResource[]): Promise<number> {
  const metrics = (await cp.kubectl(['get', '--raw', '/metrics'])).stdout;
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('apiserver_longrunning_requests{')) continue;
    const watched = resources.some(
      (r) =>
        line.includes(`group="${r.group}"`) &&
        line.includes(`resource="${r.resource}"`) &&
        line.includes(`version="${r.version}"`),
    );
    if (watched && line.includes('scope="namespace"') && line.includes('verb="WATCH"'))
      total += Number(line.split(' ').pop());
  }
  return total;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startAdapter(options: StartAdapterOptions): Promise<RunningAdapter> {
  const ns = options.namespaces[0] ?? 'default';
  const env = {
    ...baseEnv(),
    KUBECONFIG: options.kubeconfig,
    K_SINK: options.sink,
    NAME: options.name,
    NAMESPACE: ns,
    POD_NAME: `${options.name}-adapter-${process.pid}`,
    K_LOGGING_CONFIG: '{}',
    K_METRICS_CONFIG: '{}',
    K_SOURCE_CONFIG: sourceConfigFor(options.version, options.namespaces, options.resources, options.mode),
  };
  const timeoutMs = options.readyTimeoutMs ?? 60_000;
  const before = await countNamespacedWatches(options.controlPlane, options.resources);
  const expected = before + options.resources.length * (options.version === '1.8.8' ? 1 : options.namespaces.length);
  const proc = startManagedProcess(`apiserver_receive_adapter v${options.version}`, options.bin, [], env);
  try {
    await proc.waitForLine(/STARTING/, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    while ((await countNamespacedWatches(options.controlPlane, options.resources)) < expected) {
      if (proc.hasExited())
        throw new Error(`${proc.name} exited (${await proc.exited}):\n${proc.output().slice(-15).join('\n')}`);
      if (Date.now() > deadline)
        throw new Error(
          `${proc.name} opened no watch within ${Math.round(timeoutMs / 1000)} s:\n${proc.output().slice(-15).join('\n')}`,
        );
      await sleep(200);
    }
  } catch (err) {
    await proc.stop(2000);
    throw err;
  }
  return { process: proc, output: () => proc.output(), stop: () => proc.stop(10_000) };
}
