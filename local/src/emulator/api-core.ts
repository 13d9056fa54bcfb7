// The emulated apiserver without HTTP: verbs over the generic store, driven by the resource table.
// Every failure is an ApiError carrying the exact Status the apiserver would answer.
import { ObjectStore, type StoreEvent } from './object-store';
import { apiVersionOf, findResource, RESOURCE_TABLE, storageKey, type ResourceType } from './resource-table';
import {
  ApiError,
  badRequest,
  conflict,
  expired,
  forbidden,
  invalid,
  notFound,
  alreadyExists,
  successStatus,
  unsupportedMediaType,
  type Status,
} from './status-errors';
import { canonicalOrder, checkBody, isNoop, prepareCreate, prepareUpdate, timestamp } from './object-lifecycle';
import { clone, isPlainObject, type KObject } from './object-types';
import {
  matchesFields,
  matchesLabels,
  namespaceFromFields,
  parseFieldSelector,
  parseLabelSelector,
  type FieldRequirement,
  type LabelSelector,
} from './selectors';
import { applyPatch, type PatchType } from './patches';
import { PatchError } from './strategic-merge';
import { settledStatus } from './workload-status';
import { eventFromCore, eventToCore, isEventsV1 } from './event-versions';
import { keepTimes, recordUpdate, type ManagedFieldsEntry } from './managed-fields';
import { serverSideApply } from './server-side-apply';

/** who writes (the field manager); undefined = a test seed, which records no managedFields */
export interface WriteOptions {
  manager?: string;
}

type FieldsFor = (stored: KObject) => ManagedFieldsEntry[] | undefined;

function toScale(o: KObject): KObject {
  const spec = isPlainObject(o.spec) ? o.spec : {};
  const status = isPlainObject(o.status) ? o.status : {};
  const matchLabels =
    isPlainObject(spec.selector) && isPlainObject(spec.selector.matchLabels) ? spec.selector.matchLabels : {};
  const { name, namespace, uid, resourceVersion, creationTimestamp } = o.metadata;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name, namespace, uid, resourceVersion, creationTimestamp },
    spec: { replicas: typeof spec.replicas === 'number' ? spec.replicas : 1 },
    status: {
      replicas: typeof status.replicas === 'number' ? status.replicas : 0,
      selector: Object.entries(matchLabels)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(','),
    },
  };
}

export type WorkloadStatusMode = 'immediate' | 'external';

export interface CoreOptions {
  workloadStatus?: WorkloadStatusMode;
  /** pods go Terminating on DELETE and leave once deleted with gracePeriodSeconds=0 (a kubelet runs them) */
  gracefulPodDeletion?: boolean;
  historyLimit?: number;
}

export type Query = URLSearchParams;

export interface WatchEventOut {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: KObject | Status;
}

export interface WatchHandle {
  stop(): void;
}

const PROTECTED_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const NAMESPACES = findResource('', 'v1', 'namespaces')!;

/** The shape an object is stored in (only events.k8s.io Events differ from what was sent). */
function toStored(t: ResourceType, obj: KObject): KObject {
  return isEventsV1(t) ? eventToCore(obj) : obj;
}

function gr(t: ResourceType) {
  return { group: t.group, resource: t.resource };
}

/** Serve a stored object in the version the request asked for (versions share storage). */
export function present(t: ResourceType, obj: KObject): KObject {
  if (isEventsV1(t)) return eventFromCore(obj);
  const apiVersion = apiVersionOf(t);
  return obj.apiVersion === apiVersion ? obj : { ...obj, apiVersion };
}

interface ContinueToken {
  rv: number;
  start: string; // "<namespace>/<name>" of the last item returned
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64');
}

function decodeContinue(raw: string): ContinueToken {
  try {
    const parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8')) as { rv?: unknown; start?: unknown };
    if (typeof parsed.rv === 'number' && typeof parsed.start === 'string')
      return { rv: parsed.rv, start: parsed.start };
  } catch {
    // fall through
  }
  throw badRequest(`continue key is not valid: invalid continue token`);
}

