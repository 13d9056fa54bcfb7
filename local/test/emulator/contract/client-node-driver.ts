// Runs contract operations through @kubernetes/client-node 1.4: the typed CoreV1Api/AppsV1Api for
// built-in kinds, CustomObjectsApi for custom resources, KubernetesObjectApi for apply, Watch for watches.
import * as k8s from '@kubernetes/client-node';
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import { RESOURCE_TABLE } from '../../../src/emulator/resource-table';
import type { Driver, Json, Op, Outcome, Ref, StatusBody, WatchEventSeen } from './operations';

const run = promisify(execFile);
type Obj = Json;

const json = (v: unknown): Obj => JSON.parse(JSON.stringify(v)) as Obj;

function typeOf(apiVersion: string, kind: string) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const t = RESOURCE_TABLE.find((r) => r.group === group && r.version === version && r.kind === kind);
  if (!t) throw new Error(`no resource for ${apiVersion} ${kind}`);
  return t;
}

function toOutcomeError(e: unknown): Outcome {
  const err = e as { code?: number; body?: unknown; message?: string };
  if (typeof err.code !== 'number') throw e;
  let body: StatusBody | undefined;
  try {
    body = (typeof err.body === 'string' ? JSON.parse(err.body) : err.body) as StatusBody;
  } catch {
    body = undefined;
  }
  return { ok: false, reason: body?.reason ?? '', message: body?.message ?? '', body };
}

