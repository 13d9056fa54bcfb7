// What a LIST keeps of each workload: everything the core decides from (metadata, the pod template),
// without metadata.managedFields and status, which in a big namespace are most of every object.
import { KubeConfig } from '@kubernetes/client-node';
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClientNodePort } from '../../src/kube/client-node-port';
import type { KubePort } from '../../src/kube/port';
import { DEMO_NAMESPACE } from '../helpers/fixtures';
import { makeWorkload } from '../helpers/workloads';

let emulator: Emulator;
let port: KubePort;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.seed([DEMO_NAMESPACE]);
  // created through the API with a field manager, as kubectl does: the server records managedFields
  const res = await fetch(`${emulator.url}/apis/apps/v1/namespaces/demo/deployments?fieldManager=kubectl`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(makeWorkload({ name: 'busy', namespace: 'demo' })),
  });
  expect(res.status).toBe(201);
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(emulator.kubeconfigPath);
  port = createClientNodePort({ kubeConfig });
}, 30_000);
afterAll(async () => {
  await emulator?.stop();
});

it('listed workloads carry metadata and the pod template, not managedFields or status', async () => {
  const full = await port.getWorkload({ kind: 'Deployment', namespace: 'demo', name: 'busy' });
  // the API does hold both (a GET returns the whole object): the LIST is what leaves them out
  expect(full?.metadata?.managedFields).toHaveLength(1);
  expect((full as { status?: unknown }).status).toBeDefined();

  const listed = await port.listWorkloads('demo', ['Deployment']);
  const busy = listed.workloads.find((w) => w.object.metadata?.name === 'busy')!.object;
  expect(busy.metadata?.managedFields).toBeUndefined();
  expect((busy as { status?: unknown }).status).toBeUndefined();
  expect(busy.metadata?.annotations).toEqual(full?.metadata?.annotations);
  expect(busy.metadata?.resourceVersion).toBe(full?.metadata?.resourceVersion);
  expect(busy.spec).toEqual(full?.spec);
});
