// Template of dist/restart.mjs, the production entry point. `npm run build` puts the CommonJS bundle
// in place of BUNDLE (as a string) and writes <name>.code-cache beside it: V8's compiled code for
// that bundle, made by the same Node binary. With the cache, a cold start deserializes compiled code
// instead of compiling ~2.5 MB of JavaScript; without it (or when V8 rejects it, e.g. another Node
// version), the bundle is simply compiled: the cache is an optimisation, never a requirement.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import path from 'node:path';
import process from 'node:process';
import { URL, fileURLToPath } from 'node:url';
import vm from 'node:vm';

const BUNDLE = /*__BUNDLE__*/ null;

const self = fileURLToPath(new URL(import.meta.url));
const dir = path.dirname(self);
const base = path.basename(self, '.mjs');
const filename = path.join(dir, `${base}.cjs`); // the name stack traces and the source map use
const cacheFile = path.join(dir, `${base}.code-cache`);
const writeCache = process.env.REROLL_WRITE_CODE_CACHE === '1';

let cachedData;
if (!writeCache) {
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    cachedData = undefined;
  }
}
const script = new vm.Script(Module.wrap(BUNDLE), { filename, cachedData });
const cjs = { exports: {} };
globalThis.__rerollDeferMain = true; // the bundle's main() waits for this loader
script.runInThisContext().call(cjs.exports, cjs.exports, createRequire(filename), cjs, filename, dir);

if (writeCache) {
  // after evaluation, so every module body that ran is in the cache too
  const tmp = `${cacheFile}.${process.pid}.tmp`;
  writeFileSync(tmp, script.createCachedData());
  renameSync(tmp, cacheFile);
  process.exit(0);
} else if (typeof cjs.exports.runMain === 'function') {
  cjs.exports.runMain();
}
