// The manifests and the hello app agree: start hello with exactly the environment and mounted
// ConfigMap each rendered pod template would give it, and ask it what a user would.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { asRecord, dig, type KubeObject } from '../src/kube-object';
import { loadManifestSet } from '../src/manifest-set';
import { localizePaths, resolveContainer } from '../src/pod-environment';
import { repoPath } from '../src/repo-paths';

const set = await loadManifestSet();
const scratch = await mkdtemp(join(tmpdir(), 'hello-contract-'));
const children: ChildProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await rm(scratch, { recursive: true, force: true });
});

async function startHello(env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', repoPath('functions/hello/src/main.ts')], {
    env: { PATH: process.env.PATH ?? '', ...env, PORT: '0', HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1];
      if (url) resolve(url);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => reject(new Error(`hello exited with ${String(code)}: ${out}`)));
  });
}

const workloads = [
  { name: 'kustomize/overlays/test', render: () => set.overlay('test'), kind: 'Deployment', env: 'test' },
  { name: 'kustomize/overlays/prod', render: () => set.overlay('prod'), kind: 'Deployment', env: 'prod' },
  { name: 'knative/ hello ksvc', render: () => set.knative(), kind: 'Service', env: 'knative' },
];

describe('hello started as each manifest starts it', () => {
  for (const w of workloads) {
    it(`${w.name}: serves its ConfigMap's message, its env, and answers its probes`, async () => {
      const objects = w.render().objects;
      const workload = objects.find(
        (o) => o.kind === w.kind && o.metadata.annotations?.['rolling.restart.controller/restartOnTrigger'] === 'true',
      ) as KubeObject;
      const resolved = await resolveContainer(workload, 'hello', objects, join(scratch, w.env));
      const url = await startHello(localizePaths(resolved));
      const cm = objects.find((o) => o.kind === 'ConfigMap');
      const message = String(asRecord(cm?.data).message);

      expect(await (await fetch(`${url}/`)).text()).toBe(message);
      expect(await (await fetch(`${url}/`, { headers: { accept: 'application/json' } })).json()).toEqual({
        message,
        env: w.env,
      });
      expect(await (await fetch(`${url}/messageFromFile`)).text()).toBe(message);
      expect(await (await fetch(`${url}/message`)).text()).toBe(message);
      const container = asRecord(dig(workload, 'spec', 'template', 'spec', 'containers', 0));
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        const path = String(dig(container, probe, 'httpGet', 'path'));
        expect((await fetch(`${url}${path}`)).status, `${probe} ${path}`).toBe(200);
      }
    });
  }
});
