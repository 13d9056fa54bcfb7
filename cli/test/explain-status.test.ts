// `reroll explain` and `reroll status` against the API emulator, for each state a user meets:
// not recorded yet, in sync, rollout due, deferred until …, notify-only / notification due. The
// states are reached by the restart function's own reconciler (not hand-made hashes), the CLI reads
// through client-node, and the emulator's request log proves it never wrote anything.
import { KubeConfig } from '@kubernetes/client-node';
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import { createClientNodePort } from '@reroll/restart/kube';
import { Reconciler } from '@reroll/restart/reconcile';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCaptured, type CliRun } from './helpers/run-captured';

const NS = 'demo';
const TRIGGER = 'rolling.restart.controller/triggerRestart';
const OPT_IN = 'rolling.restart.controller/restartOnTrigger';

let emulator: Emulator;
let reconciler: Reconciler;
let kubeConfig: KubeConfig;
let clock = new Date('2026-11-23T09:00:00Z');
const advance = (minutes: number) => (clock = new Date(clock.getTime() + minutes * 60_000));

function deployment(name: string, annotations: Record<string, string> = {}, labels = { app: name, env: 'test' }) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS, labels, annotations: { [OPT_IN]: 'true', ...annotations } },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'hello',
              image: 'reroll/hello:0.1.0',
              env: [{ name: 'MESSAGE', valueFrom: { configMapKeyRef: { name: 'hello-config', key: 'message' } } }],
            },
          ],
        },
      },
    },
  };
}

beforeAll(async () => {
  emulator = await startEmulator({ port: 0 });
  emulator.seed([
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'other' } },
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'hello-config', namespace: NS, annotations: { [TRIGGER]: 'true' } },
      data: { message: 'one', unused: 'x' },
    },
    deployment('plain'),
    deployment('paced', { 'reroll.dev/min-interval': '1h' }),
    deployment('watcher', { 'reroll.dev/mode': 'notify' }),
    { ...deployment('bystander'), metadata: { name: 'bystander', namespace: NS, labels: { app: 'b', env: 'test' } } },
  ]);
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(emulator.kubeconfigPath);
  reconciler = new Reconciler({
    port: createClientNodePort({ kubeConfig }),
    settings: { namespaces: [NS], excludeNamespaces: [], match: 'both', onDelete: 'ignore', dryRun: false },
    now: () => clock,
  });
}, 60_000);
afterAll(() => emulator?.stop());

function cli(...argv: string[]): Promise<CliRun> {
  return runCaptured(kubeConfig, argv, { namespace: NS, now: () => clock });
}

async function changeConfig(message: string): Promise<void> {
  const res = await fetch(`${emulator.url}/api/v1/namespaces/${NS}/configmaps/hello-config`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ data: { message } }),
  });
  expect(res.status).toBe(200);
}
const update = () =>
  reconciler.reconcileConfig({ ref: { kind: 'ConfigMap', namespace: NS, name: 'hello-config' }, action: 'update' });

/** Runs the CLI and fails if it made any request other than get/list. */
async function readOnly(...argv: string[]) {
  emulator.clearRequests();
  const result = await cli(...argv);
  const writes = emulator.requests().filter((r) => !['get', 'list', 'watch'].includes(r.verb));
  expect(writes).toEqual([]);
  expect(emulator.requests().length).toBeGreaterThan(0);
  return result;
}
const stateOf = (table: string, name: string) =>
  table
    .split('\n')
    .find((l) => l.split(/\s+/)[1] === name)
    ?.split(/ {3,}/)[3];

