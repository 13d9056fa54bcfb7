// Level-triggered reconcile: an event only names a Service. Read the config live (seed 003's hot
// reload), then the Service in the default namespace, its namesakes in the developer namespaces and
// the VirtualService, decide with the pure core, write with the resourceVersion the decision was
// computed from. A 409 means someone wrote in between: read everything again and decide again.
// So duplicate, reordered and replayed events converge to the same VirtualService.
import { SingleFlight } from '@reroll/restart/single-flight';
import type { VirtualServiceValidator } from './core/build-virtual-service';
import {
  decideRoutes,
  nameVirtualService,
  servedDeveloperNamespaces,
  type Plan,
  type RoutesState,
} from './core/decide';
import type { ConfigParser } from './core/parse-config';
import {
  MANAGED_BY,
  MANAGED_BY_LABEL,
  SERVICE_LABEL,
  type Decision,
  type KubeObject,
  type RoutesConfig,
} from './core/types';
import { KubeApiError, type RoutesPort } from './kube/port';

export const CONFIG_KEY = 'config.yaml';

export interface ReconcileResult {
  decisions: Decision[];
  /** why there are no decisions at all (excluded or unconfigured namespace …) */
  note?: string;
}

export interface ServiceEvent {
  namespace: string;
  name: string;
  action: 'add' | 'update' | 'delete';
}

export interface ReconcilerOptions {
  port: RoutesPort;
  configMap: { namespace: string; name: string };
  excludeNamespaces: readonly string[];
  parseConfig: ConfigParser;
  validate: VirtualServiceValidator;
  /** how often a 409 is re-read and decided again before reporting `failed` */
  maxConflictRetries?: number;
}

type ConfigRead = { ok: true; config: RoutesConfig } | { ok: false; decision: Decision };

export class RoutesReconciler {
  // every event about one Service name funnels into the same VirtualService: one run per name
  private readonly flights = new SingleFlight<null, ReconcileResult>(() => null);
  private readonly resyncFlight = new SingleFlight<null, ReconcileResult>(() => null);

  constructor(private readonly options: ReconcilerOptions) {}

  reconcileService(event: ServiceEvent): Promise<ReconcileResult> {
    if (this.options.excludeNamespaces.includes(event.namespace))
      return Promise.resolve({ decisions: [], note: `namespace ${event.namespace} is a system namespace: ignored` });
    return this.flights.run(event.name, null, () => this.runService(event));
  }

  /** Every Service of the default namespace and every VirtualService of ours (PingSource resync). */
  resync(): Promise<ReconcileResult> {
    return this.resyncFlight.run('resync', null, () => this.runResync());
  }

  private async readConfig(serviceName: string): Promise<ConfigRead> {
    const { port, configMap, parseConfig } = this.options;
    const where = `${configMap.namespace}/${configMap.name}`;
    const fail = (reason: string): ConfigRead => ({
      ok: false,
      decision: { kind: 'VirtualService', namespace: '', name: '', service: serviceName, action: 'failed', reason },
    });
    let cm: KubeObject | null;
    try {
      cm = await port.getConfigMap(configMap.namespace, configMap.name);
    } catch (err) {
      if (err instanceof KubeApiError) return fail(`cannot read the config ConfigMap ${where}: ${err.message}`);
      throw err;
    }
    if (!cm) return fail(`the config ConfigMap ${where} does not exist; nothing written`);
    const parsed = parseConfig((cm.data as Record<string, string> | undefined)?.[CONFIG_KEY]);
    if (!parsed.ok) return fail(`ConfigMap ${where}: ${parsed.errors.join('; ')}; nothing written`);
    if (this.options.excludeNamespaces.includes(parsed.config.defaultNamespace))
      return fail(
        `ConfigMap ${where}: defaultNamespace ${parsed.config.defaultNamespace} is a system namespace; nothing written`,
      );
    return parsed;
  }

  private async runService(event: ServiceEvent): Promise<ReconcileResult> {
    const read = await this.readConfig(event.name);
    if (!read.ok) return { decisions: [read.decision] };
    const { config } = read;
    const developers = servedDeveloperNamespaces(config, this.options.excludeNamespaces).namespaces;
    if (event.namespace !== config.defaultNamespace && !developers.includes(event.namespace))
      return {
        decisions: [],
        note: `namespace ${event.namespace} is neither defaultNamespace nor a developer namespace in the config`,
      };
    return { decisions: [await this.converge(config, event.name)] };
  }

