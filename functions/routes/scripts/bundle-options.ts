// esbuild options for dist/routes.cjs: restart's (client-node trimmed to what runs, the whatwg-url
// shim, minified CommonJS for the code-cache loader) with two differences: the entry point, and the
// VirtualService CRD schemas inlined as JSON, since the image carries no crds/ folder.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';
import { ROOT as RESTART_ROOT, bundleOptions as restartOptions } from '@reroll/restart/bundle-options';
import { CRD_FILE, extractSchemas } from '../src/intake/virtual-service-crd';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

const inlineCrd: Plugin = {
  name: 'inline-virtual-service-crd',
  setup(build) {
    build.onLoad({ filter: /[\\/]intake[\\/]virtual-service-crd\.ts$/ }, () => ({
      loader: 'ts',
      contents: [
        `const SCHEMAS = JSON.parse(${JSON.stringify(JSON.stringify(extractSchemas(readFileSync(CRD_FILE, 'utf8'))))});`,
        'export function readVirtualServiceSchemas() { return SCHEMAS; }',
      ].join('\n'),
    }));
  },
};

export function bundleOptions(outfile: string): BuildOptions {
  const base = restartOptions(outfile);
  return {
    ...base,
    absWorkingDir: ROOT,
    entryPoints: ['src/main.ts'],
    alias: { 'whatwg-url': path.join(RESTART_ROOT, 'scripts/shims/whatwg-url.cjs') },
    plugins: [...(base.plugins ?? []), inlineCrd],
  };
}
