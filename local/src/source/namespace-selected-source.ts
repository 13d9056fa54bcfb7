// An ApiServerSource with spec.namespaceSelector, as Knative (>= 1.9) runs it: its controller lists
// the namespaces the selector selects and gives the adapter that list, and updates it when a
// namespace is labelled, unlabelled, created or deleted. Here: one emulated adapter per selected
// namespace (each starting "from now", as the real adapter does after the controller restarts it
// with a new list: nothing is sent for objects that already exist), and a watch on the namespaces
// that starts and stops them. A failed namespace watch relists and converges on what it returns.
import type { ApiServerSourceSpec } from './apiserver-source-spec';
import { startApiServerSource, type ApiServerSourceOptions, type RunningApiServerSource } from './apiserver-source';
import type { ListWatchPort, NameListPort, WatchHandle, WatchTarget } from './list-watch-port';

export type SelectedSourceOptions = Omit<ApiServerSourceOptions, 'listWatch'> & {
  listWatch: ListWatchPort & NameListPort;
};

export type RunningSelectedSource = RunningApiServerSource & {
  /** the namespaces whose watches are open right now, sorted */
  namespaces(): string[];
};

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Starts the source; resolves once every namespace selected at start is watched. */
export async function startSelectedApiServerSource(options: SelectedSourceOptions): Promise<RunningSelectedSource> {
  const { source, listWatch } = options;
  if (!source.namespaceSelector) throw new Error(`ApiServerSource ${source.name} has no spec.namespaceSelector`);
  const log = options.log ?? (() => {});
  const sleep = options.sleep ?? realSleep;
  const target: WatchTarget = {
    apiVersion: 'v1',
    kind: 'Namespace',
    namespace: '',
    labelSelector: source.namespaceSelector.labelSelector,
  };
  const running = new Map<string, Promise<RunningApiServerSource | undefined>>();
  /** started and watching (running also holds those still starting) */
  const watching = new Set<string>();
  let stopped = false;
  let namespaceWatch: WatchHandle | undefined;

  function add(namespace: string): Promise<unknown> {
    if (stopped || running.has(namespace)) return running.get(namespace) ?? Promise.resolve();
    const perNamespace: ApiServerSourceSpec = { ...source, namespace };
    delete perNamespace.namespaceSelector;
    const started = startApiServerSource({ ...options, source: perNamespace, listWatch }).catch((err: unknown) => {
      // e.g. the source's ServiceAccount may not list there (Knative marks the source not ready)
      log('error', `cannot watch namespace ${namespace}: ${(err as Error).message}`, { namespace });
      running.delete(namespace);
      return undefined;
    });
    running.set(namespace, started);
    void started.then((s) => {
      if (stopped || running.get(namespace) !== started) s?.stop();
      else if (s) watching.add(namespace);
    });
    return started;
  }

  function remove(namespace: string): void {
    const started = running.get(namespace);
    if (!started) return;
    running.delete(namespace);
    watching.delete(namespace);
    void started.then((s) => s?.stop());
    log('info', `namespace ${namespace} no longer selected: not watched any more`, { namespace });
  }

  /** Level-triggered: make the running set what the LIST says; returns the list's version. */
  async function converge(): Promise<string> {
    const { names, resourceVersion } = await listWatch.listNames(target);
    for (const namespace of [...running.keys()]) if (!names.includes(namespace)) remove(namespace);
    await Promise.all(names.map(add));
    return resourceVersion;
  }

  /** One watch of the selected namespaces from `resourceVersion`; resolves with why it ended. */
  function watchOnce(resourceVersion: string): Promise<unknown> {
    return new Promise<unknown>((resolve) => {
      const onEvent = (type: string, object: unknown) => {
        const name = (object as { metadata?: { name?: unknown } } | null)?.metadata?.name;
        if (stopped || typeof name !== 'string') return;
        // a selector watch sends ADDED when a namespace starts matching, DELETED when it stops
        if (type === 'ADDED' || type === 'MODIFIED') void add(name);
        else if (type === 'DELETED') remove(name);
      };
      listWatch.watch(target, resourceVersion, onEvent, resolve).then((handle) => {
        namespaceWatch = handle;
        if (stopped) handle.stop();
      }, resolve);
    });
  }

  async function keepWatching(resourceVersion: string): Promise<void> {
    const base = options.backoffMs ?? 200;
    let backoff = base;
    let rv = resourceVersion;
    while (!stopped) {
      const why = await watchOnce(rv);
      if (stopped) return;
      log('warn', `watch of namespaces ended (${describe(why)}): relisting in ${backoff} ms`, {});
      await sleep(backoff);
      if (stopped) return;
      try {
        rv = await converge();
        backoff = base;
      } catch (err) {
        log('warn', `relisting namespaces failed: ${describe(err)}`, {});
        backoff = Math.min(backoff * 2, 30_000);
      }
    }
  }

  const resourceVersion = await converge();
  void keepWatching(resourceVersion);
  log(
    'info',
    `namespaceSelector ${source.namespaceSelector.labelSelector ?? '(every namespace)'}: watching ${[...running.keys()].sort().join(', ') || 'no namespace yet'}`,
    {},
  );
  return {
    namespaces: () => [...watching].sort(),
    stop() {
      stopped = true;
      namespaceWatch?.stop();
      watching.clear();
      for (const namespace of [...running.keys()]) {
        const started = running.get(namespace)!;
        running.delete(namespace);
        void started.then((s) => s?.stop());
      }
    },
  };
}

function describe(err: unknown): string {
  if (err === null || err === undefined) return 'closed';
  if (err instanceof Error) return err.message;
  if (typeof err === 'object' && 'message' in err && typeof err.message === 'string') return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err);
}
