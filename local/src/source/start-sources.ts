// Wiring for local mode: the Knative source objects found in the manifests → running emulated
// adapters against a kubeconfig (the emulator's, or a real cluster's), sharing one delivery
// queue per source like one adapter process each.
import type { KubeConfig } from '@kubernetes/client-node';
import { parseApiServerSource } from './apiserver-source-spec';
import { startApiServerSource, type RunningApiServerSource } from './apiserver-source';
import { startSelectedApiServerSource } from './namespace-selected-source';
import { createDelivery, type DeliveryLog, type SendPort } from './delivery';
import { createHttpSender } from './http-sender';
import { createKubeListWatch } from './kube-list-watch';
import { parsePingSource } from './ping-source-spec';
import { startPingSource, type RunningPingSource } from './ping-source';

export type StartSourcesOptions = {
  kubeConfig: KubeConfig;
  /** ApiServerSource and PingSource objects (others are ignored). */
  objects: unknown[];
  /**
   * Where every source sends, overriding spec.sink (local mode has no Knative to resolve a sink
   * ref, and an in-cluster sink URI means nothing on a laptop). Unset: spec.sink.uri.
   */
  sinkUrl?: string;
  log?: DeliveryLog;
  send?: SendPort;
};

export type RunningSources = {
  apiServerSources: RunningApiServerSource[];
  pingSources: RunningPingSource[];
  /** Resolves when every queued event was delivered or dropped. */
  idle(): Promise<void>;
  stop(): void;
};

export async function startSources(options: StartSourcesOptions): Promise<RunningSources> {
  const send = options.send ?? createHttpSender();
  const server = options.kubeConfig.getCurrentCluster()?.server;
  if (!server) throw new Error('the kubeconfig has no current cluster: cannot tell the API server URL (ce-source)');
  const listWatch = createKubeListWatch(options.kubeConfig);
  const deliveries: ReturnType<typeof createDelivery>[] = [];
  const apiServerSources: RunningApiServerSource[] = [];
  const pingSources: RunningPingSource[] = [];
  const stop = () => [...apiServerSources, ...pingSources].forEach((s) => s.stop());
  try {
    for (const object of options.objects) {
      const kind = (object as { kind?: unknown } | null)?.kind;
      if (kind !== 'ApiServerSource' && kind !== 'PingSource') continue;
      const delivery = createDelivery({ send, log: options.log });
      deliveries.push(delivery);
      if (kind === 'ApiServerSource') {
        const source = parseApiServerSource(object);
        const sourceOptions = {
          source,
          apiServerUrl: server,
          sinkUrl: options.sinkUrl ?? source.sinkUri,
          listWatch,
          delivery,
          log: options.log,
        };
        // with a namespaceSelector, the namespaces it selects (and those labelled later) instead of its own
        apiServerSources.push(
          await (source.namespaceSelector
            ? startSelectedApiServerSource(sourceOptions)
            : startApiServerSource(sourceOptions)),
        );
      } else {
        const source = parsePingSource(object);
        pingSources.push(startPingSource({ source, sinkUrl: options.sinkUrl ?? source.sinkUri, delivery }));
      }
    }
  } catch (err) {
    stop();
    throw err;
  }
  return {
    apiServerSources,
    pingSources,
    idle: async () => void (await Promise.all(deliveries.map((d) => d.idle()))),
    stop,
  };
}
