// Builds the production artifact into a directory: restart.mjs (the loader with the whole CommonJS
// bundle inside, see bundle-options.ts and loader.mjs), restart.cjs.map, and restart.code-cache
// (V8 code cache, made by running restart.mjs once with this Node binary: build it with the Node
// the image runs; restart.mjs works without it, only slower to start).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { ROOT, bundleOptions } from './bundle-options';

const PLACEHOLDER = '/*__BUNDLE__*/ null';

export async function buildRestart(dist: string): Promise<string> {
  mkdirSync(dist, { recursive: true });
  // files of earlier layouts; the current ones are replaced atomically, so a process (a bench, the
  // local runner) starting while a build runs never sees a half-written or missing entry point
  for (const stale of ['restart.cjs', 'restart.cjs.cache', 'restart.mjs.map'])
    rmSync(path.join(dist, stale), { force: true });
  return buildWithCodeCache(bundleOptions(path.join(dist, 'restart.cjs')));
}

function writeAtomically(file: string, contents: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
}

/**
 * Any CommonJS esbuild build (options.outfile = <dir>/<name>.cjs) → <dir>/<name>.mjs (loader + bundle)
 * and <dir>/<name>.code-cache. The bench uses it to give its baseline the same treatment.
 */
export async function buildWithCodeCache(options: BuildOptions): Promise<string> {
  if (!options.outfile?.endsWith('.cjs') || options.format !== 'cjs')
    throw new Error('buildWithCodeCache needs format cjs and an outfile ending in .cjs');
  const result = await build({ ...options, write: false });
  const js = result.outputFiles.find((f) => f.path.endsWith('.cjs'));
  const map = result.outputFiles.find((f) => f.path.endsWith('.map'));
  if (!js) throw new Error('esbuild produced no bundle');
  mkdirSync(path.dirname(options.outfile), { recursive: true });
  if (map) writeAtomically(map.path, map.contents);
  const template = readFileSync(path.join(ROOT, 'scripts/loader.mjs'), 'utf8');
  if (!template.includes(PLACEHOLDER)) throw new Error('scripts/loader.mjs lost its bundle placeholder');
  const entry = options.outfile.replace(/\.cjs$/, '.mjs');
  writeAtomically(
    entry,
    template.replace(PLACEHOLDER, () => JSON.stringify(js.text)),
  );
  execFileSync(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', REROLL_WRITE_CODE_CACHE: '1' },
    stdio: 'inherit',
  });
  return entry;
}