const objectKey = (o: KObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function isDryRun(q: Query): boolean {
  return q.getAll('dryRun').some((v) => v === 'All');
}

export class ApiCore {
  readonly store: ObjectStore;
  readonly workloadStatus: WorkloadStatusMode;
  readonly gracefulPodDeletion: boolean;

  constructor(opts: CoreOptions = {}) {
    this.store = new ObjectStore(opts.historyLimit);
    this.workloadStatus = opts.workloadStatus ?? 'immediate';
    this.gracefulPodDeletion = opts.gracefulPodDeletion ?? false;
    for (const name of ['default', 'kube-system', 'kube-public'])
      this.create(NAMESPACES, undefined, { metadata: { name } }, false);
  }

  get(t: ResourceType, ns: string | undefined, name: string): KObject {
    const obj = this.store.get(storageKey(t), t.namespaced ? (ns ?? '') : '', name);
    if (!obj) throw notFound(gr(t), name);
    return present(t, obj);
  }

  private selectors(t: ResourceType, q: Query): { labels: LabelSelector; fields: FieldRequirement[] } {
    return {
      labels: parseLabelSelector(q.get('labelSelector') ?? undefined),
      fields: parseFieldSelector(q.get('fieldSelector') ?? undefined, t.kind, t.group),
    };
  }

  list(t: ResourceType, ns: string | undefined, q: Query): KObject {
    const { labels, fields } = this.selectors(t, q);
    const limitRaw = q.get('limit');
    const limit = limitRaw ? Number(limitRaw) : 0;
    if (limitRaw && (!Number.isInteger(limit) || limit < 0))
      throw badRequest(`limit: Invalid value: "${limitRaw}": must be a non-negative integer`);
    const cont = q.get('continue');
    let listRv = this.store.currentRv();
    let start: string | undefined;
    if (cont) {
      const token = decodeContinue(cont);
      if (token.rv < this.store.oldestWatchableRv()) {
        throw expired(
          'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. ' +
            'Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
        );
      }
      listRv = token.rv;
      start = token.start;
    }
    const scope = t.namespaced ? (ns ?? namespaceFromFields(fields)) : undefined;
    const all = this.store.list(storageKey(t), scope);
    const items: KObject[] = [];
    let more = false;
    let remaining = 0;
    for (const o of all) {
      if (start !== undefined && objectKey(o) <= start) continue;
      if (!matchesLabels(labels, o.metadata.labels) || !matchesFields(fields, o)) continue;
      if (limit > 0 && items.length >= limit) {
        more = true;
        remaining++;
        continue;
      }
      items.push(present(t, o));
    }
    const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
    if (more) {
      metadata.continue = encodeContinue({ rv: listRv, start: objectKey(items[items.length - 1]!) });
      if (labels.length === 0 && fields.length === 0) metadata.remainingItemCount = remaining;
    }
    return { apiVersion: apiVersionOf(t), kind: `${t.kind}List`, metadata, items };
  }

  private requireNamespace(t: ResourceType, ns: string | undefined): void {
    if (!t.namespaced || !ns) return;
    if (!this.store.get(storageKey(NAMESPACES), '', ns)) throw notFound(gr(NAMESPACES), ns);
  }

  private settle(t: ResourceType, obj: KObject, previous: KObject | undefined): void {
    if (this.workloadStatus !== 'immediate') return;
    const status = settledStatus(t, obj, previous);
    if (status) obj.status = status;
  }

  create(
    t: ResourceType,
    ns: string | undefined,
    body: unknown,
    dryRun: boolean,
    opts: { keepStatus?: boolean; fields?: FieldsFor } & WriteOptions = {},
  ): KObject {
    let obj = prepareCreate(t, body, ns, opts.keepStatus);
    const namespace = t.namespaced ? obj.metadata.namespace! : '';
    this.requireNamespace(t, namespace || undefined);
    const key = storageKey(t);
    if (this.store.get(key, namespace, obj.metadata.name!)) throw alreadyExists(gr(t), obj.metadata.name!);
    if (!opts.keepStatus || obj.status === undefined) this.settle(t, obj, undefined);
    delete obj.metadata.managedFields;
    const fields =
      opts.fields ??
      (opts.manager !== undefined
        ? (o: KObject) => recordUpdate(t, undefined, o, opts.manager!, timestamp())
        : undefined);
    const managed = fields?.(obj);
    if (managed) obj.metadata.managedFields = managed;
    if (!dryRun) obj.metadata.resourceVersion = String(this.store.nextRv());
    obj = canonicalOrder(toStored(t, obj));
    if (dryRun) return present(t, obj);
    this.store.put(key, obj, 'ADDED');
    return present(t, obj);
  }

  private write(
    t: ResourceType,
    given: KObject,
    existing: KObject,
    dryRun: boolean,
    subresource?: string,
    opts: { fields?: FieldsFor } & WriteOptions = {},
  ): KObject {
    const prepared = toStored(t, given);
    if (subresource !== 'status') this.settle(t, prepared, existing);
    // managedFields are the server's record: what a client sends there is not taken. A write that
    // changes only who manages what is still a write; one that changes nothing at all is not.
    if (existing.metadata.managedFields === undefined) delete prepared.metadata.managedFields;
    else prepared.metadata.managedFields = existing.metadata.managedFields;
    const fields =
      opts.fields ??
      (opts.manager !== undefined
        ? (o: KObject) => recordUpdate(t, existing, o, opts.manager!, timestamp(), subresource)
        : undefined);
    if (fields) {
      const managed = keepTimes(fields(prepared), existing.metadata.managedFields);
      if (managed) prepared.metadata.managedFields = managed;
      else delete prepared.metadata.managedFields;
    }
    if (isNoop(prepared, existing)) return present(t, existing);
    const next = canonicalOrder(prepared);
    if (dryRun) return present(t, next);
    next.metadata.resourceVersion = String(this.store.nextRv());
    this.store.put(storageKey(t), next, 'MODIFIED', existing);
    return present(t, next);
  }

  private existing(t: ResourceType, ns: string | undefined, name: string): KObject {
    const obj = this.store.get(storageKey(t), t.namespaced ? (ns ?? '') : '', name);
    if (!obj) throw notFound(gr(t), name);
    return obj;
  }

  update(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    body: unknown,
    dryRun: boolean,
    subresource?: string,
    opts: WriteOptions = {},
  ): KObject {
    const existing = this.existing(t, ns, name);
    const next = prepareUpdate(t, body, existing, ns, name, subresource);
    return this.write(t, next, existing, dryRun, subresource, opts);
  }

  /**
   * Server-side apply: merge the applied configuration for `manager` (conflicts are 409 unless
   * forced); creates the object when it does not exist (`created` tells the caller to answer 201).
   */
  apply(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    body: unknown,
    opts: { manager: string; force: boolean; dryRun: boolean },
  ): { object: KObject; created: boolean } {
    const checked = checkBody(t, body, ns);
    if (checked.metadata.name !== undefined && checked.metadata.name !== name)
      throw badRequest(
        `the name of the object (${String(checked.metadata.name)}) does not match the name on the URL (${name})`,
      );
    const existing = this.store.get(storageKey(t), t.namespaced ? (ns ?? '') : '', name);
    const applied = (isPlainObject(body) ? clone(body) : {}) as KObject;
    const result = serverSideApply(t, existing, applied, opts.manager, opts.force, timestamp());
    if (!existing) {
      const merged = { ...result.merged, metadata: { ...result.merged.metadata, name } };
      return { object: this.create(t, ns, merged, opts.dryRun, { fields: result.managedFields }), created: true };
    }
    const next = prepareUpdate(t, result.merged, existing, ns, name);
    return {
      object: this.write(t, next, existing, opts.dryRun, undefined, { fields: result.managedFields }),
      created: false,
    };
  }

  patch(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    type: PatchType,
    patch: unknown,
    dryRun: boolean,
    subresource?: string,
    opts: WriteOptions = {},
  ): KObject {
    if (type === 'strategic' && t.custom) {
      throw unsupportedMediaType([
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
      ]);
    }
    const existing = this.existing(t, ns, name);
    let patched: unknown;
    try {
      patched = applyPatch(type, present(t, existing), patch);
    } catch (e) {
      if (e instanceof PatchError) {
        if (e.code === 422) {
          throw new ApiError({
            kind: 'Status',
            apiVersion: 'v1',
            metadata: {},
            status: 'Failure',
            message: `the server rejected our request due to an error in our request`,
            reason: 'Invalid',
            details: { causes: [{ reason: 'UnexpectedServerResponse', message: e.message }] },
            code: 422,
          });
        }
        throw badRequest(e.message);
      }
      throw e;
    }
    if (
      isPlainObject(patched) &&
      isPlainObject(patched.metadata) &&
      patched.metadata.resourceVersion !== undefined &&
      typeof patched.metadata.resourceVersion !== 'string'
    ) {
      throw badRequest(
        `${t.kind} in version "${t.version}" cannot be handled as a ${t.kind}: json: cannot ` +
          `unmarshal number into Go struct field ObjectMeta.metadata.resourceVersion of type string`,
      );
    }
    const next = prepareUpdate(t, patched, existing, ns, name, subresource);
    return this.write(t, next, existing, dryRun, subresource, opts);
  }

  /** GET /scale: the autoscaling/v1 Scale view of a Deployment or StatefulSet */
  getScale(t: ResourceType, ns: string | undefined, name: string): KObject {
    return toScale(this.existing(t, ns, name));
  }

  /** PUT or PATCH /scale: changes spec.replicas only (a resourceVersion in the body is a precondition) */
  writeScale(
    t: ResourceType,
    ns: string | undefined,
    name: string,
    change: { body: unknown } | { type: PatchType; patch: unknown },
    dryRun: boolean,
    opts: WriteOptions = {},
  ): KObject {
    const existing = this.existing(t, ns, name);
    let scale: unknown;
    if ('body' in change) scale = change.body;
    else {
      try {
        scale = applyPatch(change.type, toScale(existing), change.patch);
      } catch (e) {
        throw e instanceof PatchError ? badRequest(e.message) : e;
      }
    }
    const s = isPlainObject(scale) ? scale : {};
    const meta = isPlainObject(s.metadata) ? s.metadata : {};
    const replicas = isPlainObject(s.spec) ? s.spec.replicas : undefined;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid({ group: 'autoscaling', kind: 'Scale' }, name, [
        {
          type: 'FieldValueInvalid',
          field: 'spec.replicas',
          detail: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0`,
        },
      ]);
    }
    if (
      typeof meta.resourceVersion === 'string' &&
      meta.resourceVersion &&
      meta.resourceVersion !== existing.metadata.resourceVersion
    )
      throw conflict(gr(t), name);
    const next = clone(existing);
    (next.spec as Record<string, unknown>).replicas = replicas;
    const prepared = prepareUpdate(t, next, existing, ns, name);
    return toScale(this.write(t, prepared, existing, dryRun, undefined, opts));
  }

  delete(t: ResourceType, ns: string | undefined, name: string, options: unknown, dryRun: boolean): KObject | Status {
    const existing = this.existing(t, ns, name);
    const pre = isPlainObject(options) && isPlainObject(options.preconditions) ? options.preconditions : {};
    if (typeof pre.resourceVersion === 'string' && pre.resourceVersion !== existing.metadata.resourceVersion) {
      throw conflict(
        gr(t),
        name,
        `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ` +
          `ResourceVersion in object meta: ${existing.metadata.resourceVersion}`,
      );
    }
    if (typeof pre.uid === 'string' && pre.uid !== existing.metadata.uid) {
      throw conflict(
        gr(t),
        name,
        `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${existing.metadata.uid}`,
      );
    }
    const isNamespace = t === NAMESPACES || (t.group === '' && t.resource === 'namespaces');
    if (isNamespace && PROTECTED_NAMESPACES.has(name))
      throw forbidden(gr(t), name, 'this namespace may not be deleted');
    const graceful = this.gracefulDeletion(t, existing, options, dryRun);
    if (graceful) return graceful;
    const final = clone(existing);
    // Only a namespace is deleted gracefully (its finalizer); anything else without finalizers is
    // removed at once, and the apiserver's DELETED event and answer carry no deletionTimestamp (seen
    // on a real kube-apiserver: test/real-tier/emulated-source-vs-real.test.ts).
    if (isNamespace) {
      final.metadata.deletionTimestamp = timestamp();
      final.status = { phase: 'Terminating' };
    }
    if (dryRun) return isNamespace || t.custom ? present(t, final) : successStatus(gr(t), name, existing.metadata.uid!);
    if (isNamespace) this.deleteNamespaceContents(name);
    final.metadata.resourceVersion = String(this.store.nextRv());
    this.store.remove(storageKey(t), t.namespaced ? (ns ?? '') : '', name, final);
    return isNamespace || t.custom ? present(t, final) : successStatus(gr(t), name, existing.metadata.uid!);
  }

  /**
   * A pod's first DELETE only marks it (deletionTimestamp + grace period, a MODIFIED event): the
   * kubelet stops its containers, then deletes it with gracePeriodSeconds=0. Undefined = delete now.
   */
  private gracefulDeletion(t: ResourceType, existing: KObject, options: unknown, dryRun: boolean): KObject | undefined {
    if (!this.gracefulPodDeletion || t.group !== '' || t.resource !== 'pods') return undefined;
    const requested = isPlainObject(options) ? options.gracePeriodSeconds : undefined;
    const spec = isPlainObject(existing.spec) ? existing.spec : {};
    const grace =
      typeof requested === 'number'
        ? requested
        : typeof spec.terminationGracePeriodSeconds === 'number'
          ? spec.terminationGracePeriodSeconds
          : 30;
    if (grace <= 0) return undefined;
    if (existing.metadata.deletionTimestamp) return present(t, existing);
    const marked = clone(existing);
    marked.metadata.deletionTimestamp = new Date(Date.now() + grace * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    marked.metadata.deletionGracePeriodSeconds = grace;
    if (dryRun) return present(t, marked);
    return present(t, this.write(t, marked, existing, false));
  }

  /** What the namespace controller does after a namespace is deleted, done at once. */
  private deleteNamespaceContents(ns: string): void {
    const seen = new Set<string>();
    for (const t of RESOURCE_TABLE) {
      const key = storageKey(t);
      if (!t.namespaced || seen.has(key)) continue;
      seen.add(key);
      for (const o of this.store.list(key, ns)) {
        const final = clone(o);
        final.metadata.resourceVersion = String(this.store.nextRv());
        this.store.remove(key, ns, o.metadata.name!, final);
      }
    }
  }

  deleteCollection(t: ResourceType, ns: string | undefined, q: Query, dryRun: boolean): KObject {
    const listed = this.list(
      t,
      ns,
      new URLSearchParams([...q.entries()].filter(([k]) => k === 'labelSelector' || k === 'fieldSelector')),
    );
    const items = (listed as unknown as { items: KObject[] }).items;
    const deleted: KObject[] = [];
    for (const o of items) {
      if (t.group === '' && t.resource === 'namespaces' && PROTECTED_NAMESPACES.has(o.metadata.name!)) continue;
      const r = this.delete(t, o.metadata.namespace, o.metadata.name!, undefined, dryRun);
      deleted.push((r as KObject).metadata ? (r as KObject) : o);
    }
    return {
      apiVersion: apiVersionOf(t),
      kind: `${t.kind}List`,
      metadata: { resourceVersion: String(this.store.currentRv()) },
      items: deleted,
    };
  }

  /**
   * Start a watch. Events before it returns (initial ADDED, replayed history) are delivered
   * synchronously through send; a too-old resourceVersion yields one ERROR event with a 410 Status
   * (what the apiserver's watch cache sends) and the watch ends.
   */
  watch(
    t: ResourceType,
    ns: string | undefined,
    q: Query,
    send: (e: WatchEventOut) => void,
    end: () => void,
    opts: { bookmarkIntervalMs?: number } = {},
  ): WatchHandle {
    const { labels, fields } = this.selectors(t, q);
    const key = storageKey(t);
    const scope = t.namespaced ? (ns ?? namespaceFromFields(fields)) : undefined;
    const rvParam = q.get('resourceVersion') ?? '';
    const bookmarks = q.get('allowWatchBookmarks') === 'true' || q.get('allowWatchBookmarks') === '1';
    const sendInitial = q.get('sendInitialEvents') === 'true';
    if (rvParam !== '' && !/^\d+$/.test(rvParam))
      throw badRequest(`resourceVersion: Invalid value: "${rvParam}": must be a non-negative integer`);
    const matches = (o: KObject | undefined) =>
      o !== undefined &&
      (scope === undefined || (o.metadata.namespace ?? '') === scope) &&
      matchesLabels(labels, o.metadata.labels) &&
      matchesFields(fields, o);
    let lastRv = this.store.currentRv();
    const deliver = (e: StoreEvent) => {
      if (e.key !== key) return;
      const now = matches(e.object);
      const before = e.type === 'MODIFIED' ? matches(e.previous) : now;
      lastRv = e.rv;
      if (e.type === 'MODIFIED') {
        if (now && before) send({ type: 'MODIFIED', object: present(t, e.object) });
        else if (now) send({ type: 'ADDED', object: present(t, e.object) });
        // The apiserver's watch cache sends the object as it was while it still matched, stamped with
        // the new resourceVersion (recorded: scenario 08, the label is still on the deleted object).
        else if (before && e.previous)
          send({
            type: 'DELETED',
            object: present(t, {
              ...e.previous,
              metadata: { ...e.previous.metadata, resourceVersion: e.object.metadata.resourceVersion },
            }),
          });
        return;
      }
      if (now) send({ type: e.type, object: present(t, e.object) });
    };
    const bookmark = (initialEnd = false) => {
      const metadata: Record<string, unknown> = { resourceVersion: String(lastRv) };
      if (initialEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
      send({ type: 'BOOKMARK', object: { apiVersion: apiVersionOf(t), kind: t.kind, metadata } });
    };
    if (rvParam === '' || rvParam === '0' || sendInitial) {
      for (const o of this.store.list(key, scope)) if (matches(o)) send({ type: 'ADDED', object: present(t, o) });
      if (sendInitial && bookmarks) bookmark(true);
    } else {
      const rv = Number(rvParam);
      const events = this.store.eventsSince(rv);
      if (events === 'expired') {
        send({
          type: 'ERROR',
          object: expired(`too old resource version: ${rv} (${this.store.oldestWatchableRv() + 1})`).status,
        });
        end();
        return { stop() {} };
      }
      for (const e of events) deliver(e);
      lastRv = Math.max(rv, lastRv);
    }
    const unsubscribe = this.store.subscribe(deliver);
    const timers: NodeJS.Timeout[] = [];
    if (bookmarks) {
      const iv = setInterval(() => bookmark(), opts.bookmarkIntervalMs ?? 30_000);
      iv.unref();
      timers.push(iv);
    }
    const timeoutSeconds = Number(q.get('timeoutSeconds') ?? '');
    if (Number.isFinite(timeoutSeconds) && timeoutSeconds > 0) {
      const to = setTimeout(() => {
        stop();
        end();
      }, timeoutSeconds * 1000);
      to.unref();
      timers.push(to);
    }
    const stop = () => {
      unsubscribe();
      for (const tm of timers) clearTimeout(tm);
    };
    return { stop };
  }

  /** Bulk create without HTTP (tests, bench): objects need apiVersion and kind. */
  seed(objects: unknown[]): void {
    for (const raw of objects) {
      if (!isPlainObject(raw) || typeof raw.apiVersion !== 'string' || typeof raw.kind !== 'string')
        throw new Error('seed: every object needs apiVersion and kind');
      const [group, version] = raw.apiVersion.includes('/')
        ? (raw.apiVersion.split('/', 2) as [string, string])
        : ['', raw.apiVersion];
      const t = RESOURCE_TABLE.find((r) => r.group === group && r.version === version && r.kind === raw.kind);
      if (!t) throw new Error(`seed: no resource for ${raw.apiVersion} ${raw.kind}`);
      const meta = isPlainObject(raw.metadata) ? raw.metadata : {};
      const ns = t.namespaced ? (typeof meta.namespace === 'string' ? meta.namespace : 'default') : undefined;
      if (ns && !this.store.get(storageKey(NAMESPACES), '', ns))
        this.create(NAMESPACES, undefined, { metadata: { name: ns } }, false);
      this.create(t, ns, raw, false, { keepStatus: true });
    }
  }
}

export { ApiError, invalid };
