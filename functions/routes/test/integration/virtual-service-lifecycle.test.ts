// Events in, the live VirtualService checked with kubectl: the real server and client-node against
// the API emulator. The same scenarios run against a real kube-apiserver and the real Knative adapter
// in reliability/test/real-tier/routes-real-adapter.test.ts.
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/core/types';
import { configYaml, routesConfig, service, SEED_TEMPLATE } from '../helpers/fixtures';
import { routesOf, startRoutesHarness, type RoutesHarness } from '../helpers/harness';

const NS = 'prod';
const CONFIG = { namespace: 'routes-system', name: 'routes-config' };
let emulator: Emulator;
let h: RoutesHarness;
let n = 0;

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${emulator.url}${path}`, { ...init, headers: { 'content-type': 'application/json', ...init.headers } });
const createService = (name: string, namespace: string, ports = [80]) =>
  api(`/api/v1/namespaces/${namespace}/services`, {
    method: 'POST',
    body: JSON.stringify(service(name, namespace, ports)),
  });
const deleteService = (name: string, namespace: string) =>
  api(`/api/v1/namespaces/${namespace}/services/${name}`, { method: 'DELETE' });
async function writeConfig(
  config = routesConfig({ defaultNamespace: NS, developerNamespaces: ['dev-alice', 'dev-bob'] }),
) {
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: CONFIG, data: { 'config.yaml': configYaml(config) } };
  const res = await api(`/api/v1/namespaces/${CONFIG.namespace}/configmaps/${CONFIG.name}`, {
    method: 'PUT',
    body: JSON.stringify(body),
  });
  if (res.status === 404)
    await api(`/api/v1/namespaces/${CONFIG.namespace}/configmaps`, { method: 'POST', body: JSON.stringify(body) });
}
const vsName = (svc: string) => `${svc}-virtual-service`;

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.seed(
    ['routes-system', NS, 'dev-alice', 'dev-bob'].map((name) => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name },
    })),
  );
  await writeConfig();
  h = await startRoutesHarness({ kubeconfigPath: emulator.kubeconfigPath, configMap: CONFIG });
}, 60_000);

afterAll(async () => {
  await h?.stop();
  await emulator?.stop();
});

describe('routes on the emulator: events in, the live VirtualService out', () => {
  it('a Service with a namesake in dev-alice gets a VirtualService routing x-developer: dev-alice there', async () => {
    const svc = `app-${++n}`;
    await createService(svc, NS);
    await createService(svc, 'dev-alice', [8080]);
    const answer = await h.send('add', NS, svc);
    expect(answer.status).toBe(200);
    expect(answer.json.decisions).toMatchObject([{ action: 'created', name: vsName(svc) }]);
    const live = await h.liveVirtualService(NS, vsName(svc));
    expect(live?.metadata?.labels).toMatchObject({ 'app.kubernetes.io/managed-by': 'reroll-routes' });
    expect(routesOf(live)).toEqual([
      ['dev-alice', `${svc}.dev-alice.svc.cluster.local`],
      [null, `${svc}.${NS}.svc.cluster.local`],
    ]);
    expect(h.lines.some((l) => l.includes(`[routes] created virtualservice=${NS}/${vsName(svc)}`))).toBe(true);
  });

  it('developer Services created and deleted add and remove their routes; the default one deleted removes it all', async () => {
    const svc = `app-${++n}`;
    await createService(svc, NS);
    await h.send('add', NS, svc);
    expect(routesOf(await h.liveVirtualService(NS, vsName(svc)))).toEqual([[null, `${svc}.${NS}.svc.cluster.local`]]);

    await createService(svc, 'dev-bob');
    await h.send('add', 'dev-bob', svc);
    await createService(svc, 'dev-alice');
    expect((await h.send('add', 'dev-alice', svc)).json.decisions).toMatchObject([{ action: 'updated' }]);
    expect(routesOf(await h.liveVirtualService(NS, vsName(svc))).map((r) => r[0])).toEqual([
      'dev-alice',
      'dev-bob',
      null,
    ]);

    await deleteService(svc, 'dev-alice');
    await h.send('delete', 'dev-alice', svc);
    expect(routesOf(await h.liveVirtualService(NS, vsName(svc))).map((r) => r[0])).toEqual(['dev-bob', null]);

    await deleteService(svc, NS);
    expect((await h.send('delete', NS, svc)).json.decisions).toMatchObject([{ action: 'deleted' }]);
    expect(await h.liveVirtualService(NS, vsName(svc))).toBeNull();
  });

  it('a Service only in a developer namespace makes no VirtualService', async () => {
    const svc = `app-${++n}`;
    await createService(svc, 'dev-alice');
    expect((await h.send('add', 'dev-alice', svc)).json.decisions).toMatchObject([{ action: 'skipped' }]);
    expect(await h.liveVirtualService(NS, vsName(svc))).toBeNull();
  });

  it('duplicate, reordered and replayed events change nothing once converged (no write: same resourceVersion)', async () => {
    const svc = `app-${++n}`;
    await createService(svc, NS);
    await createService(svc, 'dev-alice');
    await h.send('add', 'dev-alice', svc); // before the default one's event: reads the live state anyway
    const first = await h.liveVirtualService(NS, vsName(svc));
    const events: Array<['add' | 'update', string]> = [
      ['update', NS],
      ['add', 'dev-alice'],
      ['add', NS],
      ['add', 'dev-alice'],
      ['update', 'dev-alice'],
    ];
    for (const [action, ns] of events)
      expect((await h.send(action, ns, svc)).json.decisions).toMatchObject([{ action: 'unchanged' }]);
    await Promise.all(events.map(([action, ns]) => h.send(action, ns, svc)));
    const after = await h.liveVirtualService(NS, vsName(svc));
    expect(after?.metadata?.resourceVersion).toBe(first?.metadata?.resourceVersion);
    expect(routesOf(after).map((r) => r[0])).toEqual(['dev-alice', null]);
  });

  it('injected 409s on the update re-read and converge', async () => {
    const svc = `app-${++n}`;
    await createService(svc, NS);
    await h.send('add', NS, svc);
    await createService(svc, 'dev-bob');
    emulator.inject({ verb: 'update', resource: 'virtualservices', name: vsName(svc), status: 409, times: 2 });
    const answer = await h.send('add', 'dev-bob', svc);
    expect(answer.json.decisions).toMatchObject([{ action: 'updated' }]);
    expect(answer.json.decisions?.[0]?.reason).toMatch(/after 2 conflict/);
    expect(routesOf(await h.liveVirtualService(NS, vsName(svc))).map((r) => r[0])).toEqual(['dev-bob', null]);
  });

  it('someone else edits our VirtualService: the next event converges it back', async () => {
    const svc = `app-${++n}`;
    await createService(svc, NS);
    await h.send('add', NS, svc);
    const live = (await h.liveVirtualService(NS, vsName(svc)))!;
    const edited: KubeObject = { ...live, spec: { ...live.spec, hosts: ['tampered'] } };
    await api(`/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices/${vsName(svc)}`, {
      method: 'PUT',
      body: JSON.stringify(edited),
    });
    expect((await h.send('update', NS, svc)).json.decisions).toMatchObject([{ action: 'updated' }]);
    expect((await h.liveVirtualService(NS, vsName(svc)))?.spec?.hosts).toEqual([svc]);
  });

  it('a VirtualService without our label is left alone, even when its Service goes away', async () => {
    const svc = `app-${++n}`;
    const theirs = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: vsName(svc), namespace: NS },
      spec: { hosts: ['theirs'] },
    };
    await api(`/apis/networking.istio.io/v1/namespaces/${NS}/virtualservices`, {
      method: 'POST',
      body: JSON.stringify(theirs),
    });
    await createService(svc, NS);
    expect((await h.send('add', NS, svc)).json.decisions).toMatchObject([{ action: 'skipped' }]);
    await deleteService(svc, NS);
    expect((await h.send('delete', NS, svc)).json.decisions).toMatchObject([{ action: 'skipped' }]);
    expect((await h.liveVirtualService(NS, vsName(svc)))?.spec?.hosts).toEqual(['theirs']);
  });

  it('an edit of the config ConfigMap applies on the next event, without a restart; a broken template writes nothing', async () => {
    const svc = `app-${++n}`;
    await createService(svc, NS);
    await createService(svc, 'dev-alice');
    await writeConfig(routesConfig({ defaultNamespace: NS, developerNamespaces: [] }));
    await h.send('add', NS, svc);
    expect(routesOf(await h.liveVirtualService(NS, vsName(svc))).map((r) => r[0])).toEqual([null]);

    await writeConfig(routesConfig({ defaultNamespace: NS, developerNamespaces: ['dev-alice'] }));
    await h.send('update', NS, svc);
    expect(routesOf(await h.liveVirtualService(NS, vsName(svc))).map((r) => r[0])).toEqual(['dev-alice', null]);

    const before = await h.liveVirtualService(NS, vsName(svc));
    await writeConfig(
      routesConfig({ defaultNamespace: NS, virtualServiceTemplate: SEED_TEMPLATE.replace('hosts:', 'hostz:') }),
    );
    const answer = await h.send('update', 'dev-alice', svc);
    expect(answer.json.decisions).toMatchObject([{ action: 'failed' }]);
    expect(answer.json.decisions?.[0]?.reason).toMatch(/spec.hostz: unknown field.*nothing written/);
    expect((await h.liveVirtualService(NS, vsName(svc)))?.metadata?.resourceVersion).toBe(
      before?.metadata?.resourceVersion,
    );
    await writeConfig();
  });

  it('a resync deletes the VirtualService of a Service deleted while no event arrived, and creates missing ones', async () => {
    const gone = `app-${++n}`;
    const missed = `app-${++n}`;
    await createService(gone, NS);
    await h.send('add', NS, gone);
    await deleteService(gone, NS); // its delete event never arrives
    await createService(missed, NS); // neither does this add
    const answer = await h.resync();
    expect(answer.status).toBe(200);
    const byName = Object.fromEntries((answer.json.decisions ?? []).map((d) => [d.name, d.action]));
    expect(byName[vsName(gone)]).toBe('deleted');
    expect(byName[vsName(missed)]).toBe('created');
    expect(await h.liveVirtualService(NS, vsName(gone))).toBeNull();
  });

  it('events about system namespaces and Knative Services are refused or ignored', async () => {
    expect((await h.send('add', 'kube-system', 'kube-dns')).json.note).toMatch(/system namespace/);
    const res = await fetch(`${h.fn.url}/`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'ce-specversion': '1.0',
        'ce-id': '1',
        'ce-source': 's',
        'ce-type': 'dev.knative.apiserver.ref.add',
      },
      body: JSON.stringify({ apiVersion: 'serving.knative.dev/v1', kind: 'Service', name: 'x', namespace: NS }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'data.kind' });
  });
});
