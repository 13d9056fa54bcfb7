// The HTTP edge: Express 5 app that parses requests like kube-apiserver (raw bodies read here so
// 400/413/415 are real Status answers), applies test faults, logs requests and calls ApiCore.
import express, { type Request, type Response, type NextFunction } from 'express';
import { ApiCore, isDryRun, type WatchEventOut } from './api-core';
import {
  ApiError,
  badRequest,
  entityTooLarge,
  internalError,
  methodNotAllowed,
  notAcceptable,
  resourceNotFound,
  statusForCode,
  unsupportedMediaType,
  fieldManagerRequired,
  type Status,
} from './status-errors';
import { parseRequestPath, type ResourcePath } from './request-path';
import { negotiate, type Representation } from './content-negotiation';
import { FaultInjector } from './fault-injection';
import { RequestLog, type RequestRecord } from './request-log';
import { apiGroup, apiGroupList, apiResourceList, coreVersions, SERVER_VERSION } from './discovery';
import { PATCH_CONTENT_TYPES } from './patches';
import { managerOf } from './managed-fields';
import { parse as parseYaml } from 'yaml';
import { toTable } from './table-convert';
import { decodeKubernetesProtobuf, ProtobufError } from './protobuf-decode';
import { openApiV2, openApiV3GroupVersion, openApiV3Root } from './openapi';
import { recordedOpenApiV2Protobuf } from './openapi-recorded';
import type { KObject } from './object-types';
import { servedTable, type ResourceType } from './resource-table';
import { formatLogLine, parsePodLogQuery, selectLogLines, type PodLogSource } from './pod-logs';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

/** Who is asking and whether they may: plugged in by the RBAC option (stage 4). */
export interface AccessControl {
  /** the user for an Authorization header, or an ApiError (401) */
  authenticate(authorization: string | undefined): string | ApiError;
  /** undefined when allowed, else the 403 to answer */
  authorize(
    user: string,
    attrs: { verb: string; group: string; resource: string; subresource?: string; namespace?: string; name?: string },
  ): ApiError | undefined;
}

export interface HttpDeps {
  core: ApiCore;
  faults: FaultInjector;
  log: RequestLog;
  serverAddress: () => string;
  access?: AccessControl;
  bookmarkIntervalMs?: number;
  /** pods/log: the container output of whoever runs the pods (the local runner), when plugged in */
  podLogs?: () => PodLogSource | undefined;
  /** open watch streams, ended by stop() */
  openStreams: Set<Response>;
  /** the resource table rows served now (optional CRDs only once installed); default: every row but those */
  table?: () => readonly ResourceType[];
}

interface Ctx {
  record: Omit<RequestRecord, 'status'>;
  logged: boolean;
}

function sendJson(deps: HttpDeps, ctx: Ctx, res: Response, code: number, body: unknown): void {
  if (!ctx.logged) {
    ctx.logged = true;
    deps.log.add({ ...ctx.record, status: code });
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(code, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
  });
  res.end(text);
}

function sendError(deps: HttpDeps, ctx: Ctx, res: Response, err: unknown): void {
  const apiErr = err instanceof ApiError ? err : internalError(err instanceof Error ? err.message : String(err));
  sendJson(deps, ctx, res, apiErr.code, apiErr.status);
}

function readBody(req: Request): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      reject(entityTooLarge(MAX_BODY_BYTES));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        failed = true;
        reject(entityTooLarge(MAX_BODY_BYTES));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) {
        failed = true;
        reject(badRequest(`error reading request body: ${e.message}`));
      }
    });
  });
}

const PROTOBUF = 'application/vnd.kubernetes.protobuf';
const APPLY_PATCH = 'application/apply-patch+yaml';

