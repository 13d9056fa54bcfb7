// Connections the function opens to the API server: one keep-alive pool for the life of the process,
// over TLS with bearer tokens (the emulator in RBAC mode), authentication still done by client-node.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { RESOURCE_TABLE, renderKubeconfig, startEmulator, type Emulator } from '@reroll/local/emulator';
import { CloudEvent, HTTP } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConnectionPool } from '../../src/kube/connection-pool';
import { createClientNodePort } from '../../src/kube/client-node-port';
import { startCountingProxy, type CountingProxy } from '@reroll/envtest/counting-proxy';
import { startHarness, type Harness } from '../helpers/harness';
import { makeWorkload } from '../helpers/workloads';

const CONFIGMAPS = RESOURCE_TABLE.find((t) => t.group === '' && t.kind === 'ConfigMap')!;
let emulator: Emulator;
let proxy: CountingProxy;

function kubeConfigWith(user: Record<string, unknown>): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(renderKubeconfig({ server: proxy.url, user: 'admin' }));
  const users = kc.users.map((u) => ({ ...u, ...user }));
  kc.loadFromOptions({ clusters: kc.clusters, users, contexts: kc.contexts, currentContext: kc.currentContext });
  return kc;
}

function updateEvent(name: string): { headers: Record<string, string>; body: string } {
  const msg = HTTP.binary(
    new CloudEvent({
      type: 'dev.knative.apiserver.ref.update',
      source: 'https://10.96.0.1:443',
      subject: `/apis/v1/namespaces/demo/configmaps/${name}`,
      kind: 'ConfigMap',
      name,
      namespace: 'demo',
      datacontenttype: 'application/json',
      data: { kind: 'ConfigMap', namespace: 'demo', name, apiVersion: 'v1' },
    }),
  );
  return { headers: msg.headers as Record<string, string>, body: msg.body as string };
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, authorization: 'rbac' }); // HTTPS + bearer tokens
  expect(emulator.url).toMatch(/^https:/);
  emulator.seed([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: 'helloworld-test',
        namespace: 'demo',
        labels: { app: 'helloworld', env: 'test' },
        annotations: { 'rolling.restart.controller/triggerRestart': 'true' },
      },
      data: { ENV_MESSAGE: 'v0' },
    },
    makeWorkload({ name: 'helloworld-test' }),
  ]);
  proxy = await startCountingProxy(emulator.url);
}, 30_000);
afterAll(async () => {
  await proxy?.stop();
  await emulator?.stop();
});

describe('connections to the API server', () => {
  it('client-node 1.4 on its own opens one TLS connection per request (why the pool exists)', async () => {
    const core = kubeConfigWith({ token: emulator.adminToken }).makeApiClient(CoreV1Api);
    proxy.reset();
    for (let i = 0; i < 5; i++) await core.readNamespacedConfigMap({ name: 'helloworld-test', namespace: 'demo' });
    expect(proxy.connections()).toBe(5);
  });

  it('100 warm events, each a real change that rolls, open at most 2 connections', async () => {
    const pool = new ConnectionPool();
    const port = createClientNodePort({ kubeConfig: kubeConfigWith({ token: emulator.adminToken }), pool });
    let harness: Harness | undefined;
    try {
      harness = await startHarness({ port, config: { logLevel: 'warn' } });
      const event = updateEvent('helloworld-test');
      expect((await harness.post(event.headers, event.body)).status).toBe(200); // warm-up: the pool fills
      proxy.reset();
      let rolled = 0;
      for (let i = 0; i < 100; i++) {
        emulator.core.patch(
          CONFIGMAPS,
          'demo',
          'helloworld-test',
          'merge',
          { data: { ENV_MESSAGE: `v${i + 1}` } },
          false,
        );
        const answer = await harness.post(event.headers, event.body);
        expect(answer.status).toBe(200);
        const decisions = answer.json.decisions as Array<{ action: string }>;
        rolled += decisions.filter((d) => d.action === 'rolled').length;
      }
      expect(rolled).toBe(100);
      expect(proxy.connections()).toBeLessThanOrEqual(2);
      expect(pool.stats().agents).toBe(1);
    } finally {
      await harness?.stop();
      pool.destroy();
    }
  }, 120_000);

  it('a rotating token file is still read by client-node: every pooled request carries it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'reroll-token-'));
    const tokenFile = path.join(dir, 'token');
    await writeFile(tokenFile, emulator.adminToken!);
    const pool = new ConnectionPool();
    const kubeConfig = kubeConfigWith({ authProvider: { name: 'tokenFile', config: { tokenFile } } });
    const port = createClientNodePort({ kubeConfig, pool });
    proxy.reset();
    try {
      for (let i = 0; i < 10; i++) {
        const cm = await port.getConfig({ kind: 'ConfigMap', namespace: 'demo', name: 'helloworld-test' });
        expect(cm?.metadata?.name).toBe('helloworld-test'); // a 401 would have thrown
      }
      expect(proxy.connections()).toBe(1);
    } finally {
      pool.destroy();
    }
  });
});
