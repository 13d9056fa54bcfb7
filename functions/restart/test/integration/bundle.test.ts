// The artifact that ships: build the bundle (as `npm run build` does) into a temp dir, run it as a
// separate process against the emulator like `npm run restart` does, and check a rollout and a
// clean SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CloudEvent, HTTP } from 'cloudevents';
import { startEmulator, type Emulator } from '@reroll/local/emulator';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildRestart } from '../../scripts/build-bundle';
import { DEMO_NAMESPACE, asNew, recordedObject } from '../helpers/fixtures';
import { makeWorkload } from '../helpers/workloads';

let dir: string;
let emulator: Emulator;
let child: ChildProcess;
let output = '';
let url = '';
let entryFile = '';

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'reroll-restart-bundle-'));
  const entry = await buildRestart(dir);
  entryFile = entry;
  emulator = await startEmulator({ port: 0, authorization: 'rbac' }); // HTTPS + bearer token, as a cluster
  emulator.seed([DEMO_NAMESPACE, asNew(recordedObject('02')), makeWorkload()]);
  // no REROLL_NAMESPACES: the kubeconfig context's namespace (the emulator writes none) or configured
  child = spawn(process.execPath, [entry], {
    env: { PATH: process.env.PATH ?? '', KUBECONFIG: emulator.kubeconfigPath, REROLL_NAMESPACES: 'demo', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    output += d.toString();
  });
  const deadline = Date.now() + 20_000;
  while (!/listening on (http:\/\/\S+)/.test(output)) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`restart did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 20));
  }
  url = /listening on (http:\/\/\S+)/.exec(output)![1]!;
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await emulator?.stop();
  await rm(dir, { recursive: true, force: true });
});

it('the bundle answers an event with a rollout and logs seed 000 lines', async () => {
  const msg = HTTP.binary(
    new CloudEvent({
      type: 'dev.knative.apiserver.ref.update',
      source: 'https://10.96.0.1:443',
      subject: '/apis/v1/namespaces/demo/configmaps/helloworld-test',
      kind: 'ConfigMap',
      name: 'helloworld-test',
      namespace: 'demo',
      datacontenttype: 'application/json',
      data: { kind: 'ConfigMap', namespace: 'demo', name: 'helloworld-test', apiVersion: 'v1' },
    }),
  );
  const res = await fetch(`${url}/`, {
    method: 'POST',
    headers: msg.headers as Record<string, string>,
    body: msg.body as string,
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toMatchObject({
    decisions: [{ kind: 'Deployment', name: 'helloworld-test', action: 'rolled' }],
  });
  expect(
    emulator
      .requests()
      .filter((r) => r.verb === 'patch')
      .map((r) => r.contentType),
  ).toEqual(['application/merge-patch+json']);
  expect(output).toContain('[event] type=MODIFIED configmap=helloworld-test env=test');
  expect(output).toMatch(/\[restart\] patched deployment=helloworld-test restartedAt=\S+Z/);
  expect((await fetch(`${url}/readyz`)).status).toBe(200);
}, 30_000);

it('the bundle carries neither the ~700 client-node model classes nor CoreV1Api (what every cold start would compile)', async () => {
  const bundle = await readFile(entryFile, 'utf8');
  for (const unused of ['V1PodSpec', 'V1ConfigMap', 'readNamespacedPodLog', 'listNamespacedPod'])
    expect(bundle.includes(unused), unused).toBe(false);
  expect(bundle.length).toBeLessThan(2_000_000);
});

it('SIGTERM drains and exits 0', async () => {
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  expect(await exited).toBe(0);
}, 30_000);

it('a configuration error names every bad variable and exits non-zero', async () => {
  const bad = spawn(process.execPath, [path.join(dir, 'restart.mjs')], {
    env: { PATH: process.env.PATH ?? '', KUBECONFIG: emulator.kubeconfigPath, REROLL_MATCH: 'names', PORT: 'x' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  bad.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const code = await new Promise<number | null>((resolve) => bad.once('exit', resolve));
  expect(code).toBe(2);
  expect(err).toMatch(/REROLL_MATCH/);
  expect(err).toMatch(/PORT/);
}, 30_000);
