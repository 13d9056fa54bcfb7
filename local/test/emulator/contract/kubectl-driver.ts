// Runs contract operations through the real kubectl binary (child_process, --kubeconfig).
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { RESOURCE_TABLE } from '../../../src/emulator/resource-table';
import type { Driver, Json, Op, Outcome, WatchEventSeen } from './operations';

type Obj = Json;

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

function resourceArg(apiVersion: string, kind: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const t = RESOURCE_TABLE.find((r) => r.group === group && r.version === version && r.kind === kind);
  if (!t) throw new Error(`no resource for ${apiVersion} ${kind}`);
  return t.group ? `${t.resource}.${t.version}.${t.group}` : t.resource;
}

/** `Error from server (Reason): [error when creating "f": ]message` -> reason + message */
export function parseKubectlError(stderr: string): Outcome {
  const line =
    stderr
      .split('\n')
      .find((l) => l.startsWith('Error from server') || l.startsWith('The ') || l.startsWith('error:')) ??
    stderr.trim();
  const m = /^Error from server \(([A-Za-z]+)\): (?:error when [a-z ]+"[^"]*": )?(.*)$/.exec(line);
  if (m) return { ok: false, reason: m[1]!, message: m[2]!, printed: line };
  // kubectl prints Invalid as `The <Kind> "<name>" is invalid: <causes>`
  const inv = /^The (.*)$/.exec(line);
  if (inv && / is invalid: /.test(line)) return { ok: false, reason: 'Invalid', message: inv[1]!, printed: line };
  return { ok: false, reason: '', message: line.replace(/^error: /, ''), printed: line };
}

