// The real server + the real client-node against the API emulator: what a user of the cluster sees.
import { CloudEvent, HTTP } from 'cloudevents';
import { RESOURCE_TABLE } from '@reroll/local/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/core/types';
import { ANNOTATIONS } from '../../src/core/types';
import { DEMO_NAMESPACE } from '../helpers/fixtures';
import { startHarness, type Harness } from '../helpers/harness';
import { envFromPod, makeWorkload } from '../helpers/workloads';

function configMap(name: string, namespace = 'demo', message = 'Hello from test'): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name,
      namespace,
      labels: { app: name, env: 'test', 'reroll.dev/watch': 'true' },
      annotations: { [ANNOTATIONS.triggerRestart]: 'true' },
    },
    data: { ENV_MESSAGE: message },
  };
}

function event(type: 'add' | 'update' | 'delete', name: string, namespace = 'demo') {
  const msg = HTTP.binary(
    new CloudEvent({
      type: `dev.knative.apiserver.ref.${type}`,
      source: 'https://10.96.0.1:443',
      subject: `/apis/v1/namespaces/${namespace}/configmaps/${name}`,
      kind: 'ConfigMap',
      name,
      namespace,
      datacontenttype: 'application/json',
      data: { kind: 'ConfigMap', namespace, name, apiVersion: 'v1' },
    }),
  );
  return { headers: msg.headers as Record<string, string>, body: msg.body as string };
}

let h: Harness;
let n = 0;

/** a fresh opted-in ConfigMap + Deployment pair; the deployment already recorded the current hash */
async function freshPair(): Promise<string> {
  const name = `app-${++n}`;
  h.emulator!.seed([
    configMap(name),
    makeWorkload({ name, labels: { app: name, env: 'test' }, podSpec: envFromPod(name) }),
  ]);
  const first = await h.post(event('add', name).headers, event('add', name).body);
  expect(first.json.decisions).toMatchObject([{ action: 'recorded' }]);
  return name;
}

/** what `kubectl patch configmap <name> --type merge -p '{"data":{...}}'` sends */
async function kubectlPatch(name: string, message: string, namespace = 'demo'): Promise<void> {
  const res = await fetch(`${h.emulator!.url}/api/v1/namespaces/${namespace}/configmaps/${name}`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ data: { ENV_MESSAGE: message } }),
  });
  expect(res.status).toBe(200);
}

function workloadPatches(name: string) {
  return h.emulator!.requests().filter((r) => r.verb === 'patch' && r.name === name && r.resource !== 'configmaps');
}

function restartTimestamp(name: string): string | undefined {
  const t = RESOURCE_TABLE.find((r) => r.group === 'apps' && r.kind === 'Deployment')!;
  const res = h.emulator!.core.get(t, 'demo', name) as KubeObject;
  return (res.spec as { template: { metadata: { annotations?: Record<string, string> } } }).template.metadata
    .annotations?.[ANNOTATIONS.restartTimestamp];
}

beforeAll(async () => {
  h = await startHarness({
    seed: [DEMO_NAMESPACE],
    retry: { initialDelayMs: 20, maxDelayMs: 200, budgetMs: 2500, attemptTimeoutMs: 1000 },
  });
}, 30_000);
afterAll(async () => {
  await h?.stop();
});