describe('reroll explain / status', () => {
  it('before any event: not recorded yet; explain shows how each config is used and which keys count', async () => {
    const r = await readOnly('explain', 'deployment/plain');
    expect(r.code).toBe(0);
    expect(r.out).toContain('Opted in:       yes, by rolling.restart.controller/restartOnTrigger: "true"');
    expect(r.out).toContain('  ConfigMap hello-config: counts');
    expect(r.out).toContain('    because: it carries rolling.restart.controller/triggerRestart: "true" (seed 001)');
    expect(r.out).toContain('    keys that count: message');
    expect(r.out).toContain('    used by: pod spec containers[hello].env[MESSAGE].valueFrom.configMapKeyRef');
    expect(r.out).toContain('Recorded hash:  <none>');
    expect(r.out).toMatch(/Next resync:\s+recorded: first sight on resync/);
    expect(r.out).toMatch(/State:\s+not recorded yet/);
    const s = await readOnly('status');
    expect(s.out.split('\n')[0]).toBe(
      'KIND         NAME      CONFIGS                  STATE              LAST ROLLOUT',
    );
    expect(stateOf(s.out, 'plain')).toBe('not recorded yet');
    expect(s.out).not.toContain('bystander'); // not opted in: no row
  });

  it('after the first resync: in sync (exit 0), notify-only for the watcher', async () => {
    await reconciler.resync();
    const r = await readOnly('explain', 'deploy/plain');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/State:\s+in sync/);
    expect(r.out).toMatch(/Next event:\s+unchanged \(update of ConfigMap hello-config\)/);
    const s = await readOnly('status');
    expect(stateOf(s.out, 'plain')).toBe('in sync');
    expect(stateOf(s.out, 'watcher')).toBe('notify-only');
  });

  it('a key nobody reads changes: still in sync', async () => {
    const res = await fetch(`${emulator.url}/api/v1/namespaces/${NS}/configmaps/hello-config`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/merge-patch+json' },
      body: JSON.stringify({ data: { unused: 'y' } }),
    });
    expect(res.status).toBe(200);
    expect((await readOnly('explain', 'deployment/plain')).code).toBe(0);
  });

  it('a real change: rollout due (exit 1), notification due for the watcher, JSON says the same', async () => {
    await changeConfig('two');
    const r = await readOnly('explain', 'deployment/plain');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Next event:\s+rolled \(update of ConfigMap hello-config\): config hash changed/);
    expect(r.out).toMatch(/State:\s+rollout due/);
    const json = JSON.parse((await readOnly('explain', 'deployment/plain', '-o', 'json')).out) as Record<
      string,
      unknown
    >;
    expect(json).toMatchObject({ kind: 'Deployment', name: 'plain', state: 'rollout due', due: true });
    expect((json.hash as { recorded: string; live: string }).recorded).not.toBe(
      (json.hash as { recorded: string; live: string }).live,
    );
    const s = await readOnly('status', '-o', 'json');
    const items = (JSON.parse(s.out) as { items: Array<{ name: string; state: string }> }).items;
    expect(Object.fromEntries(items.map((i) => [i.name, i.state]))).toEqual({
      paced: 'rollout due',
      plain: 'rollout due',
      watcher: 'notification due',
    });
  });

  it('after the rollout: in sync with its last rollout time; a change inside min-interval: deferred until …', async () => {
    await update();
    let s = await readOnly('status');
    expect(stateOf(s.out, 'plain')).toBe('in sync');
    expect(stateOf(s.out, 'watcher')).toBe('notify-only');
    expect(s.out).toMatch(/plain .*2026-11-23T09:00:00Z/);
    advance(10);
    await changeConfig('three');
    const r = await readOnly('explain', 'deployment/paced');
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Min interval:\s+1h/);
    expect(r.out).toMatch(/State:\s+deferred until 2026-11-23T10:00:00Z/);
    s = await readOnly('status');
    expect(stateOf(s.out, 'paced')).toBe('deferred until 2026-11-23T10:00:00Z');
    expect(stateOf(s.out, 'plain')).toBe('rollout due');
  });

  it('-A adds a NAMESPACE column like kubectl', async () => {
    const s = await readOnly('status', '-A');
    expect(s.out.split('\n')[0]).toMatch(/^NAMESPACE {3}KIND {9}NAME {6}CONFIGS/);
    expect(
      s.out
        .split('\n')
        .slice(1)
        .every((l) => l.startsWith('demo ')),
    ).toBe(true);
  });

  it('errors exit 2 and name what is wrong', async () => {
    expect(await cli('explain', 'deployment/nope')).toMatchObject({
      code: 2,
      err: expect.stringContaining('not found'),
    });
    expect(await cli('explain', 'pod/x')).toMatchObject({ code: 2, err: expect.stringContaining('<kind>/<name>') });
    expect((await cli('status', '-o', 'yaml')).code).toBe(2);
  });
});