/** an apply body is YAML (JSON is YAML too), one object */
function parseApplyBody(raw: Buffer): unknown {
  try {
    return parseYaml(raw.toString('utf8'));
  } catch (e) {
    throw badRequest(`error decoding YAML: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** kubectl's typed client (`kubectl create configmap` and friends) sends protobuf bodies */
function decodeProtobuf(raw: Buffer): unknown {
  try {
    return decodeKubernetesProtobuf(raw);
  } catch (e) {
    if (e instanceof ProtobufError) {
      if (e.unsupported) throw new ApiError({ ...unsupportedMediaType([]).status, message: e.message });
      throw badRequest(`the object provided is unrecognized: unable to decode protobuf body: ${e.message}`);
    }
    throw e;
  }
}

function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0]!.trim().toLowerCase();
}

function parseJson(buf: Buffer, what: string): unknown {
  const text = buf.toString('utf8');
  if (text.trim() === '') throw badRequest(`${what}: json parse error: unexpected end of JSON input`);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw badRequest(`${what}: json parse error: ${(e as Error).message}`);
  }
}

function verbOf(method: string, p: ResourcePath, watch: boolean): string {
  switch (method) {
    case 'GET':
    case 'HEAD':
      return watch ? 'watch' : p.name !== undefined ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return p.name !== undefined ? 'delete' : 'deletecollection';
    default:
      return method.toLowerCase();
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function isWatch(q: URLSearchParams): boolean {
  const w = q.get('watch');
  return w === 'true' || w === '1';
}

function representationFor(req: Request, tableAllowed: boolean): Representation {
  return negotiate(req.headers.accept, tableAllowed);
}

function wrap(t: ResourceType, rep: Representation, obj: KObject, q: URLSearchParams, isList: boolean): unknown {
  if (rep !== 'table') return obj;
  const include = q.get('includeObject') ?? 'Metadata';
  if (isList) {
    const list = obj as unknown as { metadata: Record<string, unknown>; items: KObject[] };
    return toTable(t, list.items, list.metadata, include);
  }
  return toTable(t, [obj], { resourceVersion: obj.metadata.resourceVersion }, include);
}

async function handleResource(
  deps: HttpDeps,
  ctx: Ctx,
  req: Request,
  res: Response,
  p: ResourcePath,
  q: URLSearchParams,
): Promise<void> {
  const t = p.type;
  const verb = ctx.record.verb;
  if (!t) throw resourceNotFound();
  if (
    p.subresource !== undefined &&
    !(p.subresource === 'status' && t.statusSubresource) &&
    !(p.subresource === 'scale' && t.scaleSubresource) &&
    !(p.subresource === 'log' && t.logSubresource)
  )
    throw resourceNotFound();
  if (p.subresource === 'log') return handleLog(deps, ctx, res, t, p, q);
  if (p.subresource === 'scale') return handleScale(deps, ctx, req, res, t, p, q);
  if (!t.namespaced && p.namespace !== undefined) throw resourceNotFound();
  if (t.namespaced && p.namespace === undefined && p.name !== undefined) throw resourceNotFound();
  if (t.namespaced && p.namespace === undefined && verb === 'create') throw methodNotAllowed();
  const ns = p.namespace;
  const dryRun = isDryRun(q);
  const core = deps.core;

  if (verb === 'get' || verb === 'list' || verb === 'watch') {
    const rep = representationFor(req, true);
    if (rep === 'none')
      throw notAcceptable(['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf']);
    if (verb === 'watch') return startWatch(deps, ctx, res, t, ns, p, q, rep);
    if (verb === 'get') return sendJson(deps, ctx, res, 200, wrap(t, rep, core.get(t, ns, p.name!), q, false));
    return sendJson(deps, ctx, res, 200, wrap(t, rep, core.list(t, ns, q), q, true));
  }

  if (verb === 'create' || verb === 'update' || verb === 'patch' || verb === 'delete' || verb === 'deletecollection') {
    if (verb !== 'create' && verb !== 'deletecollection' && p.name === undefined) throw methodNotAllowed();
    if (verb === 'create' && p.name !== undefined) throw methodNotAllowed();
    const raw = await readBody(req);
    const ct = mediaType(req.headers['content-type']);
    const rep = representationFor(req, false);
    const manager = managerOf(q.get('fieldManager'), req.headers['user-agent']);
    if (verb === 'patch' && ct === APPLY_PATCH) {
      const body = parseApplyBody(raw);
      if (!q.get('fieldManager')) throw fieldManagerRequired();
      const force = q.get('force') === 'true';
      const r = core.apply(t, ns, p.name!, body, { manager, force, dryRun });
      return sendJson(deps, ctx, res, r.created ? 201 : 200, r.object);
    }
    if (verb === 'patch') {
      const patchType = PATCH_CONTENT_TYPES[ct];
      if (!patchType)
        throw unsupportedMediaType([
          'application/json-patch+json',
          'application/merge-patch+json',
          'application/apply-patch+yaml',
          'application/strategic-merge-patch+json',
        ]);
      const patch = parseJson(raw, 'error decoding patch');
      return sendJson(
        deps,
        ctx,
        res,
        200,
        core.patch(t, ns, p.name!, patchType, patch, dryRun, p.subresource, { manager }),
      );
    }
    if (verb === 'delete' || verb === 'deletecollection') {
      const options =
        raw.length > 0 && raw.toString('utf8').trim() !== '' ? parseJson(raw, 'DeleteOptions') : undefined;
      const optDryRun =
        typeof options === 'object' &&
        options !== null &&
        Array.isArray((options as { dryRun?: unknown }).dryRun) &&
        (options as { dryRun: unknown[] }).dryRun.includes('All');
      // ?gracePeriodSeconds= is DeleteOptions too (client-node sends it in the query)
      const grace = q.get('gracePeriodSeconds');
      const withGrace =
        grace !== null && grace !== '' && Number.isInteger(Number(grace))
          ? { ...(typeof options === 'object' && options !== null ? options : {}), gracePeriodSeconds: Number(grace) }
          : options;
      if (verb === 'delete')
        return sendJson(deps, ctx, res, 200, core.delete(t, ns, p.name!, withGrace, dryRun || optDryRun));
      return sendJson(deps, ctx, res, 200, core.deleteCollection(t, ns, q, dryRun || optDryRun));
    }
    void rep;
    if (ct !== 'application/json' && ct !== '' && ct !== PROTOBUF)
      throw unsupportedMediaType(['application/json', 'application/yaml', PROTOBUF]);
    const body =
      ct === PROTOBUF
        ? decodeProtobuf(raw)
        : parseJson(raw, `the object provided is unrecognized (must be of type ${t.kind}): couldn't get version/kind`);
    if (verb === 'create') return sendJson(deps, ctx, res, 201, core.create(t, ns, body, dryRun, { manager }));
    return sendJson(deps, ctx, res, 200, core.update(t, ns, p.name!, body, dryRun, p.subresource, { manager }));
  }
  throw methodNotAllowed();
}

async function handleScale(
  deps: HttpDeps,
  ctx: Ctx,
  req: Request,
  res: Response,
  t: ResourceType,
  p: ResourcePath,
  q: URLSearchParams,
): Promise<void> {
  const verb = ctx.record.verb;
  if (p.name === undefined || p.namespace === undefined) throw resourceNotFound();
  if (verb === 'get') return sendJson(deps, ctx, res, 200, deps.core.getScale(t, p.namespace, p.name));
  if (verb !== 'update' && verb !== 'patch') throw methodNotAllowed();
  const raw = await readBody(req);
  const ct = mediaType(req.headers['content-type']);
  if (verb === 'patch') {
    const type = PATCH_CONTENT_TYPES[ct];
    if (!type)
      throw unsupportedMediaType([
        'application/json-patch+json',
        'application/merge-patch+json',
        'application/apply-patch+yaml',
        'application/strategic-merge-patch+json',
      ]);
    return sendJson(
      deps,
      ctx,
      res,
      200,
      deps.core.writeScale(
        t,
        p.namespace,
        p.name,
        { type, patch: parseJson(raw, 'error decoding patch') },
        isDryRun(q),
        { manager: managerOf(q.get('fieldManager'), req.headers['user-agent']) },
      ),
    );
  }
  if (ct !== 'application/json' && ct !== '') throw unsupportedMediaType(['application/json', 'application/yaml']);
  return sendJson(
    deps,
    ctx,
    res,
    200,
    deps.core.writeScale(t, p.namespace, p.name, { body: parseJson(raw, 'Scale') }, isDryRun(q), {
      manager: managerOf(q.get('fieldManager'), req.headers['user-agent']),
    }),
  );
}

/** GET pods/<name>/log: text/plain, chunked and kept open with follow=true, as the kubelet streams it. */
function handleLog(
  deps: HttpDeps,
  ctx: Ctx,
  res: Response,
  t: ResourceType,
  p: ResourcePath,
  q: URLSearchParams,
): void {
  if (ctx.record.verb !== 'get' || p.name === undefined || p.namespace === undefined) throw methodNotAllowed();
  deps.core.get(t, p.namespace, p.name); // 404 as for the pod itself
  const request = parsePodLogQuery(p.namespace, p.name, q);
  const source = deps.podLogs?.();
  const opened = source
    ? source(request)
    : {
        error: `pod "${p.name}" has no container output here: nothing runs it (only the local runner's pods have logs)`,
      };
  if ('error' in opened) throw badRequest(opened.error);
  if (!ctx.logged) {
    ctx.logged = true;
    deps.log.add({ ...ctx.record, status: 200 });
  }
  res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  let budget = request.limitBytes ?? Infinity;
  let finished = false;
  const write = (text: string): boolean => {
    if (finished) return false;
    const bytes = Buffer.byteLength(text);
    if (bytes > budget) {
      res.write(Buffer.from(text).subarray(0, budget));
      budget = 0;
      return false;
    }
    budget -= bytes;
    res.write(text);
    return true;
  };
  for (const line of selectLogLines(opened.lines, request, Date.now())) {
    if (!write(formatLogLine(line, request.timestamps))) break;
  }
  if (!request.follow || !opened.subscribe || budget === 0) {
    finished = true;
    res.end();
    return;
  }
  deps.openStreams.add(res);
  const finish = () => {
    if (finished) return;
    finished = true;
    unsubscribe();
    deps.openStreams.delete(res);
    res.end();
  };
  const unsubscribe = opened.subscribe((line) => {
    if (!write(formatLogLine(line, request.timestamps))) finish();
  }, finish);
  res.on('close', finish);
}

function startWatch(
  deps: HttpDeps,
  ctx: Ctx,
  res: Response,
  t: ResourceType,
  ns: string | undefined,
  p: ResourcePath,
  q: URLSearchParams,
  rep: Representation,
): void {
  const query = new URLSearchParams(q);
  // a watch on a named object is a watch with a name field selector
  if (p.name !== undefined)
    query.set('fieldSelector', [`metadata.name=${p.name}`, q.get('fieldSelector')].filter(Boolean).join(','));
  const include = q.get('includeObject') ?? 'Metadata';
  let first = true;
  const events: WatchEventOut[] = [];
  let ended = false;
  let headersOut = false;
  const write = (e: WatchEventOut) => {
    if (ended) return;
    let object: unknown = e.object;
    if (rep === 'table' && (e.type === 'ADDED' || e.type === 'MODIFIED' || e.type === 'DELETED')) {
      object = toTable(
        t,
        [e.object as KObject],
        { resourceVersion: (e.object as KObject).metadata.resourceVersion },
        include,
        'v1',
        first,
      );
      first = false;
    }
    res.write(JSON.stringify({ type: e.type, object }) + '\n');
  };
  const send = (e: WatchEventOut) => (headersOut ? write(e) : events.push(e));
  const end = () => {
    if (ended) return;
    if (!headersOut) return; // ended during setup: handled below
    ended = true;
    deps.openStreams.delete(res);
    res.end();
  };
  const handle = deps.core.watch(t, ns, query, send, end, { bookmarkIntervalMs: deps.bookmarkIntervalMs });
  if (!ctx.logged) {
    ctx.logged = true;
    deps.log.add({ ...ctx.record, status: 200 });
  }
  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();
  headersOut = true;
  deps.openStreams.add(res);
  for (const e of events) write(e);
  const expiredEarly = events.some((e) => e.type === 'ERROR');
  res.on('close', () => {
    handle.stop();
    ended = true;
    deps.openStreams.delete(res);
  });
  if (expiredEarly) end();
}

function acceptsJson(accept: string | undefined): boolean {
  if (!accept) return true;
  return accept.split(',').some((a) => /^\s*(application\/json|application\/\*|\*\/\*)\s*(;|$)/.test(a));
}

function handleOther(deps: HttpDeps, ctx: Ctx, req: Request, res: Response, path: string): void {
  const clean = path.replace(/\/+$/, '') || '/';
  if (req.method !== 'GET' && req.method !== 'HEAD') throw resourceNotFound();
  if (clean === '/healthz' || clean === '/livez' || clean === '/readyz') {
    ctx.logged = true;
    deps.log.add({ ...ctx.record, status: 200 });
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' }).end('ok');
    return;
  }
  if (clean === '/version') return sendJson(deps, ctx, res, 200, SERVER_VERSION);
  if (clean === '/api') return sendJson(deps, ctx, res, 200, coreVersions(deps.serverAddress()));
  const table = servedRows(deps);
  if (clean === '/apis') return sendJson(deps, ctx, res, 200, apiGroupList(table));
  const segs = clean.split('/').filter(Boolean);
  if (segs[0] === 'api' && segs.length === 2) {
    const doc = apiResourceList('', segs[1]!, table);
    if (doc) return sendJson(deps, ctx, res, 200, doc);
  }
  if (segs[0] === 'apis' && segs.length === 2) {
    const doc = apiGroup(segs[1]!, table);
    if (doc) return sendJson(deps, ctx, res, 200, doc);
  }
  if (segs[0] === 'apis' && segs.length === 3) {
    const doc = apiResourceList(segs[1]!, segs[2]!, table);
    if (doc) return sendJson(deps, ctx, res, 200, doc);
  }
  if (clean === '/openapi/v3') return sendJson(deps, ctx, res, 200, openApiV3Root(table));
  if (clean.startsWith('/openapi/v3/')) {
    const doc = openApiV3GroupVersion(clean.slice('/openapi/v3/'.length), table);
    if (doc) return sendJson(deps, ctx, res, 200, doc);
  }
  if (clean === '/openapi/v2') {
    // kubectl asks for v2 in gnostic protobuf only (to validate the items of a `kind: List`
    // client-side): it gets the recorded apiserver's bytes, as application/octet-stream like the
    // apiserver sends them; JSON readers get the JSON document, which also has the CRDs' definitions
    if (!acceptsJson(req.headers.accept)) {
      const pb = recordedOpenApiV2Protobuf();
      ctx.logged = true;
      deps.log.add({ ...ctx.record, status: 200 });
      res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': pb.length });
      res.end(pb);
      return;
    }
    return sendJson(deps, ctx, res, 200, openApiV2(table));
  }
  throw resourceNotFound();
}

const DEFAULT_ROWS = servedTable(new Set());
function servedRows(deps: HttpDeps): readonly ResourceType[] {
  return deps.table?.() ?? DEFAULT_ROWS;
}

export function createApp(deps: HttpDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.set('query parser', false);

  app.use(async (req: Request, res: Response) => {
    let url: URL;
    try {
      url = new URL(req.originalUrl, 'http://emulator.local');
    } catch {
      url = new URL('http://emulator.local/');
    }
    const q = url.searchParams;
    const p = parseRequestPath(url.pathname, servedRows(deps));
    const watch = isWatch(q);
    const record: Omit<RequestRecord, 'status'> =
      p.kind === 'resource'
        ? {
            method: req.method,
            path: url.pathname,
            query: url.search.replace(/^\?/, ''),
            verb: verbOf(req.method, p, watch),
            group: p.group,
            version: p.version,
            resource: p.resource,
          }
        : {
            method: req.method,
            path: url.pathname,
            query: url.search.replace(/^\?/, ''),
            verb: req.method.toLowerCase(),
            group: '',
            version: '',
            resource: '',
          };
    if (p.kind === 'resource') {
      if (p.namespace !== undefined) record.namespace = p.namespace;
      if (p.name !== undefined) record.name = p.name;
      if (p.subresource !== undefined) record.subresource = p.subresource;
    }
    const ct = req.headers['content-type'];
    if (ct) record.contentType = ct;
    const ctx: Ctx = { record, logged: false };
    try {
      if (deps.access) {
        const user = deps.access.authenticate(req.headers.authorization);
        if (user instanceof ApiError) throw user;
        record.user = user;
        if (p.kind === 'resource') {
          const denied = deps.access.authorize(user, {
            verb: record.verb,
            group: p.group,
            resource: p.resource,
            subresource: p.subresource,
            namespace: p.namespace,
            name: p.name,
          });
          if (denied) throw denied;
        }
      }
      const fault = deps.faults.take({
        verb: record.verb,
        resource: record.resource || undefined,
        namespace: record.namespace,
        name: record.name,
      });
      if (fault?.latencyMs) await sleep(fault.latencyMs);
      if (fault?.status !== undefined) throw statusForCode(fault.status);
      if (p.kind === 'resource') await handleResource(deps, ctx, req, res, p, q);
      else handleOther(deps, ctx, req, res, p.path);
    } catch (err) {
      // drain what is left of a refused body so the client reads our answer, not a reset
      req.resume();
      sendError(deps, ctx, res, err);
    }
  });

  // Express-level failures (should not happen, but never crash and always answer a Status)
  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    if (res.headersSent) {
      res.end();
      return;
    }
    const apiErr = err instanceof ApiError ? err : internalError(err instanceof Error ? err.message : String(err));
    const status: Status = apiErr.status;
    res.status(apiErr.code).type('application/json').send(JSON.stringify(status));
  });
  return app;
}
