// A rollout under a steady stream of requests through the gateway: zero failed requests, and the
// new message is served once the new pod is ready. The Deployment, Service, Gateway and
// VirtualService are the rendered overlays; the API is an in-memory port; the pods are real
// processes (a stand-in for the hello bundle, so this test does not depend on its build).
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentStatus } from '../../src/runner/compute-deployment-status';
import { findFreePort } from '../../src/runner/free-port';
import { type Gateway, startGateway } from '../../src/runner/gateway';
import type { ConfigMapLike, DeploymentLike, KubeObject } from '../../src/runner/kube-shapes';
import { type PodSupervisor, createPodSupervisor } from '../../src/runner/pod-supervisor';
import { getWithHost, waitFor } from './http-get';

const rendered = JSON.parse(
  readFileSync(new URL('./fixtures/hello-overlays.json', import.meta.url), 'utf8'),
) as KubeObject[];
const find = (kind: string, name: string) =>
  structuredClone(rendered.find((o) => o.kind === kind && o.metadata?.name === name)) as KubeObject;
const helloBundle = fileURLToPath(new URL('../../../functions/hello/dist/hello.mjs', import.meta.url));
// The stand-in always; the real hello bundle too when it has been built (`npm run build -w functions/hello`).
const programs = [
  { name: 'stand-in server', script: fileURLToPath(new URL('./fixtures/message-server.mjs', import.meta.url)) },
  ...(existsSync(helloBundle) ? [{ name: 'hello bundle', script: helloBundle }] : []),
];

