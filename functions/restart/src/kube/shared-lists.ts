// Concurrent events in one namespace share their workload LISTs. A Broker fans events out, so eight
// reconciles for eight ConfigMaps of one namespace would otherwise each LIST every kind of it: the
// same objects read eight times. Sharing keeps level-triggering: a caller never gets a LIST that
// started before it asked. While a LIST runs, every new caller waits for ONE follow-up LIST (the
// single-flight's coalescing), which starts after they all asked, so it sees at least the state
// their events announced. Workload objects are shared between those callers read-only (the pure
// core never mutates its input).
import type { WorkloadKind } from '../core/types';
import { SingleFlight } from '../single-flight';
import type { KubePort, WorkloadList } from './port';

export function withSharedLists(port: KubePort): KubePort {
  const flights = new SingleFlight<readonly WorkloadKind[], WorkloadList>((queued, incoming) => [
    ...new Set([...queued, ...incoming]),
  ]);
  return {
    getConfig: (ref) => port.getConfig(ref),
    getWorkload: (ref) => port.getWorkload(ref),
    patchWorkload: (ref, patch) => port.patchWorkload(ref, patch),
    recordEvent: (regarding, event) => port.recordEvent(regarding, event),
    getNamespace: (name) => port.getNamespace(name),
    listNamespaces: (labelSelector) => port.listNamespaces(labelSelector),
    async listWorkloads(namespace, kinds) {
      const listed = await flights.run(namespace, kinds, (all) => port.listWorkloads(namespace, all));
      // a follow-up may have listed more kinds than this caller asked for (callers asked for different ones)
      const asked = new Set(kinds);
      if (listed.workloads.every((w) => asked.has(w.kind)) && listed.failures.every((f) => asked.has(f.kind)))
        return listed;
      return {
        workloads: listed.workloads.filter((w) => asked.has(w.kind)),
        failures: listed.failures.filter((f) => asked.has(f.kind)),
      };
    },
  };
}
