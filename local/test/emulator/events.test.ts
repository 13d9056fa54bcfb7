// Events in both API groups, as a controller writes them (client-node EventsV1Api) and as a person
// reads them (kubectl get events, kubectl describe deployment), over one shared storage.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import {
  CoreV1Api,
  EventsV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type EventsV1Event,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RESOURCE_TABLE, startEmulator, type Emulator } from '../../src/emulator/index';

const run = promisify(execFile);
const microTime = () => new Date().toISOString().replace(/Z$/, '000Z');

describe('Events (v1 and events.k8s.io/v1)', () => {
  let emu: Emulator;
  let events: EventsV1Api;
  let core: CoreV1Api;
  let deploymentUid = '';
  const kubectl = async (...args: string[]) =>
    (await run('kubectl', ['--kubeconfig', emu.kubeconfigPath, '-n', 'demo', ...args])).stdout;

  const rolledEvent = (name: string, overrides: Partial<EventsV1Event> = {}): EventsV1Event => ({
    metadata: { name, namespace: 'demo' },
    eventTime: microTime() as unknown as Date,
    reportingController: 'reroll.dev/restart',
    reportingInstance: 'restart-1',
    action: 'Roll',
    reason: 'Rolled',
    type: 'Normal',
    note: 'rolled for configmap/hello-config: 1a2b3c4d → 5e6f7a8b',
    regarding: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'hello', namespace: 'demo', uid: deploymentUid },
    ...overrides,
  });

  beforeAll(async () => {
    emu = await startEmulator();
    emu.seed([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'hello', namespace: 'demo' },
        spec: {
          selector: { matchLabels: { app: 'hello' } },
          template: { metadata: { labels: { app: 'hello' } }, spec: { containers: [{ name: 'a', image: 'h:1' }] } },
        },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'other', namespace: 'demo' },
        spec: {
          selector: { matchLabels: { app: 'other' } },
          template: { metadata: { labels: { app: 'other' } }, spec: { containers: [{ name: 'a', image: 'h:1' }] } },
        },
      },
    ]);
    const kc = new KubeConfig();
    kc.loadFromFile(emu.kubeconfigPath);
    events = kc.makeApiClient(EventsV1Api);
    core = kc.makeApiClient(CoreV1Api);
    const deployments = RESOURCE_TABLE.find((t) => t.group === 'apps' && t.resource === 'deployments')!;
    deploymentUid = emu.core.get(deployments, 'demo', 'hello').metadata.uid!;
  });
  afterAll(() => emu.stop());

  it('an events.k8s.io/v1 Event is read back in both groups with the fields renamed', async () => {
    await events.createNamespacedEvent({ namespace: 'demo', body: rolledEvent('hello.1') });
    const v1 = await events.readNamespacedEvent({ namespace: 'demo', name: 'hello.1' });
    expect(v1.note).toContain('1a2b3c4d → 5e6f7a8b');
    expect(v1.reportingController).toBe('reroll.dev/restart');
    const legacy = await core.readNamespacedEvent({ namespace: 'demo', name: 'hello.1' });
    expect(legacy.involvedObject).toMatchObject({ kind: 'Deployment', name: 'hello', uid: deploymentUid });
    expect(legacy.message).toBe(v1.note);
    expect(legacy.reportingComponent).toBe('reroll.dev/restart');
    expect(legacy.reason).toBe('Rolled');
  });

  it('describe deployment shows the event on the workload it regards, and not on another', async () => {
    const hello = await kubectl('describe', 'deployment', 'hello');
    expect(hello).toMatch(/Events:\s+Type\s+Reason\s+Age\s+From\s+Message/);
    expect(hello).toMatch(/Normal\s+Rolled\s+\S+\s+reroll\.dev\/restart\s+rolled for configmap\/hello-config/);
    const other = await kubectl('describe', 'deployment', 'other');
    expect(other).not.toContain('Rolled');
  });

  it('kubectl get events prints the apiserver columns, in both groups', async () => {
    for (const resource of ['events', 'events.events.k8s.io']) {
      const out = await kubectl('get', resource);
      const [header, ...rows] = out.trim().split('\n');
      expect(header!.split(/\s{2,}/)).toEqual(['LAST SEEN', 'TYPE', 'REASON', 'OBJECT', 'MESSAGE']);
      expect(rows.join('\n')).toMatch(/Normal\s+Rolled\s+deployment\/hello\s+rolled for/);
    }
    const wide = await kubectl('get', 'events', '-o', 'wide');
    expect(wide).toMatch(/reroll\.dev\/restart, restart-1/);
  });

  it('field selectors use each group’s names (involvedObject.* / regarding.*)', async () => {
    const byCore = await core.listNamespacedEvent({
      namespace: 'demo',
      fieldSelector: 'involvedObject.kind=Deployment,involvedObject.name=hello,reason=Rolled',
    });
    expect(byCore.items.map((e) => e.metadata.name)).toContain('hello.1');
    const byV1 = await events.listNamespacedEvent({ namespace: 'demo', fieldSelector: 'regarding.name=other' });
    expect(byV1.items).toEqual([]);
    await expect(
      core.listNamespacedEvent({ namespace: 'demo', fieldSelector: 'regarding.name=hello' }),
    ).rejects.toThrow(/not a known field selector/);
  });

  it('an events.k8s.io/v1 Event without the controller fields is 422, naming them', async () => {
    const body = rolledEvent('hello.2', { reportingController: undefined, action: undefined, type: 'Info' });
    const err = await events.createNamespacedEvent({ namespace: 'demo', body }).then(
      () => undefined,
      (e: unknown) => e as { code?: number; body?: string },
    );
    expect(err?.code).toBe(422);
    expect(err?.body).toContain('reportingController');
    expect(err?.body).toContain('action');
    expect(err?.body).toContain('Unsupported value: \\"Info\\"');
  });

  it('a series patch (count, lastObservedTime) shows in both views', async () => {
    await events.patchNamespacedEvent(
      {
        namespace: 'demo',
        name: 'hello.1',
        body: { series: { count: 2, lastObservedTime: microTime() } },
      },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const legacy = await core.readNamespacedEvent({ namespace: 'demo', name: 'hello.1' });
    expect(legacy.series?.count).toBe(2);
    expect(await kubectl('describe', 'deployment', 'hello')).toMatch(/\(x2 over/);
  });
});
