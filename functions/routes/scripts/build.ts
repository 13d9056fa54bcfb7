// npm run build → dist/routes.mjs (+ routes.cjs.map, routes.code-cache); see build-bundle.ts.
import path from 'node:path';
import { buildRoutes } from './build-bundle';
import { ROOT } from './bundle-options';

await buildRoutes(path.join(ROOT, 'dist'));
