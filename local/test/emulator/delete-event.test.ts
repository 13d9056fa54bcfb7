// What a delete leaves in the DELETED watch event and the answer: a real kube-apiserver removes an
// object without finalizers at once, with no deletionTimestamp (the real-tier comparison of the
// emulated ApiServerSource found the emulator adding one); only a namespace is deleted gracefully.
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index';

let emulator: Emulator;
let kc: KubeConfig;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  kc = new KubeConfig();
  kc.loadFromFile(emulator.kubeconfigPath);
  await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: 'del' } } });
});
afterAll(() => emulator.stop());

it('a deleted ConfigMap comes out of its watch without a deletionTimestamp', async () => {
  const core = kc.makeApiClient(CoreV1Api);
  const created = await core.createNamespacedConfigMap({
    namespace: 'del',
    body: { metadata: { name: 'gone' }, data: { k: 'v' } },
  });
  const deleted = new Promise<{ metadata: Record<string, unknown> }>((resolve, reject) => {
    void new Watch(kc)
      .watch(
        '/api/v1/namespaces/del/configmaps',
        { resourceVersion: created.metadata?.resourceVersion },
        (phase, obj: { metadata: Record<string, unknown> }) => {
          if (phase === 'DELETED') resolve(obj);
        },
        (err: unknown) => (err ? reject(err instanceof Error ? err : new Error(JSON.stringify(err))) : undefined),
      )
      .then((ctl) => setTimeout(() => ctl.abort(), 10_000));
  });
  await new Promise((r) => setTimeout(r, 100));
  await core.deleteNamespacedConfigMap({ name: 'gone', namespace: 'del' });
  const event = await deleted;
  expect(event.metadata.name).toBe('gone');
  expect(event.metadata).not.toHaveProperty('deletionTimestamp');
  expect(Number(event.metadata.resourceVersion)).toBeGreaterThan(Number(created.metadata?.resourceVersion));
});