const poll = async <T>(fn: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T | undefined> => {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const v = await fn();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
  return undefined;
};

export function clientNodeDriver(kubeconfigPath: string): Driver {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(kubeconfigPath);
  const core = kc.makeApiClient(k8s.CoreV1Api);
  const apps = kc.makeApiClient(k8s.AppsV1Api);
  const custom = kc.makeApiClient(k8s.CustomObjectsApi);
  const objects = k8s.KubernetesObjectApi.makeApiClient(kc);
  const patchAs = (type: 'merge' | 'json' | 'strategic') =>
    k8s.setHeaderOptions(
      'Content-Type',
      type === 'merge'
        ? k8s.PatchStrategy.MergePatch
        : type === 'json'
          ? k8s.PatchStrategy.JsonPatch
          : k8s.PatchStrategy.StrategicMergePatch,
    );

  async function get(r: Ref): Promise<Obj> {
    const t = typeOf(r.apiVersion, r.kind);
    const ns = r.namespace ?? 'default';
    if (r.kind === 'ConfigMap') return json(await core.readNamespacedConfigMap({ name: r.name, namespace: ns }));
    if (r.kind === 'Deployment') return json(await apps.readNamespacedDeployment({ name: r.name, namespace: ns }));
    if (t.custom)
      return json(
        await custom.getNamespacedCustomObject({
          group: t.group,
          version: t.version,
          namespace: ns,
          plural: t.resource,
          name: r.name,
        }),
      );
    return json(
      await objects.read({
        apiVersion: r.apiVersion,
        kind: r.kind,
        metadata: { name: r.name, namespace: t.namespaced ? ns : undefined },
      }),
    );
  }

  async function patch(r: Ref, type: 'merge' | 'json' | 'strategic', body: unknown): Promise<Obj> {
    const t = typeOf(r.apiVersion, r.kind);
    const ns = r.namespace ?? 'default';
    const opts = patchAs(type);
    if (r.kind === 'ConfigMap')
      return json(await core.patchNamespacedConfigMap({ name: r.name, namespace: ns, body }, opts));
    if (r.kind === 'Deployment')
      return json(await apps.patchNamespacedDeployment({ name: r.name, namespace: ns, body }, opts));
    if (t.custom)
      return json(
        await custom.patchNamespacedCustomObject(
          { group: t.group, version: t.version, namespace: ns, plural: t.resource, name: r.name, body },
          opts,
        ),
      );
    const strategy =
      type === 'merge'
        ? k8s.PatchStrategy.MergePatch
        : type === 'json'
          ? k8s.PatchStrategy.JsonPatch
          : k8s.PatchStrategy.StrategicMergePatch;
    const b = (Array.isArray(body) ? {} : body) as Obj;
    const spec = {
      ...b,
      apiVersion: r.apiVersion,
      kind: r.kind,
      metadata: { ...(b.metadata as Obj | undefined), name: r.name, namespace: t.namespaced ? ns : undefined },
    };
    return json(await objects.patch(spec, undefined, undefined, undefined, undefined, strategy));
  }

  async function create(o: Obj, dryRun?: boolean): Promise<Obj> {
    const t = typeOf(o.apiVersion as string, o.kind as string);
    const ns = (o.metadata?.namespace as string | undefined) ?? 'default';
    const dr = dryRun ? 'All' : undefined;
    if (o.kind === 'ConfigMap')
      return json(await core.createNamespacedConfigMap({ namespace: ns, body: o, dryRun: dr }));
    if (o.kind === 'Deployment')
      return json(await apps.createNamespacedDeployment({ namespace: ns, body: o, dryRun: dr }));
    if (t.custom)
      return json(
        await custom.createNamespacedCustomObject({
          group: t.group,
          version: t.version,
          namespace: ns,
          plural: t.resource,
          body: o,
          dryRun: dr,
        }),
      );
    return json(await objects.create(o, undefined, dr));
  }

  /** what client-side apply amounts to: create when missing, else a merge of the manifest */
  async function apply(o: Obj, dryRun?: boolean): Promise<Obj> {
    const t = typeOf(o.apiVersion as string, o.kind as string);
    const dr = dryRun ? 'All' : undefined;
    const ref: Ref = {
      apiVersion: o.apiVersion as string,
      kind: o.kind as string,
      name: o.metadata.name as string,
      namespace: o.metadata.namespace as string | undefined,
    };
    try {
      await get(ref);
    } catch (e) {
      if ((e as { code?: number }).code === 404) return create(o, dryRun);
      throw e;
    }
    // KubernetesObjectApi serialises by kind alone (a Knative Service would go out as a core
    // Service and lose its spec), so custom resources go through CustomObjectsApi
    if (t.custom) {
      return json(
        await custom.patchNamespacedCustomObject(
          {
            group: t.group,
            version: t.version,
            namespace: ref.namespace ?? 'default',
            plural: t.resource,
            name: ref.name,
            body: o,
            dryRun: dr,
          },
          patchAs('merge'),
        ),
      );
    }
    return json(await objects.patch(o, undefined, dr, 'contract', undefined, k8s.PatchStrategy.StrategicMergePatch));
  }

  async function watch(op: Extract<Op, { op: 'watch' }>): Promise<Outcome> {
    const t = typeOf(op.apiVersion, op.kind);
    const path = `/${t.group ? `apis/${t.group}` : 'api'}/${t.version}/namespaces/${op.namespace}/${t.resource}`;
    const seen: WatchEventSeen[] = [];
    let done = false;
    const ctl = await new k8s.Watch(kc).watch(
      path,
      op.resourceVersion !== undefined ? { resourceVersion: op.resourceVersion } : {},
      (type: string, obj: Obj) =>
        seen.push(
          type === 'ERROR'
            ? { type, code: obj.code as number, reason: obj.reason as string, message: obj.message as string }
            : { type, name: obj.metadata?.name as string },
        ),
      () => {
        done = true;
      },
    );
    for (const next of op.then) {
      const r = await runOp(next);
      if (!r.ok) throw new Error(`watch step ${next.op} failed: ${r.message}`);
    }
    await poll(() =>
      Promise.resolve(seen.length >= op.events || (done && seen.some((e) => e.type === 'ERROR')) ? true : undefined),
    );
    ctl.abort();
    return { ok: true, events: seen };
  }

  async function raw(op: Extract<Op, { op: 'raw' }>): Promise<Outcome> {
    const cluster = kc.getCurrentCluster()!;
    const token = kc.getCurrentUser()?.token;
    const res = await fetch(cluster.server + op.path, {
      method: op.method,
      body: op.body,
      headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    });
    const text = await res.text();
    const body = JSON.parse(text) as StatusBody & Obj;
    if (res.status >= 400) return { ok: false, reason: body.reason ?? '', message: body.message ?? '', body };
    return { ok: true, object: body };
  }

  async function runOp(op: Op): Promise<Outcome> {
    try {
      switch (op.op) {
        case 'get':
          return { ok: true, object: await get(op) };
        case 'list': {
          const t = typeOf(op.apiVersion, op.kind);
          const items: Obj[] = [];
          let cont: string | undefined;
          do {
            const page = json(
              t.custom
                ? await custom.listNamespacedCustomObject({
                    group: t.group,
                    version: t.version,
                    namespace: op.namespace ?? 'default',
                    plural: t.resource,
                    labelSelector: op.labelSelector,
                    fieldSelector: op.fieldSelector,
                    limit: op.chunkSize,
                    _continue: cont,
                  })
                : op.kind === 'ConfigMap'
                  ? op.namespace
                    ? await core.listNamespacedConfigMap({
                        namespace: op.namespace,
                        labelSelector: op.labelSelector,
                        fieldSelector: op.fieldSelector,
                        limit: op.chunkSize,
                        _continue: cont,
                      })
                    : await core.listConfigMapForAllNamespaces({
                        labelSelector: op.labelSelector,
                        fieldSelector: op.fieldSelector,
                        limit: op.chunkSize,
                        _continue: cont,
                      })
                  : await objects.list(
                      op.apiVersion,
                      op.kind,
                      op.namespace,
                      undefined,
                      undefined,
                      undefined,
                      op.fieldSelector,
                      op.labelSelector,
                      op.chunkSize,
                      cont,
                    ),
            );
            items.push(...(page.items as Obj[]));
            cont = (page.metadata?._continue ?? page.metadata?.continue) as string | undefined;
          } while (cont);
          return { ok: true, items };
        }
        case 'create':
          return { ok: true, object: await create(op.object, op.dryRun) };
        case 'replace': {
          const o = op.object as Obj;
          const ns = (o.metadata?.namespace as string | undefined) ?? 'default';
          if (o.kind === 'ConfigMap')
            return {
              ok: true,
              object: json(
                await core.replaceNamespacedConfigMap({
                  name: o.metadata.name as string,
                  namespace: ns,
                  body: o,
                }),
              ),
            };
          return { ok: true, object: json(await objects.replace(o)) };
        }
        case 'apply': {
          let last: Obj | undefined;
          for (const o of op.objects) last = await apply(o, op.dryRun);
          return { ok: true, object: last };
        }
        case 'applyKustomize': {
          // client-node has no kustomize: render with `kubectl kustomize` (no API traffic), then apply
          const dir = await mkdtemp(join(tmpdir(), 'contract-kustomize-'));
          for (const [name, text] of Object.entries(op.files)) await writeFile(join(dir, name), text);
          const { stdout } = await run('kubectl', ['kustomize', dir]);
          const docs = parseAllDocuments(stdout)
            .map((d) => d.toJS() as Obj)
            .filter(Boolean);
          for (const o of docs) await apply(o);
          return { ok: true, items: docs };
        }
        case 'patch':
          return { ok: true, object: await patch(op, op.type, op.patch) };
        case 'label':
        case 'annotate': {
          const field = op.op === 'label' ? 'labels' : 'annotations';
          return { ok: true, object: await patch(op, 'merge', { metadata: { [field]: { [op.key]: op.value } } }) };
        }
        case 'delete': {
          const t = typeOf(op.apiVersion, op.kind);
          const ns = op.namespace ?? 'default';
          if (op.kind === 'ConfigMap') await core.deleteNamespacedConfigMap({ name: op.name, namespace: ns });
          else if (op.kind === 'Namespace') await core.deleteNamespace({ name: op.name });
          else if (t.custom)
            await custom.deleteNamespacedCustomObject({
              group: t.group,
              version: t.version,
              namespace: ns,
              plural: t.resource,
              name: op.name,
            });
          else
            await objects.delete({
              apiVersion: op.apiVersion,
              kind: op.kind,
              metadata: { name: op.name, namespace: t.namespaced ? ns : undefined },
            });
          return { ok: true };
        }
        case 'rolloutRestart': {
          // what `kubectl rollout restart` sends, then what `kubectl rollout status` waits for
          await patch(op, 'strategic', {
            spec: {
              template: {
                metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': new Date().toISOString() } },
              },
            },
          });
          const done = await poll(async () => {
            const d = await get(op);
            const s = d.status ?? {};
            const replicas = d.spec?.replicas ?? 1;
            return (s.observedGeneration ?? 0) >= d.metadata.generation &&
              s.updatedReplicas === replicas &&
              s.availableReplicas === replicas
              ? d
              : undefined;
          });
          return { ok: true, object: done ?? (await get(op)), rolledOut: done !== undefined };
        }
        case 'watch':
          return await watch(op);
        case 'raw':
          return await raw(op);
      }
    } catch (e) {
      return toOutcomeError(e);
    }
  }

  return { name: 'client-node', run: runOp };
}