describe('one real change → exactly one rollout', () => {
  it('kubectl patch, then the event: one merge-patch of the Deployment', async () => {
    const name = await freshPair();
    await kubectlPatch(name, 'changed by kubectl');
    h.emulator!.clearRequests();
    const res = await h.post(event('update', name).headers, event('update', name).body);
    expect(res.status).toBe(200);
    expect(res.json.decisions).toMatchObject([{ kind: 'Deployment', name, action: 'rolled' }]);
    expect(workloadPatches(name).map((r) => [r.resource, r.contentType, r.status])).toEqual([
      ['deployments', 'application/merge-patch+json', 200],
    ]);
    expect(restartTimestamp(name)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(h.lines).toContain(`[restart] patched deployment=${name} restartedAt=${restartTimestamp(name)}`);
  });

  it('the same event 5 times in a row: one rollout', async () => {
    const name = await freshPair();
    await kubectlPatch(name, 'five times');
    h.emulator!.clearRequests();
    const e = event('update', name);
    const actions: unknown[] = [];
    for (let i = 0; i < 5; i++)
      actions.push(((await h.post(e.headers, e.body)).json.decisions as Array<{ action: string }>)[0]!.action);
    expect(actions).toEqual(['rolled', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(workloadPatches(name)).toHaveLength(1);
  });

  it('5 rapid patches whose events arrive out of order: one rollout to the final state', async () => {
    const name = await freshPair();
    for (let i = 1; i <= 5; i++) await kubectlPatch(name, `rapid-${i}`);
    h.emulator!.clearRequests();
    const events = [5, 2, 4, 1, 3].map(() => event('update', name));
    for (const e of events) expect((await h.post(e.headers, e.body)).status).toBe(200);
    expect(workloadPatches(name)).toHaveLength(1);
  });

  it('the same event 5 times concurrently: one rollout, every answer 200', async () => {
    const name = await freshPair();
    await kubectlPatch(name, 'concurrent');
    h.emulator!.clearRequests();
    const e = event('update', name);
    const answers = await Promise.all(Array.from({ length: 5 }, () => h.post(e.headers, e.body)));
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect(
      answers
        .flatMap((a) => (a.json.decisions as Array<{ action: string }>).map((d) => d.action))
        .filter((x) => x === 'rolled'),
    ).toHaveLength(1);
    expect(workloadPatches(name)).toHaveLength(1);
  });
});

describe('API trouble', () => {
  it('an injected 409 on the patch: re-read, decided again, then one successful patch', async () => {
    const name = await freshPair();
    await kubectlPatch(name, 'conflict');
    h.emulator!.clearRequests();
    h.emulator!.inject({ verb: 'patch', resource: 'deployments', name, status: 409 });
    const res = await h.post(event('update', name).headers, event('update', name).body);
    expect(res.json.decisions).toMatchObject([{ action: 'rolled' }]);
    expect(workloadPatches(name).map((r) => r.status)).toEqual([409, 200]);
    expect(
      h.emulator!.requests().filter((r) => r.verb === 'get' && r.resource === 'deployments' && r.name === name),
    ).toHaveLength(1);
  });

  it('injected 500s and latency on reads: retried, then success', async () => {
    const name = await freshPair();
    await kubectlPatch(name, 'flaky');
    h.emulator!.clearRequests();
    h.emulator!.inject({ verb: 'get', resource: 'configmaps', name, status: 500, times: 2 });
    h.emulator!.inject({ verb: 'list', resource: 'deployments', latencyMs: 300 });
    h.emulator!.inject({ verb: 'list', resource: 'statefulsets', status: 429 });
    const res = await h.post(event('update', name).headers, event('update', name).body);
    expect(res.status).toBe(200);
    expect(res.json.decisions).toMatchObject([{ action: 'rolled' }]);
    expect(
      h
        .emulator!.requests()
        .filter((r) => r.verb === 'get' && r.resource === 'configmaps')
        .map((r) => r.status),
    ).toEqual([500, 500, 200]);
    expect(workloadPatches(name)).toHaveLength(1);
  });

  it('an injected 500 on the patch is retried too', async () => {
    const name = await freshPair();
    await kubectlPatch(name, 'patch 500');
    h.emulator!.clearRequests();
    h.emulator!.inject({ verb: 'patch', resource: 'deployments', name, status: 503 });
    const res = await h.post(event('update', name).headers, event('update', name).body);
    expect(res.json.decisions).toMatchObject([{ action: 'rolled' }]);
    expect(workloadPatches(name).map((r) => r.status)).toEqual([503, 200]);
  });

  it('the API answering 503 for longer than the budget: 503 with Retry-After, nothing half-done', async () => {
    const name = await freshPair();
    await kubectlPatch(name, 'api down');
    h.emulator!.inject({ status: 503, times: 10_000 });
    try {
      const res = await h.post(event('update', name).headers, event('update', name).body);
      expect(res.status).toBe(503);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(res.json).toMatchObject({ error: 'unavailable' });
    } finally {
      h.emulator!.clearFaults();
    }
    // once the API is back, the adapter's retry converges it
    const again = await h.post(event('update', name).headers, event('update', name).body);
    expect(again.json.decisions).toMatchObject([{ action: 'rolled' }]);
  }, 20_000);

  it('a 403 on the ConfigMap becomes a failed decision (200), not a crash', async () => {
    const name = await freshPair();
    h.emulator!.inject({ verb: 'get', resource: 'configmaps', name, status: 403 });
    const res = await h.post(event('update', name).headers, event('update', name).body);
    expect(res.status).toBe(200);
    expect(res.json.decisions).toMatchObject([{ kind: 'ConfigMap', name, action: 'failed' }]);
  });
});

describe('boundaries', () => {
  it('an excluded namespace: no API call at all', async () => {
    h.emulator!.seed([
      configMap('system-cm', 'kube-system'),
      makeWorkload({ name: 'system-cm', namespace: 'kube-system', podSpec: envFromPod('system-cm') }),
    ]);
    h.emulator!.clearRequests();
    const res = await h.post(
      event('update', 'system-cm', 'kube-system').headers,
      event('update', 'system-cm', 'kube-system').body,
    );
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ decisions: [], note: expect.stringMatching(/not served|excluded/) });
    expect(h.emulator!.requests()).toEqual([]);
  });

  it('a Knative Service rolls through its spec.template (a new Revision), never its Deployment', async () => {
    const name = `ksvc-${++n}`;
    h.emulator!.seed([
      configMap(name),
      makeWorkload({ kind: 'Service', name, labels: { app: name, env: 'test' }, podSpec: envFromPod(name) }),
    ]);
    h.emulator!.clearRequests();
    const res = await h.post(event('update', name).headers, event('update', name).body);
    expect(res.json.decisions).toMatchObject([{ kind: 'Service', name, action: 'rolled' }]);
    expect(
      h
        .emulator!.requests()
        .filter((r) => r.verb === 'patch')
        .map((r) => [r.group, r.resource, r.contentType]),
    ).toEqual([['serving.knative.dev', 'services', 'application/merge-patch+json']]);
  });

  it('a PingSource resync records first sight and catches a missed change', async () => {
    const name = `resync-${++n}`;
    h.emulator!.seed([
      configMap(name),
      makeWorkload({ name, labels: { app: name, env: 'test' }, podSpec: envFromPod(name) }),
    ]);
    const ping = HTTP.binary(
      new CloudEvent({
        type: 'dev.knative.sources.ping',
        source: '/apis/v1/namespaces/demo/pingsources/reroll-resync',
        data: { reason: 'resync' },
      }),
    );
    const first = await h.post(ping.headers as Record<string, string>, ping.body as string);
    expect((first.json.decisions as Array<{ name: string; action: string }>).find((d) => d.name === name)?.action).toBe(
      'recorded',
    );
    await kubectlPatch(name, 'changed while no event was delivered');
    const second = await h.post(ping.headers as Record<string, string>, ping.body as string);
    const decisions = second.json.decisions as Array<{ name: string; action: string }>;
    expect(decisions.find((d) => d.name === name)?.action).toBe('rolled');
    expect(decisions.filter((d) => d.action === 'rolled').map((d) => d.name)).toEqual([name]);
  });

  it('/metrics counts events, rollouts and API requests', async () => {
    const text = await (await fetch(`${h.fn.url}/metrics`)).text();
    expect(text).toMatch(
      /reroll_restart_events_total\{type="dev.knative.apiserver.ref.update",outcome="accepted"\} \d+/,
    );
    expect(text).toMatch(/reroll_restart_rollouts_total\{kind="Deployment"\} [1-9]/);
    expect(text).toMatch(/reroll_restart_api_requests_total\{verb="patch",resource="deployments",code="409"\} 1/);
    expect(text).toMatch(/reroll_restart_reconcile_duration_seconds_bucket/);
    expect((await fetch(`${h.fn.url}/healthz`)).status).toBe(200);
  });
});
