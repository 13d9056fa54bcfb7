// The two API servers the contract table runs against: the emulator (a fresh one per case) and a
// real kube-apiserver from the envtest harness (a fresh namespace pair per case). A case reads
// the server only through these (HTTP), so its expectations hold for both.
import { KubeConfig } from '@kubernetes/client-node';
import type { Emulator, RequestRecord } from '../../../src/emulator/index';
import type { Json } from './operations';
import { rawRequest, resourcePath } from './raw-request';

export interface Target {
  name: 'emulator' | 'kube-apiserver';
  kubeconfigPath: string;
  /** the case's namespace and a second one ('demo' and 'other' on the emulator) */
  ns: string;
  other: string;
  /**
   * The emulator plays the controllers (workload status catches up, Knative Serving's status);
   * the real tier runs kube-controller-manager but no kubelet and no Knative: pods never become
   * ready, a Knative Service gets no status. One of the deliberate differences in local/README.md.
   */
  simulatesControllers: boolean;
  /** GET one object (undefined on 404) */
  read(apiVersion: string, kind: string, name: string, namespace?: string): Promise<Json | undefined>;
  list(apiVersion: string, kind: string, namespace?: string): Promise<Json[]>;
  /** the emulator's request log (a test hook; a real apiserver shows no such thing) */
  requests?(): RequestRecord[];
  /** the real apiserver's controllers act asynchronously: poll until `fn` gives a value */
  eventually<T>(fn: () => Promise<T | undefined>, timeoutMs?: number): Promise<T | undefined>;
}

/**
 * ConfigMaps a real control plane puts in every namespace: `kube-root-ca.crt` (the root-CA
 * publisher of kube-controller-manager, which the emulator does not run: a deliberate difference)
 * and `openshift-service-ca.crt` (the trace of the OpenShift-built apiserver in shared/envtest).
 * Lists and watches leave them out before comparing.
 */
export const SYSTEM_CONFIGMAPS = new Set(['kube-root-ca.crt', 'openshift-service-ca.crt']);

export function makeReaders(kubeconfigPath: string): Pick<Target, 'read' | 'list' | 'eventually'> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  return {
    async read(apiVersion, kind, name, namespace) {
      const r = await rawRequest(kc, 'GET', resourcePath(apiVersion, kind, namespace, name));
      if (r.status === 404) return undefined;
      if (r.status !== 200) throw new Error(`GET ${kind} ${name}: ${r.status} ${r.text}`);
      return JSON.parse(r.text) as Json;
    },
    async list(apiVersion, kind, namespace) {
      const r = await rawRequest(kc, 'GET', resourcePath(apiVersion, kind, namespace));
      if (r.status !== 200) throw new Error(`LIST ${kind}: ${r.status} ${r.text}`);
      return ((JSON.parse(r.text) as Json).items as Json[]).filter(
        (o) => kind !== 'ConfigMap' || !SYSTEM_CONFIGMAPS.has(o.metadata.name as string),
      );
    },
    async eventually(fn, timeoutMs = 30_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const v = await fn();
        if (v !== undefined || Date.now() > end) return v;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
  };
}

export function emulatorTarget(emu: Emulator): Target {
  return {
    name: 'emulator',
    kubeconfigPath: emu.kubeconfigPath,
    ns: 'demo',
    other: 'other',
    simulatesControllers: true,
    requests: () => emu.requests(),
    ...makeReaders(emu.kubeconfigPath),
  };
}
