// stack.yml (OpenFaaS) checks: it parses, every function is a `dockerfile` function whose handler
// folder and Dockerfile exist, scales to zero, and becomes a valid openfaas.com/v1 Function (what
// `faas-cli generate` would produce) against the upstream CRD.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { asArray, asRecord, asStringMap, type KubeObject } from './kube-object';

/** The stack.yml keys faas-cli knows for a function (openfaas/faas-cli stack/schema.go). */
const FUNCTION_KEYS = new Set([
  'lang',
  'handler',
  'image',
  'fprocess',
  'environment',
  'secrets',
  'skip_build',
  'constraints',
  'environment_file',
  'labels',
  'annotations',
  'limits',
  'requests',
  'readonly_root_filesystem',
  'build_args',
  'build_options',
  'build_secrets',
  'platforms',
  'namespace',
]);

export interface StackFunction {
  name: string;
  spec: Record<string, unknown>;
}

export function parseStack(text: string): { doc: Record<string, unknown>; functions: StackFunction[] } {
  const doc = asRecord(parse(text));
  const functions = Object.entries(asRecord(doc.functions)).map(([name, spec]) => ({ name, spec: asRecord(spec) }));
  return { doc, functions };
}

/** Problems of a stack file whose relative paths are resolved against `root`. */
export function checkStack(text: string, root: string): string[] {
  const problems: string[] = [];
  let parsed: ReturnType<typeof parseStack>;
  try {
    parsed = parseStack(text);
  } catch (err) {
    return [`stack.yml: invalid YAML: ${err instanceof Error ? err.message : String(err)}`];
  }
  const { doc, functions } = parsed;
  if (asRecord(doc.provider).name !== 'openfaas') problems.push('stack.yml: provider.name must be openfaas');
  if (functions.length === 0) problems.push('stack.yml: no functions');
  for (const path of asArray(asRecord(doc.configuration).copy).map(String)) {
    if (!existsSync(join(root, path)))
      problems.push(`stack.yml: configuration.copy names ${path}, which does not exist`);
  }
  for (const { name, spec } of functions) {
    const at = `function ${name}`;
    for (const key of Object.keys(spec)) if (!FUNCTION_KEYS.has(key)) problems.push(`${at}: unknown key ${key}`);
    if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) problems.push(`${at}: name is not a DNS label`);
    if (spec.lang !== 'dockerfile') problems.push(`${at}: lang must be dockerfile, is ${String(spec.lang)}`);
    const handler = typeof spec.handler === 'string' ? spec.handler : '';
    if (!handler || !existsSync(join(root, handler)))
      problems.push(`${at}: handler folder ${handler || '<unset>'} does not exist`);
    else if (!existsSync(join(root, handler, 'Dockerfile')))
      problems.push(`${at}: ${handler}/Dockerfile does not exist`);
    if (typeof spec.image !== 'string' || spec.image.endsWith(':latest') || !spec.image.includes(':')) {
      problems.push(`${at}: image must carry an explicit tag other than latest`);
    }
    if (asStringMap(spec.labels)['com.openfaas.scale.zero'] !== 'true') {
      problems.push(`${at}: labels must set com.openfaas.scale.zero: "true"`);
    }
    if (spec.readonly_root_filesystem !== true) problems.push(`${at}: readonly_root_filesystem must be true`);
  }
  return problems;
}

/** A stack function as the openfaas.com/v1 Function faas-cli generate makes of it. */
export function toFunctionResource({ name, spec }: StackFunction, namespace = 'openfaas-fn'): KubeObject {
  const fnSpec: Record<string, unknown> = { name, image: spec.image };
  const copy: Array<[string, string]> = [
    ['labels', 'labels'],
    ['annotations', 'annotations'],
    ['environment', 'environment'],
    ['limits', 'limits'],
    ['requests', 'requests'],
    ['secrets', 'secrets'],
    ['constraints', 'constraints'],
    ['readonly_root_filesystem', 'readOnlyRootFilesystem'],
  ];
  for (const [from, to] of copy) if (spec[from] !== undefined) fnSpec[to] = spec[from];
  return { apiVersion: 'openfaas.com/v1', kind: 'Function', metadata: { name, namespace }, spec: fnSpec };
}
