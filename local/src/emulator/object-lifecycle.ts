// What the apiserver's registry strategies do to an object on create and update: system fields,
// defaults, Secret stringData folding, status-subresource rules, generation rules, validation.
import { randomUUID } from 'node:crypto';
import { ApiError, badRequest, conflict, internalError, invalid, type FieldError } from './status-errors';
import { apiVersionOf, type ResourceType } from './resource-table';
import { clone, isPlainObject, jsonEqual, type JsonMap, type KObject } from './object-types';
import { validateKind, validateMetadata, validateName } from './validation';

export const timestamp = (d = new Date()) => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

function gr(t: ResourceType) {
  return { group: t.group, resource: t.resource };
}

function randomSuffix(n = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** Body checks common to create and update: object shape, apiVersion/kind, namespace. */
export function checkBody(t: ResourceType, body: unknown, urlNamespace: string | undefined): KObject {
  if (!isPlainObject(body))
    throw badRequest(
      `the body of the request was not a JSON object: ${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}`,
    );
  const obj = clone(body) as KObject;
  const expected = apiVersionOf(t);
  if (obj.apiVersion !== undefined && obj.apiVersion !== expected) {
    throw badRequest(
      `the API version in the data (${String(obj.apiVersion)}) does not match the expected API version (${expected})`,
    );
  }
  if (obj.kind !== undefined && obj.kind !== t.kind) {
    throw badRequest(
      `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: the kind in the data (${String(obj.kind)}) does not match the expected kind (${t.kind})`,
    );
  }
  obj.apiVersion = expected;
  obj.kind = t.kind;
  if (obj.metadata === undefined || obj.metadata === null) obj.metadata = {};
  if (!isPlainObject(obj.metadata))
    throw badRequest(
      `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: json: cannot unmarshal ${Array.isArray(obj.metadata) ? 'array' : typeof obj.metadata} into Go struct field ${t.kind}.metadata of type v1.ObjectMeta`,
    );
  for (const f of ['name', 'namespace', 'generateName', 'resourceVersion', 'uid'] as const) {
    const v = obj.metadata[f];
    if (v !== undefined && v !== null && typeof v !== 'string')
      throw badRequest(
        `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: json: cannot unmarshal ${typeof v} into Go struct field ObjectMeta.metadata.${f} of type string`,
      );
  }
  if (t.namespaced) {
    const ns = obj.metadata.namespace;
    if (ns && urlNamespace && ns !== urlNamespace)
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    obj.metadata.namespace = urlNamespace ?? ns ?? 'default';
  } else {
    delete obj.metadata.namespace;
  }
  return obj;
}

function foldSecret(t: ResourceType, obj: KObject): void {
  if (obj.type === undefined || obj.type === '') obj.type = 'Opaque';
  const data = (isPlainObject(obj.data) ? obj.data : {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(data)) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 === 1) {
      throw badRequest(
        `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: illegal base64 data at input byte ${typeof v === 'string' ? Math.max(0, v.search(/[^A-Za-z0-9+/=]/)) : 0} (key ${JSON.stringify(k)})`,
      );
    }
  }
  if (isPlainObject(obj.stringData)) {
    for (const [k, v] of Object.entries(obj.stringData)) data[k] = Buffer.from(String(v)).toString('base64');
  }
  delete obj.stringData;
  if (Object.keys(data).length > 0 || obj.data !== undefined) obj.data = data;
}

function defaultPodSpec(podSpec: JsonMap): void {
  podSpec.restartPolicy ??= 'Always';
  podSpec.terminationGracePeriodSeconds ??= 30;
  podSpec.dnsPolicy ??= 'ClusterFirst';
  podSpec.securityContext ??= {};
  podSpec.schedulerName ??= 'default-scheduler';
  for (const list of ['containers', 'initContainers']) {
    const cs = podSpec[list];
    if (!Array.isArray(cs)) continue;
    for (const c of cs) {
      if (!isPlainObject(c)) continue;
      const image = typeof c.image === 'string' ? c.image : '';
      const tagged = /:[^/]+$/.test(image) || image.includes('@');
      c.imagePullPolicy ??= !tagged || image.endsWith(':latest') ? 'Always' : 'IfNotPresent';
      c.terminationMessagePath ??= '/dev/termination-log';
      c.terminationMessagePolicy ??= 'File';
      c.resources ??= {};
      if (Array.isArray(c.ports)) for (const p of c.ports) if (isPlainObject(p)) p.protocol ??= 'TCP';
    }
  }
}

