// vitest globalSetup for the real tier: one control plane per workspace test run (each start costs
// seconds), or ONE line saying how to enable the tier when its binaries are not configured, so a
// clone without ../shared stays green. Teardown says how many real-tier tests ran, then stops it all.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { findRealTierAssets, ENABLE_HINT } from './find-assets';
import { startControlPlane } from './control-plane';
import type { RealTierContext } from './real-tier-context';
import './real-tier-context';

export interface RealTierSetupOptions {
  /** also run kube-controller-manager (ReplicaSets, namespace deletion, GC); costs CPU, off by default */
  controllerManager?: boolean;
}

export function realTierGlobalSetup(options: RealTierSetupOptions = {}) {
  return async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
    const found = findRealTierAssets(process.env);
    const label = project.name || path.basename(project.config.root);
    if ('skipReason' in found) {
      console.log(`[real tier] ${label}: skipped, ${found.skipReason}`);
      project.provide('realTier', null);
      return undefined;
    }
    const started = Date.now();
    const cp = await startControlPlane({ assets: found, controllerManager: options.controllerManager });
    const ranFile = path.join(cp.dir, 'real-tier-tests-ran');
    writeFileSync(ranFile, '');
    const context: RealTierContext = {
      info: {
        server: cp.server,
        caFile: cp.caFile,
        adminKubeconfig: cp.adminKubeconfig,
        auditLog: cp.auditLog,
        dir: cp.dir,
        controllerManager: cp.controllerManager,
      },
      assets: found,
      ranFile,
      ...(found.adapters.length === 0 ? { adapterSkipReason: `REROLL_ADAPTER_BIN is unset: ${ENABLE_HINT}` } : {}),
    };
    project.provide('realTier', context);
    const adapters = found.adapters.map((a) => `v${a.version}`).join(', ') || 'none';
    console.log(
      `[real tier] ${label}: kube-apiserver at ${cp.server} ready in ${Date.now() - started} ms (adapters: ${adapters})`,
    );
    return async () => {
      const ran = readFileSync(ranFile, 'utf8').split('\n').filter(Boolean).length;
      console.log(
        `[real tier] ${label}: ${ran} real-tier test${ran === 1 ? '' : 's'} ran against the real kube-apiserver`,
      );
      await cp.stop();
    };
  };
}
