// The abstract operations a contract case performs, and the normalised outcome both drivers
// (client-node and kubectl) report, so one table of cases runs through both.

/** Kubernetes JSON as assertions read it (deep optional access); the contract checks the values. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = Record<string, any>;

export interface Ref {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export type Op =
  | ({ op: 'get' } & Ref)
  | {
      op: 'list';
      apiVersion: string;
      kind: string;
      namespace?: string;
      labelSelector?: string;
      fieldSelector?: string;
      chunkSize?: number;
    }
  | { op: 'create'; object: Record<string, unknown>; dryRun?: boolean }
  | { op: 'replace'; object: Record<string, unknown> }
  | { op: 'apply'; objects: Record<string, unknown>[]; dryRun?: boolean }
  | { op: 'applyKustomize'; files: Record<string, string> }
  | ({ op: 'patch'; type: 'merge' | 'json' | 'strategic'; patch: unknown } & Ref)
  | ({ op: 'label' | 'annotate'; key: string; value: string } & Ref)
  | ({ op: 'delete' } & Ref)
  /** `kubectl rollout restart`, then (when waitForRollout) `kubectl rollout status` */
  | ({ op: 'rolloutRestart'; waitForRollout: boolean } & Ref)
  | {
      op: 'watch';
      apiVersion: string;
      kind: string;
      namespace: string;
      resourceVersion?: string;
      then: Op[];
      events: number;
    }
  | { op: 'raw'; method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string; body?: string }
  /** `kubectl apply -f` of ONE file holding a `kind: List` (what `kubectl get -o yaml` prints) */
  | { op: 'applyList'; objects: Record<string, unknown>[] }
  /** `kubectl apply --server-side --field-manager M [--force-conflicts]` */
  | { op: 'serverSideApply'; objects: Record<string, unknown>[]; fieldManager: string; force?: boolean }
  /** `kubectl diff -f`: what would change, from a server-side dry run; nothing is stored */
  | { op: 'diff'; objects: Record<string, unknown>[] }
  /** `kubectl explain <resource.field.path>`, answered from the server's OpenAPI v3 */
  | { op: 'explain'; apiVersion: string; kind: string; field: string[] }
  | ({ op: 'scale'; replicas: number } & Ref)
  /** `kubectl set env <ref> NAME=value` (every container) */
  | ({ op: 'setEnv'; env: Record<string, string> } & Ref);

export interface WatchEventSeen {
  type: string;
  name?: string;
  code?: number;
  reason?: string;
  message?: string;
}

export interface StatusBody {
  kind?: string;
  apiVersion?: string;
  status?: string;
  message?: string;
  reason?: string;
  details?: Record<string, unknown>;
  code?: number;
}

export type Outcome =
  | {
      ok: true;
      object?: Json;
      items?: Json[];
      events?: WatchEventSeen[];
      rolledOut?: boolean;
      /** what kubectl printed (diff, explain), or the client-node driver's equivalent */
      text?: string;
    }
  | {
      ok: false;
      reason: string;
      message: string;
      /** the Status body when the driver can see it (client-node) */ body?: StatusBody;
      /** kubectl's printed error line */ printed?: string;
    };

export interface Driver {
  name: 'client-node' | 'kubectl';
  run(op: Op): Promise<Outcome>;
}
