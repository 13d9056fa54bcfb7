// Decision CloudEvents to K_SINK: one per rolled/failed/deferred/notified decision, with the
// decision as data, and never a config value (searched for like the log-leak test does: every value
// used, plain and base64, in every header and body the sink received). A sink that is down or hangs
// never fails the reconcile, and costs at most its short timeout.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP } from 'cloudevents';
import { afterEach, describe, expect, it } from 'vitest';
import { ROLLOUT_ANNOTATIONS } from '../../src/core/rollout-annotations';
import { ANNOTATIONS } from '../../src/core/types';
import { configMapEvent } from '../helpers/cloud-events';
import { DEMO_NAMESPACE } from '../helpers/fixtures';
import { startHarness, type Harness } from '../helpers/harness';
import { makeWorkload } from '../helpers/workloads';

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

let h: Harness | undefined;
let sink: Server | undefined;
afterEach(async () => {
  await h?.stop();
  sink?.closeAllConnections();
  await new Promise((r) => (sink ? sink.close(r) : r(undefined)));
  h = undefined;
  sink = undefined;
});

/** A sink on 127.0.0.1:0 recording what it gets; `hang` never answers. */
async function startSink(mode: 'ok' | 'hang' = 'ok'): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  sink = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (mode === 'ok') res.writeHead(202).end();
    });
  });
  await new Promise<void>((r) => sink!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(sink.address() as AddressInfo).port}/`, received };
}

const value = (what: string) => `${what.padEnd(11, '-').slice(0, 11)}-${randomBytes(12).toString('hex')}`;
const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
const opted = { [ANNOTATIONS.triggerRestart]: 'true' };

function cluster(values: { message: string; other: string; password: string }): object[] {
  const pod = (extra: Record<string, unknown> = {}) => ({
    containers: [
      {
        name: 'app',
        image: 'reroll/hello:0.1.0',
        envFrom: [{ configMapRef: { name: 'app-config' } }, { secretRef: { name: 'db-creds' } }],
        ...extra,
      },
    ],
  });
  return [
    DEMO_NAMESPACE,
    {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'app-config', namespace: 'demo', annotations: opted },
      data: { MESSAGE: values.message, OTHER: values.other },
    },
    {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'db-creds', namespace: 'demo', annotations: opted },
      type: 'Opaque',
      data: { password: b64(values.password) },
    },
    makeWorkload({ name: 'roller', labels: { app: 'roller', env: 'test' }, podSpec: pod() }),
    makeWorkload({
      name: 'watcher',
      labels: { app: 'watcher', env: 'test' },
      podSpec: pod(),
      annotations: { [ROLLOUT_ANNOTATIONS.mode]: 'notify' },
    }),
    makeWorkload({
      name: 'paced',
      labels: { app: 'paced', env: 'test' },
      podSpec: pod(),
      annotations: { [ROLLOUT_ANNOTATIONS.minInterval]: '1h' },
    }),
    makeWorkload({ name: 'forbidden', labels: { app: 'forbidden', env: 'test' }, podSpec: pod() }),
  ];
}

async function patchConfigMap(data: Record<string, string>): Promise<void> {
  const res = await fetch(`${h!.emulator!.url}/api/v1/namespaces/demo/configmaps/app-config`, {
    method: 'PATCH',
    headers: { 'content-type': 'application/merge-patch+json' },
    body: JSON.stringify({ data }),
  });
  expect(res.status).toBe(200);
}

async function update(): Promise<{ status: number; json: Record<string, unknown> }> {
  const e = configMapEvent('update', 'app-config');
  return h!.post(e.headers, e.body);
}

describe('decision CloudEvents (K_SINK)', () => {
  it('one event per rolled, deferred, notified and failed decision, carrying the decision and never a value', async () => {
    const values = { message: value('cm-message'), other: value('cm-other'), password: value('db-password') };
    const { url, received } = await startSink();
    h = await startHarness({ seed: cluster(values), config: { sink: url } });
    // first change: everything rolls (or notifies) once, so "paced" has a last rollout to count from
    const next = value('cm-next');
    await patchConfigMap({ MESSAGE: next });
    expect((await update()).status).toBe(200);
    received.length = 0;

    const last = value('cm-last');
    await patchConfigMap({ MESSAGE: last, OTHER: value('cm-other2') });
    h.emulator!.inject({ verb: 'patch', resource: 'deployments', name: 'forbidden', status: 403 });
    const answer = await update();
    expect(answer.status).toBe(200);

    const events = received.map(
      (r) =>
        HTTP.toEvent({ headers: r.headers, body: r.body }) as unknown as {
          type: string;
          source: string;
          subject: string;
          datacontenttype: string;
          data: Record<string, unknown>;
        },
    );
    const byName = new Map(events.map((e) => [e.data.name as string, e]));
    expect(new Map([...byName].map(([n, e]) => [n, e.type]))).toEqual(
      new Map([
        ['roller', 'dev.reroll.rollout.rolled'],
        ['watcher', 'dev.reroll.rollout.notified'],
        ['paced', 'dev.reroll.rollout.deferred'],
        ['forbidden', 'dev.reroll.rollout.failed'],
      ]),
    );
    const rolled = byName.get('roller')!;
    expect(rolled).toMatchObject({
      source: 'reroll/restart',
      subject: '/apis/apps/v1/namespaces/demo/deployments/roller',
      datacontenttype: 'application/json',
      data: {
        kind: 'Deployment',
        namespace: 'demo',
        name: 'roller',
        action: 'rolled',
        configs: ['ConfigMap/app-config', 'Secret/db-creds'],
        reason: expect.stringMatching(/^config hash changed [0-9a-f]{12} → [0-9a-f]{12}$/),
      },
    });
    const hash = rolled.data.hash as { recorded: string; live: string };
    expect(hash.recorded).toMatch(/^[0-9a-f]{12}$/);
    expect(hash.live).toMatch(/^[0-9a-f]{12}$/);
    expect(byName.get('paced')!.data).toMatchObject({ dueAt: expect.stringMatching(/Z$/) as unknown });
    expect(received).toHaveLength(4); // nothing for unchanged/recorded/skipped decisions

    const all = [...Object.values(values), next, last];
    const wire = received.map((r) => JSON.stringify(r.headers) + '\n' + r.body).join('\n');
    for (const v of all) {
      expect(wire).not.toContain(v);
      expect(wire).not.toContain(b64(v));
    }
  }, 60_000);

  it('a sink that refuses connections: the reconcile answers as usual, the failures are counted and logged', async () => {
    const { url } = await startSink();
    await new Promise((r) => sink!.close(r)); // nothing listens there any more
    sink = undefined;
    const values = { message: value('m'), other: value('o'), password: value('p') };
    h = await startHarness({ seed: cluster(values), config: { sink: url, logLevel: 'info' }, sinkTimeoutMs: 300 });
    await patchConfigMap({ MESSAGE: value('x') });
    const answer = await update();
    expect(answer.status).toBe(200);
    expect((answer.json.decisions as Array<{ action: string }>).map((d) => d.action).sort()).toEqual([
      'notified',
      'rolled',
      'rolled',
      'rolled',
    ]);
    const metrics = await h.fn.registry.metrics();
    expect(metrics).toMatch(/reroll_restart_decision_events_total\{action="rolled",outcome="failed"\} 3/);
    expect(h.lines.some((l) => l.includes('[sink] decision events not delivered: failed=4 of 4'))).toBe(true);
  }, 60_000);

  it('a sink that never answers costs one short timeout, not the reconcile', async () => {
    const { url, received } = await startSink('hang');
    const values = { message: value('m'), other: value('o'), password: value('p') };
    h = await startHarness({ seed: cluster(values), config: { sink: url }, sinkTimeoutMs: 300 });
    await patchConfigMap({ MESSAGE: value('x') });
    const answer = await update();
    expect(answer.status).toBe(200);
    expect(received.length).toBeGreaterThan(0); // the sink was reached, and held the requests
    const metrics = await h.fn.registry.metrics();
    expect(metrics).toMatch(/reroll_restart_decision_events_total\{action="rolled",outcome="timeout"\} 3/);
  }, 60_000);
});
