// npm run build → dist/restart.mjs (+ restart.cjs, restart.cjs.cache); see build-bundle.ts.
import path from 'node:path';
import { ROOT } from './bundle-options';
import { buildRestart } from './build-bundle';

await buildRestart(path.join(ROOT, 'dist'));
