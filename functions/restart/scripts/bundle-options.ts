// esbuild options for dist/restart.cjs (loaded by dist/restart.mjs), shared by `npm run build`, the bundle test and the bench.
// Cold start is what scale-from-zero pays, and most of it is V8 compiling the bundle, so the bundle
// keeps only what runs:
//  - client-node's index re-exports ~70 API groups, watch/exec/attach (ws), informers …; its modules
//    are side-effect free, so marking them so lets esbuild drop every module nothing uses;
//  - the generated ObjectSerializer imports every model class (~700) to turn JSON into model
//    instances; the function wants the JSON as the API sent it (the port converts models back to
//    plain JSON anyway), so in the bundle its type map is empty: an unknown type deserializes to
//    the parsed JSON itself, exactly what client-node does for CustomObjectsApi. No model module is
//    then referenced and esbuild drops all of them (see modelFreeSerializer);
//  - node-fetch falls back to the whatwg-url package only where Node has no URL class (Node always
//    has it): a two-line shim replaces that package and its Unicode tables.
import type { BuildOptions, Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

const CLIENT_NODE_DIST = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]/;

const sideEffectFreeClientNode: Plugin = {
  name: 'client-node-side-effect-free',
  setup(build) {
    build.onResolve({ filter: /.*/ }, async (args) => {
      if (
        args.pluginData === 'inner' ||
        !(CLIENT_NODE_DIST.test(args.importer) || args.path === '@kubernetes/client-node')
      )
        return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        importer: args.importer,
        pluginData: 'inner',
      });
      if (resolved.errors.length > 0 || !CLIENT_NODE_DIST.test(resolved.path)) return undefined;
      return { path: resolved.path, sideEffects: false };
    });
  },
};

const OBJECT_SERIALIZER = /[\\/]@kubernetes[\\/]client-node[\\/]dist[\\/]gen[\\/]models[\\/]ObjectSerializer\.js$/;

/** ObjectSerializer.js without its model imports and with `let typeMap = {}` (fails the build if its shape changed). */
export function stripModels(source: string): string {
  const start = source.indexOf('let typeMap = {');
  const end = source.indexOf('\n};', start);
  if (start < 0 || end < 0) throw new Error('client-node ObjectSerializer.js: no `let typeMap = {...};` to empty');
  const out = `${source.slice(0, start)}let typeMap = {};${source.slice(end + 3)}`
    .split('\n')
    .filter(
      (line) => !/^(export \* from|import \{ [A-Za-z0-9_]+ \} from) '\.\.\/models\/[A-Za-z0-9_]+\.js';$/.test(line),
    )
    .join('\n');
  if (/from '\.\.\/models\//.test(out))
    throw new Error('client-node ObjectSerializer.js: a model import was not recognised');
  return out;
}

const modelFreeSerializer: Plugin = {
  name: 'client-node-model-free-serializer',
  setup(build) {
    build.onLoad({ filter: OBJECT_SERIALIZER }, async (args) => ({
      contents: stripModels(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

export function bundleOptions(outfile: string): BuildOptions {
  return {
    absWorkingDir: ROOT,
    entryPoints: ['src/main.ts'],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    // CommonJS so that dist/restart.mjs can compile it through vm.Script with V8's code cache
    format: 'cjs',
    // optional native accelerators of ws; absent is fine
    external: ['bufferutil', 'utf-8-validate'],
    alias: { 'whatwg-url': './scripts/shims/whatwg-url.cjs' },
    plugins: [sideEffectFreeClientNode, modelFreeSerializer],
    // less source = less to compile on every cold start; names kept for readable stack traces
    minify: true,
    keepNames: true,
    sourcemap: 'linked',
    legalComments: 'none',
    logLevel: 'warning',
  };
}