export function kubectlDriver(kubeconfigPath: string): Driver {
  let dirP: Promise<string> | undefined;
  const dir = () => (dirP ??= mkdtemp(join(tmpdir(), 'contract-kubectl-')));
  let files = 0;

  async function kubectl(args: string[], input?: string): Promise<Result> {
    const cacheDir = join(await dir(), 'cache');
    return new Promise((resolve, reject) => {
      const child = execFile(
        'kubectl',
        ['--kubeconfig', kubeconfigPath, '--cache-dir', cacheDir, ...args],
        { maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
        (err, stdout, stderr) => {
          // execFile's err is an Error (its type, an Omit<> of ExecException, no longer says so)
          if (err instanceof Error && typeof (err as { code?: unknown }).code !== 'number') reject(err);
          else resolve({ code: err ? Number((err as { code?: number }).code) : 0, stdout, stderr });
        },
      );
      if (input !== undefined) child.stdin?.end(input);
    });
  }

  async function fileOf(content: unknown, ext = 'json'): Promise<string> {
    const path = join(await dir(), `obj-${files++}.${ext}`);
    await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  }

  const asOutcome = (r: Result, parse = true): Outcome => {
    if (r.code !== 0) return parseKubectlError(r.stderr);
    if (!parse) return { ok: true };
    const out = JSON.parse(r.stdout) as Obj;
    return out.kind?.endsWith('List') && Array.isArray(out.items)
      ? { ok: true, items: out.items as Obj[], object: out }
      : { ok: true, object: out };
  };

  const ns = (n?: string) => (n ? ['-n', n] : []);

  async function watch(op: Extract<Op, { op: 'watch' }>): Promise<Outcome> {
    const args =
      op.resourceVersion !== undefined
        ? [
            'get',
            '--raw',
            `/${resourceArg(op.apiVersion, op.kind).includes('.') ? 'apis' : 'api'}/${op.apiVersion}/namespaces/${op.namespace}/${resourceArg(op.apiVersion, op.kind).split('.')[0]}?watch=1&resourceVersion=${op.resourceVersion}`,
          ]
        : [
            'get',
            resourceArg(op.apiVersion, op.kind),
            '-n',
            op.namespace,
            '--watch',
            '--output-watch-events',
            '-o',
            'jsonpath={.type} {.object.metadata.name}{"\\n"}',
          ];
    const child = spawn(
      'kubectl',
      ['--kubeconfig', kubeconfigPath, '--cache-dir', join(await dir(), 'cache'), ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const seen: WatchEventSeen[] = [];
    let buf = '';
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    child.stdout.on('data', (c: Buffer) => {
      buf += c.toString();
      let i: number;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i).trim();
        buf = buf.slice(i + 1);
        if (!line) continue;
        if (line.startsWith('{')) {
          const e = JSON.parse(line) as { type: string; object: Obj };
          seen.push(
            e.type === 'ERROR'
              ? {
                  type: e.type,
                  code: e.object.code as number,
                  reason: e.object.reason as string,
                  message: e.object.message as string,
                }
              : { type: e.type, name: e.object.metadata?.name as string },
          );
        } else {
          const [type, name] = line.split(' ');
          seen.push({ type: type!, name });
        }
      }
    });
    const waitFor = async (cond: () => boolean, ms = 15_000) => {
      const end = Date.now() + ms;
      while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
    };
    // kubectl lists first and prints existing objects as ADDED; start acting once the watch is open
    await new Promise((r) => setTimeout(r, 300));
    for (const next of op.then) {
      const r = await runOp(next);
      if (!r.ok) throw new Error(`watch step ${next.op} failed: ${r.message}`);
    }
    await waitFor(() => seen.length >= op.events || (exited && seen.some((e) => e.type === 'ERROR')));
    child.kill();
    return { ok: true, events: seen };
  }

  async function runOp(op: Op): Promise<Outcome> {
    switch (op.op) {
      case 'get':
        return asOutcome(
          await kubectl(['get', resourceArg(op.apiVersion, op.kind), op.name, ...ns(op.namespace), '-o', 'json']),
        );
      case 'list': {
        const args = [
          'get',
          resourceArg(op.apiVersion, op.kind),
          ...(op.namespace ? ['-n', op.namespace] : ['--all-namespaces']),
          '-o',
          'json',
        ];
        if (op.labelSelector !== undefined) args.push('-l', op.labelSelector);
        if (op.fieldSelector !== undefined) args.push('--field-selector', op.fieldSelector);
        if (op.chunkSize !== undefined) args.push('--chunk-size', String(op.chunkSize));
        return asOutcome(await kubectl(args));
      }
      case 'create':
        return asOutcome(
          await kubectl([
            'create',
            '-f',
            await fileOf(op.object),
            '-o',
            'json',
            ...(op.dryRun ? ['--dry-run=server'] : []),
          ]),
        );
      case 'replace':
        return asOutcome(await kubectl(['replace', '-f', await fileOf(op.object), '-o', 'json']));
      case 'apply': {
        // a multi-document file, as users write them
        const docs = op.objects.map((o) => stringify(o)).join('---\n');
        const r = await kubectl([
          'apply',
          '-f',
          await fileOf(docs, 'yaml'),
          '-o',
          'json',
          ...(op.dryRun ? ['--dry-run=server'] : []),
        ]);
        if (r.code !== 0) return parseKubectlError(r.stderr);
        const out = JSON.parse(r.stdout) as Obj;
        const items = (out.kind === 'List' ? out.items : [out]) as Obj[];
        return { ok: true, object: items[items.length - 1], items };
      }
      case 'applyKustomize': {
        const d = await mkdtemp(join(await dir(), 'kustomize-'));
        for (const [name, text] of Object.entries(op.files)) await writeFile(join(d, name), text);
        const r = await kubectl(['apply', '-k', d, '-o', 'json']);
        if (r.code !== 0) return parseKubectlError(r.stderr);
        const out = JSON.parse(r.stdout) as Obj;
        return { ok: true, items: (out.kind === 'List' ? out.items : [out]) as Obj[] };
      }
      case 'patch':
        return asOutcome(
          await kubectl([
            'patch',
            resourceArg(op.apiVersion, op.kind),
            op.name,
            ...ns(op.namespace),
            '--type',
            op.type,
            '-p',
            JSON.stringify(op.patch),
            '-o',
            'json',
          ]),
        );
      case 'label':
      case 'annotate':
        return asOutcome(
          await kubectl([
            op.op,
            resourceArg(op.apiVersion, op.kind),
            op.name,
            ...ns(op.namespace),
            `${op.key}=${op.value}`,
            '--overwrite',
            '-o',
            'json',
          ]),
        );
      case 'delete':
        return asOutcome(
          await kubectl([
            'delete',
            resourceArg(op.apiVersion, op.kind),
            op.name,
            ...ns(op.namespace),
            '--wait=true',
            '--timeout=20s',
          ]),
          false,
        );
      case 'rolloutRestart': {
        const res = resourceArg(op.apiVersion, op.kind);
        const r = await kubectl(['rollout', 'restart', res, op.name, ...ns(op.namespace)]);
        if (r.code !== 0) return parseKubectlError(r.stderr);
        const status = await kubectl(['rollout', 'status', res, op.name, ...ns(op.namespace), '--timeout=20s']);
        const got = await kubectl(['get', res, op.name, ...ns(op.namespace), '-o', 'json']);
        return {
          ok: true,
          object: JSON.parse(got.stdout) as Obj,
          rolledOut: status.code === 0 && /successfully rolled out/.test(status.stdout),
        };
      }
      case 'watch':
        return watch(op);
      case 'raw': {
        const verb = { GET: 'get', POST: 'create', PUT: 'replace', DELETE: 'delete' }[op.method];
        const args = [verb, '--raw', op.path];
        if (op.body !== undefined) args.push('-f', await fileOf(op.body));
        const r = await kubectl(args);
        if (r.code !== 0) return parseKubectlError(r.stderr);
        return { ok: true, object: r.stdout.trim() ? (JSON.parse(r.stdout) as Obj) : undefined };
      }
    }
  }

  return { name: 'kubectl', run: runOp };
}