function defaultWorkload(t: ResourceType, obj: KObject): void {
  const spec = obj.spec;
  if (!isPlainObject(spec)) return;
  if (t.resource === 'deployments') {
    spec.replicas ??= 1;
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    // `strategy: {}` (what kubectl create deployment sends) is defaulted like a missing one
    const strategy = isPlainObject(spec.strategy) ? spec.strategy : (spec.strategy = {});
    strategy.type ||= 'RollingUpdate';
    if (strategy.type === 'RollingUpdate')
      strategy.rollingUpdate = {
        maxUnavailable: '25%',
        maxSurge: '25%',
        ...(isPlainObject(strategy.rollingUpdate) ? strategy.rollingUpdate : {}),
      };
  } else if (t.resource === 'statefulsets') {
    spec.replicas ??= 1;
    spec.podManagementPolicy ??= 'OrderedReady';
    spec.revisionHistoryLimit ??= 10;
    spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { partition: 0 } };
  } else if (t.resource === 'daemonsets') {
    spec.revisionHistoryLimit ??= 10;
    spec.updateStrategy ??= { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } };
  }
  const tmpl = spec.template;
  if (isPlainObject(tmpl)) {
    tmpl.metadata ??= {};
    if (isPlainObject(tmpl.spec)) defaultPodSpec(tmpl.spec);
  }
}

let nextClusterIp = 1;
function defaultService(obj: KObject, previous: KObject | undefined): void {
  const spec = (obj.spec ??= {}) as JsonMap;
  if (!isPlainObject(spec)) return;
  spec.type ??= 'ClusterIP';
  spec.sessionAffinity ??= 'None';
  const prevSpec = previous && isPlainObject(previous.spec) ? previous.spec : {};
  if (spec.type !== 'ExternalName') {
    if (spec.clusterIP === undefined || spec.clusterIP === '') {
      const n = nextClusterIp++;
      spec.clusterIP =
        typeof prevSpec.clusterIP === 'string' ? prevSpec.clusterIP : `10.96.${(n >> 8) & 255}.${n & 255 || 1}`;
    }
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
  }
  if (Array.isArray(spec.ports)) {
    for (const p of spec.ports)
      if (isPlainObject(p)) {
        p.protocol ??= 'TCP';
        p.targetPort ??= p.port;
      }
  }
  obj.status ??= { loadBalancer: {} };
}

/** batch/v1 CronJob defaults (SetDefaults_CronJob, 1.26) and its Job template's pod spec defaults. */
function defaultCronJob(obj: KObject): void {
  const spec = obj.spec;
  if (!isPlainObject(spec)) return;
  spec.concurrencyPolicy ??= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jobSpec = isPlainObject(spec.jobTemplate) ? spec.jobTemplate.spec : undefined;
  const tmpl = isPlainObject(jobSpec) ? jobSpec.template : undefined;
  if (isPlainObject(tmpl)) {
    tmpl.metadata ??= {};
    if (isPlainObject(tmpl.spec)) defaultPodSpec(tmpl.spec);
  }
}

function applyDefaults(t: ResourceType, obj: KObject, previous: KObject | undefined): void {
  if (t.group === '' && t.resource === 'secrets') foldSecret(t, obj);
  if (t.group === 'apps') defaultWorkload(t, obj);
  if (t.group === 'batch' && t.resource === 'cronjobs') defaultCronJob(obj);
  if (t.group === '' && t.resource === 'services') defaultService(obj, previous);
  if (t.group === '' && t.resource === 'namespaces') {
    obj.metadata.labels = { ...(obj.metadata.labels ?? {}), 'kubernetes.io/metadata.name': obj.metadata.name! };
    obj.spec = { finalizers: ['kubernetes'], ...(isPlainObject(obj.spec) ? obj.spec : {}) };
    if (!previous) obj.status = { phase: 'Active' };
  }
}

function validate(t: ResourceType, obj: KObject): void {
  const name = obj.metadata.name ?? '';
  const errs: FieldError[] = [];
  if (!name)
    errs.push({
      type: 'FieldValueRequired',
      field: 'metadata.name',
      detail: 'Required value: name or generateName is required',
    });
  else errs.push(...validateName(t, name));
  errs.push(...validateMetadata(obj));
  errs.push(...validateKind(t, obj));
  if (errs.length) throw invalid({ group: t.group, kind: t.kind }, name, errs);
}

