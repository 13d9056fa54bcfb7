// When did a PATCH that rolls land? A watch on the namespace's Deployments (client-node's Watch, as
// any observer of a real apiserver sees it) resolves a waiter the moment a Deployment's pod template
// differs from the one it had before. The first sight of each Deployment only records its template.
import { Watch, type KubeConfig, type V1Deployment } from '@kubernetes/client-node';

export interface TemplateWatch {
  /** resolves with performance.now() when `name`'s pod template next changes */
  nextChange(name: string): Promise<number>;
  /** template changes seen so far, per Deployment */
  changes(name: string): number;
  /** Deployments seen so far (the watch's first events list every existing one) */
  size(): number;
  stop(): void;
}

export async function watchTemplates(kubeConfig: KubeConfig, namespace: string): Promise<TemplateWatch> {
  const templates = new Map<string, string>();
  const counts = new Map<string, number>();
  const waiters = new Map<string, (at: number) => void>();
  let stopped = false;
  let controller: AbortController | undefined;
  const start = async (): Promise<void> => {
    controller = await new Watch(kubeConfig).watch(
      `/apis/apps/v1/namespaces/${namespace}/deployments`,
      {},
      (_type: string, d: V1Deployment) => {
        const at = performance.now();
        const name = d.metadata?.name ?? '';
        const template = JSON.stringify(d.spec?.template);
        const before = templates.get(name);
        templates.set(name, template);
        if (before === undefined || before === template) return;
        counts.set(name, (counts.get(name) ?? 0) + 1);
        const waiter = waiters.get(name);
        waiters.delete(name);
        waiter?.(at);
      },
      () => {
        // a watch ends (timeout, 410): every Deployment comes again as ADDED, same template, no change
        if (!stopped) void start();
      },
    );
  };
  await start();
  return {
    nextChange: (name) => new Promise<number>((resolve) => waiters.set(name, resolve)),
    changes: (name) => counts.get(name) ?? 0,
    size: () => templates.size,
    stop() {
      stopped = true;
      controller?.abort();
    },
  };
}