  private async runResync(): Promise<ReconcileResult> {
    const read = await this.readConfig('*');
    if (!read.ok) return { decisions: [read.decision] };
    const { config } = read;
    const { port } = this.options;
    const ns = config.defaultNamespace;
    const [services, ours] = await Promise.all([
      port.listServices(ns),
      port.listVirtualServices(ns, `${MANAGED_BY_LABEL}=${MANAGED_BY}`),
    ]);
    const names = new Set<string>();
    for (const s of services) if (s.metadata?.name) names.add(s.metadata.name);
    for (const vs of ours) {
      const service = vs.metadata?.labels?.[SERVICE_LABEL];
      if (service) names.add(service);
    }
    const decisions: Decision[] = [];
    // one at a time through the same per-name flights as events: a resync never races an event
    for (const name of [...names].sort())
      decisions.push(...(await this.flights.run(name, null, () => this.convergeOnce(config, name))).decisions);
    return { decisions };
  }

  private async convergeOnce(config: RoutesConfig, name: string): Promise<ReconcileResult> {
    return { decisions: [await this.converge(config, name)] };
  }

  private async converge(config: RoutesConfig, serviceName: string): Promise<Decision> {
    const { excludeNamespaces, validate } = this.options;
    const maxConflicts = this.options.maxConflictRetries ?? 3;
    for (let conflicts = 0; ; conflicts++) {
      let plan: Plan;
      try {
        plan = decideRoutes(await this.readState(config, serviceName), excludeNamespaces, validate);
      } catch (err) {
        if (!(err instanceof KubeApiError)) throw err;
        return {
          kind: 'VirtualService',
          namespace: config.defaultNamespace,
          name: `${serviceName}-virtual-service`,
          service: serviceName,
          action: 'failed',
          reason: `cannot read: ${err.message}`,
        };
      }
      if (!plan.write) return plan.decision;
      try {
        await this.write(config.defaultNamespace, plan);
        return conflicts === 0
          ? plan.decision
          : { ...plan.decision, reason: `${plan.decision.reason} (after ${conflicts} conflict(s))` };
      } catch (err) {
        if (!(err instanceof KubeApiError)) throw err;
        // 409: someone wrote since we read (or created it first); 404: deleted meanwhile. Both: look again.
        if (err.status !== 409 && err.status !== 404)
          return {
            ...plan.decision,
            action: 'failed',
            reason: `${plan.decision.reason}; the write failed: ${err.message}`,
          };
        if (conflicts >= maxConflicts)
          return {
            ...plan.decision,
            action: 'failed',
            reason: `the VirtualService kept changing under us (${conflicts + 1} conflicts); the next event or resync will converge it`,
          };
      }
    }
  }

  private async readState(config: RoutesConfig, serviceName: string): Promise<RoutesState> {
    const { port, excludeNamespaces, validate } = this.options;
    const named = nameVirtualService(config, serviceName, validate);
    const developers = servedDeveloperNamespaces(config, excludeNamespaces).namespaces;
    const [defaultService, existing, ...found] = await Promise.all([
      port.getService(config.defaultNamespace, serviceName),
      named.ok ? port.getVirtualService(config.defaultNamespace, named.name) : Promise.resolve(null),
      ...developers.map((ns) => port.getService(ns, serviceName)),
    ]);
    return {
      config,
      serviceName,
      defaultService: defaultService ?? null,
      existing: existing ?? null,
      developerServices: new Map(developers.map((ns, i) => [ns, found[i] ?? null])),
    };
  }

  private async write(namespace: string, plan: Plan): Promise<void> {
    const { port } = this.options;
    const write = plan.write!;
    if (write.verb === 'create') await port.createVirtualService(namespace, write.object);
    else if (write.verb === 'update') await port.replaceVirtualService(namespace, write.object);
    else await port.deleteVirtualService(namespace, write.name, write.resourceVersion);
  }
}
