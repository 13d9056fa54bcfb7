// What the controllers would write into status once a rollout finishes: enough for
// `kubectl rollout status` and Knative readiness checks. Pure functions of the object.
import { isPlainObject, type JsonMap, type KObject } from './object-types';
import type { ResourceType } from './resource-table';
import { createHash } from 'node:crypto';

const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function replicasOf(obj: KObject): number {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  return typeof spec.replicas === 'number' ? spec.replicas : 1;
}

/** pod-template-hash-like suffix so ReplicaSet names in messages look real */
function templateHash(obj: KObject): string {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  return createHash('sha256')
    .update(JSON.stringify(spec.template ?? {}))
    .digest('hex')
    .slice(0, 10)
    .replace(/[0-9]/g, (d) => 'bcdfghjklm'[Number(d)]!);
}

function condition(
  type: string,
  status: string,
  reason: string,
  message: string,
  previous: unknown[] | undefined,
  withUpdate = true,
): JsonMap {
  const old = (previous ?? []).find((c) => isPlainObject(c) && c.type === type) as JsonMap | undefined;
  const t = now();
  const c: JsonMap = { type, status };
  if (withUpdate) c.lastUpdateTime = old && old.status === status && old.reason === reason ? old.lastUpdateTime : t;
  c.lastTransitionTime = old && old.status === status ? old.lastTransitionTime : t;
  c.reason = reason;
  c.message = message;
  return c;
}

function deploymentStatus(obj: KObject, prevStatus: JsonMap): JsonMap {
  const r = replicasOf(obj);
  const prevConds = Array.isArray(prevStatus.conditions) ? prevStatus.conditions : undefined;
  const s: JsonMap = { observedGeneration: obj.metadata.generation ?? 1 };
  if (r > 0) Object.assign(s, { replicas: r, updatedReplicas: r, readyReplicas: r, availableReplicas: r });
  s.conditions = [
    condition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', prevConds),
    condition(
      'Progressing',
      'True',
      'NewReplicaSetAvailable',
      `ReplicaSet "${obj.metadata.name}-${templateHash(obj)}" has successfully progressed.`,
      prevConds,
    ),
  ];
  return s;
}

function statefulSetStatus(obj: KObject): JsonMap {
  const r = replicasOf(obj);
  const rev = `${obj.metadata.name}-${templateHash(obj)}`;
  return {
    observedGeneration: obj.metadata.generation ?? 1,
    replicas: r,
    readyReplicas: r,
    currentReplicas: r,
    updatedReplicas: r,
    availableReplicas: r,
    currentRevision: rev,
    updateRevision: rev,
    collisionCount: 0,
  };
}

function daemonSetStatus(obj: KObject): JsonMap {
  // one emulated node
  return {
    observedGeneration: obj.metadata.generation ?? 1,
    currentNumberScheduled: 1,
    desiredNumberScheduled: 1,
    numberAvailable: 1,
    numberMisscheduled: 0,
    numberReady: 1,
    updatedNumberScheduled: 1,
  };
}

export function knativeRevisionName(name: string, n: number): string {
  return `${name}-${String(n).padStart(5, '0')}`;
}

function knativeServiceStatus(obj: KObject, previous: KObject | undefined, prevStatus: JsonMap): JsonMap {
  const name = obj.metadata.name!;
  const ns = obj.metadata.namespace ?? 'default';
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const prevSpec = previous && isPlainObject(previous.spec) ? previous.spec : undefined;
  const prevCreated =
    typeof prevStatus.latestCreatedRevisionName === 'string' ? prevStatus.latestCreatedRevisionName : undefined;
  const prevN = prevCreated ? Number(/-(\d+)$/.exec(prevCreated)?.[1] ?? 0) : 0;
  const templateChanged =
    !prevSpec || JSON.stringify(prevSpec.template ?? null) !== JSON.stringify(spec.template ?? null);
  const tmplMeta = isPlainObject(spec.template) && isPlainObject(spec.template.metadata) ? spec.template.metadata : {};
  const n = templateChanged || !prevCreated ? prevN + 1 : prevN;
  const revision = typeof tmplMeta.name === 'string' && tmplMeta.name ? tmplMeta.name : knativeRevisionName(name, n);
  const clusterLocal = obj.metadata.labels?.['networking.knative.dev/visibility'] === 'cluster-local';
  const internal = `http://${name}.${ns}.svc.cluster.local`;
  const prevConds = Array.isArray(prevStatus.conditions) ? prevStatus.conditions : undefined;
  return {
    observedGeneration: obj.metadata.generation ?? 1,
    conditions: ['ConfigurationsReady', 'Ready', 'RoutesReady']
      .map((type) => condition(type, 'True', '', '', prevConds, false))
      .map((c) => {
        delete c.reason;
        delete c.message;
        return c;
      }),
    latestCreatedRevisionName: revision,
    latestReadyRevisionName: revision,
    url: clusterLocal ? internal : `http://${name}.${ns}.example.com`,
    address: { url: internal },
    traffic: [{ revisionName: revision, latestRevision: true, percent: 100 }],
  };
}

/** The status a finished rollout would show, or undefined for kinds nobody reconciles here. */
export function settledStatus(t: ResourceType, obj: KObject, previous: KObject | undefined): JsonMap | undefined {
  const prevStatus = previous && isPlainObject(previous.status) ? previous.status : {};
  if (t.group === 'apps' && t.resource === 'deployments') return deploymentStatus(obj, prevStatus);
  if (t.group === 'apps' && t.resource === 'statefulsets') return statefulSetStatus(obj);
  if (t.group === 'apps' && t.resource === 'daemonsets') return daemonSetStatus(obj);
  if (t.group === 'serving.knative.dev' && t.resource === 'services')
    return knativeServiceStatus(obj, previous, prevStatus);
  return undefined;
}
