// What every function's entry point (main.ts) does besides its own wiring: find the namespace it runs
// in, stop on an invalid configuration with every error listed, and run main() unless the bundle's
// code-cache loader (dist/<name>.mjs) evaluates the bundle first and calls it itself.
import { readFileSync } from 'node:fs';

const IN_CLUSTER_NAMESPACE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** what findOwnNamespace reads of a client-node KubeConfig */
export interface KubeContextSource {
  getCurrentContext(): string;
  getContextObject(name: string): { namespace?: string } | null;
}

/** The in-cluster ServiceAccount's namespace, else the kubeconfig context's (as kubectl: none = "default"). */
export function findOwnNamespace(
  kubeConfig: KubeContextSource,
  namespaceFile = IN_CLUSTER_NAMESPACE,
): string | undefined {
  try {
    return readFileSync(namespaceFile, 'utf8').trim() || undefined;
  } catch {
    const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
    return context ? (context.namespace ?? 'default') : undefined;
  }
}

/** A configuration that did not validate: every error on stderr, exit 2 (nothing is served). */
export function exitOnInvalidConfig(name: string, errors: string[]): never {
  console.error(`${name}: invalid configuration:\n  ${errors.join('\n  ')}`);
  process.exit(2);
}

/** main() with a start failure reported as one line and exit code 1. */
export function runEntryPoint(name: string, main: () => Promise<void>): void {
  main().catch((err: unknown) => {
    console.error(`${name}: failed to start:`, err);
    process.exit(1);
  });
}

/** true when the code-cache loader evaluates the bundle and will call runMain() itself */
export function isMainDeferred(): boolean {
  return Boolean((globalThis as { __rerollDeferMain?: boolean }).__rerollDeferMain);
}
