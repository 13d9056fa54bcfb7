// npm run build: one ESM bundle, dist/restart.mjs. A single file loads much faster than resolving
// hundreds of node_modules files, which is what a scale-from-zero cold start pays for.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/restart.mjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  // CommonJS dependencies (express, client-node's deps) call require(): give the ESM bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // optional native accelerators of ws; absent is fine
  external: ['bufferutil', 'utf-8-validate'],
  // smaller source = less to parse on every cold start; names kept for readable stack traces
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  legalComments: 'none',
  logLevel: 'warning',
});