/** A new object as the apiserver would store it, minus resourceVersion (the store assigns it). */
export function prepareCreate(
  t: ResourceType,
  body: unknown,
  urlNamespace: string | undefined,
  keepStatus = false,
): KObject {
  const obj = checkBody(t, body, urlNamespace);
  const m = obj.metadata;
  if (m.resourceVersion) throw internalError('resourceVersion should not be set on objects to be created');
  if (!m.name && m.generateName) m.name = `${m.generateName}${randomSuffix()}`;
  if (t.statusSubresource && !keepStatus && t.resource !== 'services') delete obj.status;
  applyDefaults(t, obj, undefined);
  validate(t, obj);
  m.uid = randomUUID();
  m.creationTimestamp = timestamp();
  if (t.generation !== 'none') m.generation = 1;
  else delete m.generation;
  delete m.deletionTimestamp;
  delete m.selfLink;
  return obj;
}

function generationChanged(t: ResourceType, next: KObject, prev: KObject): boolean {
  switch (t.generation) {
    case 'none':
      return false;
    case 'spec':
      return !jsonEqual(next.spec, prev.spec);
    case 'spec-or-annotations':
      return (
        !jsonEqual(next.spec, prev.spec) || !jsonEqual(next.metadata.annotations ?? {}, prev.metadata.annotations ?? {})
      );
    case 'non-metadata': {
      const strip = (o: KObject) => {
        const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
        return rest;
      };
      return !jsonEqual(strip(next), strip(prev));
    }
  }
}

/**
 * The object an update (PUT, or PATCH after applying the patch) would store. A resourceVersion in
 * the body is a precondition: a mismatch is 409 Conflict, whatever verb carried it.
 */
export function prepareUpdate(
  t: ResourceType,
  body: unknown,
  existing: KObject,
  urlNamespace: string | undefined,
  urlName: string,
  subresource?: string,
): KObject {
  const incoming = checkBody(t, body, urlNamespace);
  const m = incoming.metadata;
  if (m.name !== undefined && m.name !== urlName)
    throw badRequest(`the name of the object (${String(m.name)}) does not match the name on the URL (${urlName})`);
  m.name = urlName;
  if (m.resourceVersion && m.resourceVersion !== existing.metadata.resourceVersion) throw conflict(gr(t), urlName);
  if (m.uid && m.uid !== existing.metadata.uid) {
    throw conflict(
      gr(t),
      urlName,
      `Precondition failed: UID in precondition: ${String(m.uid)}, UID in object meta: ${existing.metadata.uid}`,
    );
  }
  let next: KObject;
  if (subresource === 'status') {
    // /status writes only status; everything else stays as stored
    next = clone(existing);
    if (incoming.status === undefined) delete next.status;
    else next.status = incoming.status;
  } else {
    next = incoming;
    if (t.statusSubresource) {
      if (existing.status === undefined) delete next.status;
      else next.status = clone(existing.status);
    }
    applyDefaults(t, next, existing);
    validate(t, next);
  }
  next.metadata.uid = existing.metadata.uid;
  next.metadata.creationTimestamp = existing.metadata.creationTimestamp;
  next.metadata.namespace = existing.metadata.namespace;
  if (existing.metadata.namespace === undefined) delete next.metadata.namespace;
  if (existing.metadata.deletionTimestamp) next.metadata.deletionTimestamp = existing.metadata.deletionTimestamp;
  else delete next.metadata.deletionTimestamp;
  if (t.generation === 'none') delete next.metadata.generation;
  else
    next.metadata.generation =
      (existing.metadata.generation ?? 1) + (subresource !== 'status' && generationChanged(t, next, existing) ? 1 : 0);
  next.metadata.resourceVersion = existing.metadata.resourceVersion;
  return next;
}

const META_ORDER = [
  'name',
  'generateName',
  'namespace',
  'selfLink',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'labels',
  'annotations',
  'ownerReferences',
  'finalizers',
  'managedFields',
];

/** Field order as the apiserver serializes (apiVersion, kind, metadata first; metadata by ObjectMeta order). */
export function canonicalOrder(obj: KObject): KObject {
  const meta: Record<string, unknown> = {};
  for (const k of META_ORDER) if (obj.metadata[k] !== undefined) meta[k] = obj.metadata[k];
  for (const [k, v] of Object.entries(obj.metadata)) if (!(k in meta) && v !== undefined) meta[k] = v;
  const { apiVersion, kind, metadata: _m, ...rest } = obj;
  return { apiVersion, kind, metadata: meta, ...rest };
}

/** The apiserver skips the write (no new resourceVersion, no watch event) when nothing changed. */
export function isNoop(next: KObject, existing: KObject): boolean {
  return jsonEqual(next, existing);
}

export { ApiError };
