// The hash a workload should carry, from the ConfigMaps live in the emulator right now.
import type { Emulator, KObject } from '@reroll/local/emulator';
import { readConfigMap } from './cluster-access';
import { expectedHash } from './expected-hash';
import type { PlannedWorkload } from './storm-cluster';

/** undefined while any ConfigMap the workload uses is missing (the function skips, it records nothing). */
export function liveHash(emulator: Emulator, w: PlannedWorkload): string | undefined {
  const live = new Map<string, KObject>();
  for (const use of w.uses) {
    const cm = readConfigMap(emulator, w.namespace, use.name);
    if (!cm) return undefined;
    live.set(use.name, cm);
  }
  return expectedHash(w.uses, (use) => live.get(use.name) as { data?: Record<string, string> });
}
