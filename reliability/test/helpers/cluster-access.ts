// What the test reads and writes in the emulated cluster: ConfigMap changes go through the HTTP API
// (as kubectl would send them); live state is read from the emulator's store (no HTTP, so injected
// faults only ever hit the function); rollouts are counted from the store's watch: one rollout = one
// write that changed a workload's spec.template.
import { RESOURCE_TABLE, type Emulator, type KObject } from '@reroll/local/emulator';
import { CONFIG_HASH, RESTART_TIMESTAMP, WORKLOAD_KINDS, workloadKey, type WorkloadKind } from './storm-cluster';

const CONFIGMAPS = RESOURCE_TABLE.find((t) => t.group === '' && t.kind === 'ConfigMap')!;

export function workloadType(kind: WorkloadKind) {
  return RESOURCE_TABLE.find(
    (t) => t.kind === kind && (kind === 'Service' ? t.group === 'serving.knative.dev' : t.group === 'apps'),
  )!;
}

export function readConfigMap(emulator: Emulator, namespace: string, name: string): KObject | undefined {
  try {
    return emulator.core.get(CONFIGMAPS, namespace, name);
  } catch {
    return undefined; // 404
  }
}

export function readWorkload(emulator: Emulator, kind: WorkloadKind, namespace: string, name: string): KObject {
  return emulator.core.get(workloadType(kind), namespace, name);
}

export interface TemplateAnnotations {
  metadataHash?: string;
  templateHash?: string;
  timestamp?: string;
}

export function readAnnotations(object: KObject): TemplateAnnotations {
  const spec = (object as { spec?: { template?: { metadata?: { annotations?: Record<string, string> } } } }).spec;
  const tpl = spec?.template?.metadata?.annotations ?? {};
  return {
    metadataHash: object.metadata.annotations?.[CONFIG_HASH],
    templateHash: tpl[CONFIG_HASH],
    timestamp: tpl[RESTART_TIMESTAMP],
  };
}

export interface ApiAnswer {
  status: number;
  object?: KObject;
}

async function call(
  emulator: Emulator,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<ApiAnswer> {
  const res = await fetch(`${emulator.url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': contentType },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const json = (await res.json()) as KObject;
  return { status: res.status, object: json };
}

const cmPath = (ns: string, name?: string) => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;

export const configMapApi = {
  create: (e: Emulator, ns: string, object: unknown) => call(e, 'POST', cmPath(ns), object),
  mergePatch: (e: Emulator, ns: string, name: string, patch: unknown) =>
    call(e, 'PATCH', cmPath(ns, name), patch, 'application/merge-patch+json'),
  remove: (e: Emulator, ns: string, name: string) => call(e, 'DELETE', cmPath(ns, name)),
};

/** Counts spec.template changes per workload (`Kind/ns/name`) from the emulator's watch. */
export class RolloutCounter {
  private readonly templates = new Map<string, string>();
  private readonly counts = new Map<string, number>();
  private readonly stops: Array<() => void> = [];
  /** template changes that did not carry both annotations (a half-done rollout) */
  readonly incomplete: string[] = [];

  constructor(emulator: Emulator) {
    for (const kind of WORKLOAD_KINDS) {
      const t = workloadType(kind);
      const list = emulator.core.list(t, undefined, new URLSearchParams()) as unknown as {
        items: KObject[];
        metadata: { resourceVersion: string };
      };
      for (const o of list.items) this.templates.set(this.key(kind, o), this.template(o));
      const handle = emulator.core.watch(
        t,
        undefined,
        new URLSearchParams({ resourceVersion: list.metadata.resourceVersion }),
        (e) => {
          if (e.type === 'ADDED' || e.type === 'MODIFIED') this.observe(kind, e.object as KObject);
        },
        () => {},
      );
      this.stops.push(() => handle.stop());
    }
  }

  private key(kind: WorkloadKind, o: KObject): string {
    return workloadKey({ kind, namespace: o.metadata.namespace ?? '', name: o.metadata.name ?? '' });
  }

  private template(o: KObject): string {
    return JSON.stringify((o as { spec?: { template?: unknown } }).spec?.template ?? null);
  }

  private observe(kind: WorkloadKind, o: KObject): void {
    const key = this.key(kind, o);
    const now = this.template(o);
    const before = this.templates.get(key);
    this.templates.set(key, now);
    if (before === undefined || before === now) return;
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    const a = readAnnotations(o);
    if (!a.templateHash || !a.timestamp || a.templateHash !== a.metadataHash) this.incomplete.push(key);
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }

  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }

  stop(): void {
    for (const s of this.stops) s();
  }
}

/** The live data of a ConfigMap ({} when it has none; throws when it does not exist). */
export function readConfigData(emulator: Emulator, namespace: string, name: string): Record<string, string> {
  const cm = readConfigMap(emulator, namespace, name);
  if (!cm) throw new Error(`ConfigMap ${namespace}/${name} does not exist`);
  return (cm as unknown as { data?: Record<string, string> }).data ?? {};
}