describe.each(programs)('rollout under load ($name)', ({ script }) => {
  const configMaps = new Map<string, ConfigMapLike>();
  const statuses: { name: string; status: DeploymentStatus }[] = [];
  const logs: string[] = [];
  let supervisor: PodSupervisor;
  let gateway: Gateway;
  let podRoot: string;

  beforeAll(async () => {
    podRoot = await mkdtemp(join(tmpdir(), 'reroll-runner-test-'));
    for (const name of ['helloworld-test', 'helloworld-prod']) configMaps.set(name, find('ConfigMap', name));
    supervisor = createPodSupervisor({
      port: {
        readConfigMap: (_ns, name) => Promise.resolve(structuredClone(configMaps.get(name))),
        readSecret: () => Promise.resolve(undefined),
        writeDeploymentStatus: (_ns, name, status) => (statuses.push({ name, status }), Promise.resolve()),
      },
      programFor: () => ({ script, envOverrides: { LOG_FORMAT: 'text', HOST: '127.0.0.1' } }),
      logFor: (d) => (line) => logs.push(`${d.metadata?.labels?.env}: ${line}`),
      findFreePort,
      podRoot,
      drain: (e) => gateway.drain(e),
    });
    gateway = await startGateway({
      port: 0,
      log: (l) => logs.push(`gateway: ${l}`),
      routeInputs: () => ({
        gateways: rendered.filter((o) => o.kind === 'Gateway'),
        virtualServices: rendered.filter((o) => o.kind === 'VirtualService'),
        services: rendered.filter((o) => o.kind === 'Service'),
        endpoints: supervisor.endpoints(),
      }),
    });
    for (const name of ['helloworld-test', 'helloworld-prod']) {
      supervisor.upsert({
        ...find('Deployment', name),
        metadata: { ...find('Deployment', name).metadata, generation: 1 },
      });
    }
    await supervisor.settled();
  }, 60_000);

  afterAll(async () => {
    await supervisor?.stop();
    await gateway?.stop();
    if (podRoot) await rm(podRoot, { recursive: true, force: true });
  });

  it('routes each host to its own pod, 404 for an unknown host', async () => {
    const test = await getWithHost(gateway.url, 'helloworld-test.local');
    const prod = await getWithHost(gateway.url, 'helloworld-prod.local');
    expect([test.status, test.body.trim()]).toEqual([200, 'hello from test environment']);
    expect([prod.status, prod.body.trim()]).toEqual([200, 'hello from prod environment']);
    const unknown = await getWithHost(gateway.url, 'nope.local');
    expect(unknown.status).toBe(404);
    expect(unknown.body).toMatch(/no VirtualService .*"nope.local"/);
  }, 30_000);

  it('rolls the test Deployment with zero failed requests and writes a complete status', async () => {
    const failures: string[] = [];
    const bodies = new Map<string, number>();
    let running = true;
    let total = 0;
    const agent = new Agent({ keepAlive: true });
    const loop = async () => {
      while (running) {
        try {
          const a = await getWithHost(gateway.url, 'helloworld-test.local', agent);
          total++;
          if (a.status !== 200) failures.push(`${a.status} ${a.body}`);
          else bodies.set(a.body.trim(), (bodies.get(a.body.trim()) ?? 0) + 1);
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    const loops = [loop(), loop(), loop(), loop()];
    await waitFor('traffic', () => (total > 20 ? true : undefined));
    const before = total;

    // What the restart function does: new data in the ConfigMap, then an annotation on the template.
    const cm = configMaps.get('helloworld-test') as ConfigMapLike;
    configMaps.set('helloworld-test', { ...cm, data: { message: 'Hello again' } });
    const dep = find('Deployment', 'helloworld-test') as DeploymentLike;
    dep.metadata = { ...dep.metadata, generation: 2 };
    dep.spec!.template!.metadata = {
      ...dep.spec!.template!.metadata,
      annotations: { 'rolling.restart.controller/configHash': 'abc' },
    };
    const oldPid = supervisor.pods()['reroll-demo/helloworld-test']?.[0]?.pid;
    supervisor.upsert(dep);
    await waitFor('the new message', () => (bodies.has('Hello again') ? true : undefined), 30_000);
    await supervisor.settled();
    const during = total - before;
    // Keep the stream going a moment after the old pod is gone.
    const after = total;
    await waitFor('traffic after the rollout', () => (total > after + 20 ? true : undefined));
    running = false;
    await Promise.all(loops);
    agent.destroy();

    expect(failures).toEqual([]);
    expect(during).toBeGreaterThan(0);
    expect(bodies.get('hello from test environment')).toBeGreaterThan(0);
    const pods = supervisor.pods()['reroll-demo/helloworld-test'] ?? [];
    expect(pods).toHaveLength(1);
    expect(pods[0]?.pid).not.toBe(oldPid);
    // The last answers all carry the new message: the old pod is out of rotation.
    expect((await getWithHost(gateway.url, 'helloworld-test.local')).body.trim()).toBe('Hello again');
    expect((await getWithHost(gateway.url, 'helloworld-prod.local')).body.trim()).toBe('hello from prod environment');
    const last = statuses.filter((s) => s.name === 'helloworld-test').at(-1)?.status;
    expect(last).toMatchObject({
      observedGeneration: 2,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    });
    // A status with two pods was written in between (surge), as a real rollout shows.
    expect(statuses.some((s) => s.name === 'helloworld-test' && s.status.replicas === 2)).toBe(true);
  }, 60_000);

  it('scales to the replicas asked for and replaces a pod that crashed', async () => {
    const dep = find('Deployment', 'helloworld-test') as DeploymentLike;
    dep.metadata = { ...dep.metadata, generation: 3 };
    dep.spec = { ...dep.spec, replicas: 2 };
    dep.spec.template!.metadata = {
      ...dep.spec.template!.metadata,
      annotations: { 'rolling.restart.controller/configHash': 'abc' },
    };
    supervisor.upsert(dep);
    await supervisor.settled();
    const pods = supervisor.pods()['reroll-demo/helloworld-test'] ?? [];
    expect(pods.map((p) => p.ready)).toEqual([true, true]);
    expect(statuses.filter((s) => s.name === 'helloworld-test').at(-1)?.status).toMatchObject({
      observedGeneration: 3,
      replicas: 2,
      readyReplicas: 2,
    });

    process.kill(pods[0]?.pid as number, 'SIGKILL');
    const replaced = await waitFor(
      'a replacement pod',
      () => {
        const now = supervisor.pods()['reroll-demo/helloworld-test'] ?? [];
        return now.length === 2 && now.every((p) => p.ready) && !now.some((p) => p.pid === pods[0]?.pid)
          ? now
          : undefined;
      },
      30_000,
    );
    expect(replaced.map((p) => p.pid)).toContain(pods[1]?.pid);
    expect(logs.some((l) => /exited unexpectedly \(SIGKILL\); restarting/.test(l))).toBe(true);
  }, 60_000);

  it('answers 502 naming the service when no pod is ready', async () => {
    const dep = find('Deployment', 'helloworld-prod') as DeploymentLike;
    supervisor.remove(dep);
    await supervisor.settled();
    const a = await getWithHost(gateway.url, 'helloworld-prod.local');
    expect(a.status).toBe(502);
    expect(a.body).toMatch(/helloworld-prod/);
  }, 30_000);

  it('a missing ConfigMap keeps the pod from starting and says why in the status', async () => {
    configMaps.delete('helloworld-prod');
    supervisor.upsert({
      ...find('Deployment', 'helloworld-prod'),
      metadata: { ...find('Deployment', 'helloworld-prod').metadata, generation: 1 },
    });
    await supervisor.settled();
    const last = statuses.filter((s) => s.name === 'helloworld-prod').at(-1)?.status;
    const progressing = last?.conditions.find((c) => c.type === 'Progressing');
    expect(progressing?.reason).toBe('ProgressDeadlineExceeded');
    expect(progressing?.message).toMatch(/configmap "helloworld-prod" not found/);
    expect(supervisor.pods()['reroll-demo/helloworld-prod'] ?? []).toHaveLength(0);
  }, 30_000);
});
