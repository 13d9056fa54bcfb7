// Builds dist/routes.mjs (restart's code-cache loader with the bundle inside) and
// dist/routes.code-cache: the same artifact shape and cold-start treatment as restart.
import path from 'node:path';
import { buildWithCodeCache } from '@reroll/restart/build';
import { bundleOptions } from './bundle-options';

export function buildRoutes(dist: string): Promise<string> {
  return buildWithCodeCache(bundleOptions(path.join(dist, 'routes.cjs')));
}
