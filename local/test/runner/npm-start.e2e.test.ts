// Issue 6, "Done when": `npm start` as a new user runs it, then seed 000's walkthrough with the real
// kubectl against the printed kubeconfig. Only the test host rolls to the new message, prod keeps
// the old one; a metadata-only change rolls nothing; the restart function scales to zero and back;
// SIGTERM stops everything with exit 0.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { READY_LINE } from '../../src/runner/format-ready-banner';
import { getWithHost, waitFor } from './http-get';
import { findDescendant } from './process-tree';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const hasBuildScript = (ws: string) => {
  const pkg = join(repoRoot, ws, 'package.json');
  return (
    existsSync(pkg) &&
    Boolean((JSON.parse(readFileSync(pkg, 'utf8')) as { scripts?: { build?: string } }).scripts?.build)
  );
};
// Until both functions can be built, `npm start` cannot run: say so instead of failing obscurely.
const canRun = hasBuildScript('functions/hello') && hasBuildScript('functions/restart');

function kubectl(kubeconfig: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('kubectl', [...args, '--kubeconfig', kubeconfig], { timeout: 30_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}

/** `name phase ready` per pod of one hello environment, as kubectl prints them. */
async function helloPods(kubeconfig: string, namespace: string, env: string): Promise<string[]> {
  const out = await kubectl(kubeconfig, [
    'get',
    'pods',
    '-n',
    namespace,
    '-l',
    `app=helloworld,env=${env}`,
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.status.phase} {.status.containerStatuses[0].ready}{"\\n"}{end}',
  ]);
  return out.split('\n').filter(Boolean);
}

/** `name replicas revision` per ReplicaSet of one hello environment. */
async function helloReplicaSets(kubeconfig: string, namespace: string, env: string): Promise<string[]> {
  const out = await kubectl(kubeconfig, [
    'get',
    'rs',
    '-n',
    namespace,
    '-l',
    `app=helloworld,env=${env}`,
    '-o',
    'jsonpath={range .items[*]}{.metadata.name} {.spec.replicas} {.metadata.annotations.deployment\\.kubernetes\\.io/revision}{"\\n"}{end}',
  ]);
  return out.split('\n').filter(Boolean);
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe.skipIf(!canRun)('npm start, end to end', () => {
  let child: ChildProcess;
  let output = '';
  let dir: string;
  let kubeconfig = '';
  let gatewayUrl = '';
  let namespace = '';
  let exitCode: number | null | undefined;
  /** The test pod before the patch, and its ReplicaSet (issue 14). */
  let firstTestPod = '';
  let firstReplicaSet = '';
  const lines = (re: RegExp) => output.split('\n').filter((l) => re.test(l));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'reroll-e2e-'));
    child = spawn(
      'npm',
      [
        'start',
        '--silent',
        '--',
        '--gateway-port',
        '0',
        '--api-port',
        '0',
        '--mesh-port',
        '0',
        '--idle',
        '3',
        '--kubeconfig',
        join(dir, 'kubeconfig'),
      ],
      { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } },
    );
    child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => (exitCode = code));
    await waitFor(
      `"${READY_LINE}" (output so far:\n${output.slice(-3000)})`,
      () => {
        if (exitCode !== undefined) throw new Error(`npm start exited with ${exitCode}:\n${output.slice(-3000)}`);
        return output.includes(READY_LINE) ? true : undefined;
      },
      // npm start builds the three function bundles first (V8 code cache included): minutes on a busy machine
      240_000,
    );
    kubeconfig = /export KUBECONFIG=(\S+)/.exec(output)?.[1] ?? '';
    gatewayUrl = /# gateway: (http:\/\/\S+)/.exec(output)?.[1] ?? '';
    namespace = /kubectl patch configmap helloworld-test -n (\S+)/.exec(output)?.[1] ?? '';
  }, 300_000);

  afterAll(async () => {
    // Whatever happened above, leave no process of this run behind (the group outlives npm).
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('prints the kubeconfig, the gateway and the commands to try', () => {
    expect(kubeconfig).toBe(join(dir, 'kubeconfig'));
    expect(gatewayUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(output).toContain(`curl -H 'Host: helloworld-test.local' ${gatewayUrl}/`);
    expect(output).toContain(`curl -H 'Host: helloworld-prod.local' ${gatewayUrl}/`);
    expect(namespace).not.toBe('');
  });

  it('gives the Knative Services a status as Knative would (kubectl get ksvc)', async () => {
    const read = () =>
      kubectl(kubeconfig, [
        'get',
        'ksvc',
        'restart',
        '-n',
        namespace,
        '-o',
        'jsonpath={.status.latestReadyRevisionName} {.status.url}',
      ]);
    const out = await waitFor(
      'the restart ksvc status',
      async () => ((await read()).startsWith('restart-') ? read() : undefined),
      15_000,
    );
    expect(out).toMatch(/^restart-00001 http:\/\/restart\./);
    // A template change is a new revision, as `kn service list` would show.
    await kubectl(kubeconfig, [
      'patch',
      'ksvc',
      'restart',
      '-n',
      namespace,
      '--type',
      'merge',
      '-p',
      '{"spec":{"template":{"metadata":{"annotations":{"example.com/note":"new revision"}}}}}',
    ]);
    await waitFor(
      'revision restart-00002',
      async () => ((await read()).startsWith('restart-00002 ') ? true : undefined),
      15_000,
    );
  }, 30_000);

  it('serves each environment its own message through the gateway', async () => {
    const test = await getWithHost(gatewayUrl, 'helloworld-test.local');
    const prod = await getWithHost(gatewayUrl, 'helloworld-prod.local');
    expect([test.status, test.body.trim()]).toEqual([200, 'hello from test environment']);
    expect([prod.status, prod.body.trim()]).toEqual([200, 'hello from prod environment']);
    expect((await getWithHost(gatewayUrl, 'unknown.local')).status).toBe(404);
  }, 30_000);

  it('kubectl get pods lists each hello process as a Running pod of its ReplicaSet; kubectl logs shows its start', async () => {
    const test = await waitFor(
      'the test pod Running and ready',
      async () => {
        const pods = await helloPods(kubeconfig, namespace, 'test');
        return pods.length === 1 && / Running true$/.test(pods[0] ?? '') ? pods : undefined;
      },
      30_000,
    );
    firstTestPod = (test[0] ?? '').split(' ')[0] ?? '';
    // <deployment>-<pod-template-hash>-<5 chars>, owned by the ReplicaSet <deployment>-<pod-template-hash>
    expect(firstTestPod).toMatch(/^helloworld-test-[a-z0-9]+-[a-z0-9]{5}$/);
    firstReplicaSet = firstTestPod.replace(/-[a-z0-9]{5}$/, '');
    const owner = await kubectl(kubeconfig, [
      'get',
      'pod',
      firstTestPod,
      '-n',
      namespace,
      '-o',
      'jsonpath={.metadata.ownerReferences[0].kind}/{.metadata.ownerReferences[0].name} {.metadata.labels.pod-template-hash}',
    ]);
    expect(owner).toBe(`ReplicaSet/${firstReplicaSet} ${firstReplicaSet.replace('helloworld-test-', '')}`);
    expect((await helloPods(kubeconfig, namespace, 'prod')).map((p) => p.replace(/^\S+ /, ''))).toEqual([
      'Running true',
      'Running true',
    ]);
    expect(await helloReplicaSets(kubeconfig, namespace, 'test')).toEqual([`${firstReplicaSet} 1 1`]);
    const logs = await kubectl(kubeconfig, ['logs', 'deploy/helloworld-test', '-n', namespace]);
    expect(logs).toMatch(/^hello listening on http:\/\/127\.0\.0\.1:\d+$/m);
  }, 60_000);

  it('kubectl patch rolls only the test Deployment to the new message', async () => {
    const prodStarts = lines(/^hello-prod\s+\| pod .* starting/).length;
    await kubectl(kubeconfig, [
      'patch',
      'configmap',
      'helloworld-test',
      '-n',
      namespace,
      '--type',
      'merge',
      '-p',
      '{"data":{"message":"Hello again"}}',
    ]);
    await waitFor(
      `the test host to answer the new message (output:\n${output.slice(-3000)})`,
      async () =>
        (await getWithHost(gatewayUrl, 'helloworld-test.local')).body.trim() === 'Hello again' ? true : undefined,
      30_000,
    );
    expect((await getWithHost(gatewayUrl, 'helloworld-prod.local')).body.trim()).toBe('hello from prod environment');
    expect(
      await kubectl(kubeconfig, [
        'rollout',
        'status',
        'deployment/helloworld-test',
        '-n',
        namespace,
        '--timeout',
        '30s',
      ]),
    ).toMatch(/successfully rolled out/);
    expect(lines(/^restart\s+\| cold start \d+ ms/).length).toBeGreaterThanOrEqual(1);
    // Seed 000's two lines, as its users know them.
    expect(lines(/^restart\s+\| \[event\] type=MODIFIED configmap=helloworld-test env=test$/).length).toBeGreaterThan(
      0,
    );
    expect(
      lines(/^restart\s+\| \[restart\] patched deployment=helloworld-test restartedAt=\S+$/).length,
    ).toBeGreaterThan(0);
    // The patch was made under the function's own ServiceAccount, with knative/'s RBAC enforced.
    await waitFor(
      'the PATCH attributed to reroll-restart',
      () =>
        lines(
          /^api\s+\| patch deployments reroll-demo\/helloworld-test → 200 by system:serviceaccount:reroll-demo:reroll-restart$/,
        ).length > 0 || undefined,
    );
    // Prod was not touched: no prod pod started after the initial ones.
    expect(lines(/^hello-prod\s+\| pod .* starting/)).toHaveLength(prodStarts);
  }, 60_000);

  it('kubectl describe deployment shows reroll’s Rolled event after that patch', async () => {
    // Written by the restart function through events.k8s.io/v1 under its ServiceAccount (the Role in
    // knative/ grants create on events), read back by kubectl describe from the core v1 view.
    const described = await waitFor(
      `a Rolled event on deployment/helloworld-test (output:\n${output.slice(-2000)})`,
      async () => {
        const text = await kubectl(kubeconfig, ['describe', 'deployment', 'helloworld-test', '-n', namespace]);
        return /Normal\s+Rolled\s+\S+\s+reroll\.dev\/restart\s+Rolled for ConfigMap helloworld-test: config hash \S+ → [0-9a-f]{12}/.test(
          text,
        )
          ? text
          : undefined;
      },
      20_000,
    );
    expect(described).toMatch(/Events:/);
    expect(
      lines(/^api\s+\| create events reroll-demo\/\S* → 201 by system:serviceaccount:reroll-demo:reroll-restart$/)
        .length,
    ).toBeGreaterThan(0);
    // prod was not rolled, so it has no Rolled event
    const prod = await kubectl(kubeconfig, ['describe', 'deployment', 'helloworld-prod', '-n', namespace]);
    expect(prod).not.toMatch(/Rolled for/);
  }, 40_000);

  it('the patch replaced the pod through a new ReplicaSet, and kubectl describe tells the story', async () => {
    const now = await waitFor(
      'the old test pod gone',
      async () => {
        const pods = await helloPods(kubeconfig, namespace, 'test');
        return pods.length === 1 && !pods[0]?.startsWith(firstTestPod) ? pods : undefined;
      },
      30_000,
    );
    expect(now[0]).toMatch(/^helloworld-test-[a-z0-9]+-[a-z0-9]{5} Running true$/);
    expect(now[0]?.startsWith(firstReplicaSet)).toBe(false);
    await expect(kubectl(kubeconfig, ['get', 'pod', firstTestPod, '-n', namespace])).rejects.toThrow(
      /NotFound|not found/,
    );
    const replicaSets = await helloReplicaSets(kubeconfig, namespace, 'test');
    expect(replicaSets).toHaveLength(2);
    expect(replicaSets).toContain(`${firstReplicaSet} 0 1`);
    const described = await kubectl(kubeconfig, ['describe', 'deployment', 'helloworld-test', '-n', namespace]);
    expect(described).toMatch(
      /ScalingReplicaSet\s+\S+\s+deployment-controller\s+Scaled up replica set helloworld-test-/,
    );
    expect(described).toContain(`Scaled down replica set ${firstReplicaSet} from 1 to 0`);
  }, 60_000);

  it('a metadata-only change rolls nothing', async () => {
    const generation = async () =>
      Number(
        await kubectl(kubeconfig, [
          'get',
          'deployment',
          'helloworld-test',
          '-n',
          namespace,
          '-o',
          'jsonpath={.metadata.generation}',
        ]),
      );
    const before = await generation();
    const startsBefore = lines(/^hello-test\s+\| pod .* starting/).length;
    const eventsBefore = lines(
      /^restart\s+\| dev\.knative\.apiserver\.\S+\.update .*configmaps\/helloworld-test → 200/,
    ).length;
    await kubectl(kubeconfig, [
      'annotate',
      'configmap',
      'helloworld-test',
      '-n',
      namespace,
      'example.com/note=metadata only',
      '--overwrite',
    ]);
    // The restart function answered the update event for the annotation…
    await waitFor(
      `the restart function to handle the annotate event (output:\n${output.slice(-2000)})`,
      () =>
        lines(/^restart\s+\| dev\.knative\.apiserver\.\S+\.update .*configmaps\/helloworld-test → 200/).length >
        eventsBefore
          ? true
          : undefined,
      30_000,
    );
    // …and rolled nothing.
    expect(await generation()).toBe(before);
    expect(lines(/^hello-test\s+\| pod .* starting/).length).toBe(startsBefore);
    expect((await getWithHost(gatewayUrl, 'helloworld-test.local')).body.trim()).toBe('Hello again');
  }, 60_000);

  it('the restart function scales to zero when idle and comes back on the next event', async () => {
    await waitFor('scale to zero', () => (lines(/^restart\s+\| stopped$/).length > 0 ? true : undefined), 30_000);
    const coldBefore = lines(/^restart\s+\| cold start \d+ ms/).length;
    await kubectl(kubeconfig, [
      'annotate',
      'configmap',
      'helloworld-prod',
      '-n',
      namespace,
      'example.com/note=wake up',
      '--overwrite',
    ]);
    await waitFor(
      'a second cold start',
      () => (lines(/^restart\s+\| cold start \d+ ms/).length > coldBefore ? true : undefined),
      30_000,
    );
  }, 60_000);

  it('the mesh port routes x-developer: dev-alice to her copy, and falls back once her Service is deleted (seed 003)', async () => {
    const meshUrl = /# mesh [^\n]*: (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1] ?? '';
    expect(output).toContain(`curl -H 'Host: helloworld-test' -H 'x-developer: dev-alice' ${meshUrl}/`);
    expect(output).toContain(`curl -H 'Host: helloworld-test' ${meshUrl}/`);
    // the banner's commands, as a user runs them
    const curl = (...headers: string[]) =>
      new Promise<string>((resolve, reject) => {
        const args = ['-s', '--max-time', '10', ...headers.flatMap((h) => ['-H', h]), `${meshUrl}/`];
        execFile('curl', args, (err, stdout) => (err ? reject(new Error(`curl: ${err.message}`)) : resolve(stdout)));
      });
    const alice = () => curl('Host: helloworld-test', 'x-developer: dev-alice');
    const plain = () => curl('Host: helloworld-test');
    expect((await alice()).trim()).toBe('hello from dev-alice');
    const main = (await plain()).trim();
    expect(main).not.toBe('hello from dev-alice');
    expect(main).toMatch(/test environment|Hello again/);

    await kubectl(kubeconfig, ['delete', 'service', 'helloworld-test', '-n', 'dev-alice']);
    // the source sends the delete, routes cold-starts and drops dev-alice's route
    await waitFor(
      'the x-developer call to fall back to the test environment',
      async () => {
        const [withHeader, without] = await Promise.all([alice(), plain()]);
        return withHeader === without ? true : undefined;
      },
      30_000,
    );
    const vs = JSON.parse(
      await kubectl(kubeconfig, [
        'get',
        'virtualservice',
        'helloworld-test-virtual-service',
        '-n',
        namespace,
        '-o',
        'json',
      ]),
    ) as { spec: { http: unknown[] } };
    expect(JSON.stringify(vs.spec.http)).not.toContain('dev-alice');
  }, 60_000);

  it('the hello Knative Service answers at its status.url host after a cold start; a ConfigMap change makes a new revision', async () => {
    const host = `hello.${namespace}.example.com`;
    await waitFor(
      'hello-00001 to scale to zero',
      () => (lines(/^ksvc-hello\s+\| hello-00001: stopped$/).length > 0 ? true : undefined),
      30_000,
    );
    const colds = lines(/^ksvc-hello\s+\| hello-00001: cold start \d+ ms$/).length;
    const first = await getWithHost(gatewayUrl, host, undefined, 30_000);
    expect([first.status, first.body.trim()]).toEqual([200, 'hello from Knative']);
    expect(lines(/^ksvc-hello\s+\| hello-00001: cold start \d+ ms$/).length).toBe(colds + 1);

    // reroll rolls the ksvc: a new revision, and the traffic moves to it once it is ready.
    await kubectl(kubeconfig, [
      'patch',
      'configmap',
      'hello',
      '-n',
      namespace,
      '--type',
      'merge',
      '-p',
      '{"data":{"message":"Hello from Knative, again"}}',
    ]);
    await waitFor(
      'hello-00002 to take the traffic',
      async () =>
        (await getWithHost(gatewayUrl, host)).body.trim() === 'Hello from Knative, again' ? true : undefined,
      60_000,
    );
    const ksvc = await kubectl(kubeconfig, [
      'get',
      'ksvc',
      'hello',
      '-n',
      namespace,
      '-o',
      'jsonpath={.status.latestReadyRevisionName} {.status.traffic[0].revisionName} {.status.traffic[0].percent}',
    ]);
    expect(ksvc).toBe('hello-00002 hello-00002 100');
    const revisions = await kubectl(kubeconfig, [
      'get',
      'revision',
      '-n',
      namespace,
      '-l',
      'serving.knative.dev/service=hello',
      '-o',
      'name',
    ]);
    expect(revisions.split('\n').filter(Boolean)).toEqual([
      'revision.serving.knative.dev/hello-00001',
      'revision.serving.knative.dev/hello-00002',
    ]);
  }, 120_000);

  it('kubectl rollout undo goes back to the previous ReplicaSet; its new pod reads the ConfigMap as it is now', async () => {
    expect(await kubectl(kubeconfig, ['rollout', 'undo', 'deployment/helloworld-test', '-n', namespace])).toMatch(
      /rolled back/,
    );
    expect(
      await kubectl(kubeconfig, [
        'rollout',
        'status',
        'deployment/helloworld-test',
        '-n',
        namespace,
        '--timeout',
        '60s',
      ]),
    ).toMatch(/successfully rolled out/);
    const pods = await waitFor(
      'one test pod of the first ReplicaSet',
      async () => {
        const now = await helloPods(kubeconfig, namespace, 'test');
        return now.length === 1 && now[0]?.startsWith(`${firstReplicaSet}-`) && now[0].endsWith(' Running true')
          ? now
          : undefined;
      },
      30_000,
    );
    expect(pods[0]?.split(' ')[0]).not.toBe(firstTestPod);
    // The first ReplicaSet is the newest revision again (3); the one in between is at 0.
    const replicaSets = await helloReplicaSets(kubeconfig, namespace, 'test');
    expect(replicaSets).toContain(`${firstReplicaSet} 1 3`);
    expect(replicaSets.filter((r) => r.endsWith(' 0 2'))).toHaveLength(1);
    // The old template, today's ConfigMap: the message is the patched one, not the original.
    expect((await getWithHost(gatewayUrl, 'helloworld-test.local')).body.trim()).toBe('Hello again');
  }, 90_000);

  it('SIGTERM stops every process and exits 0', async () => {
    const pids = [...output.matchAll(/starting \(pid (\d+)/g)].map((m) => Number(m[1]));
    expect(pids.length).toBeGreaterThanOrEqual(3);
    // What Ctrl-C does to the runner (npm itself would just die of the signal).
    const runner = findDescendant(child.pid as number, 'src/cli/start.ts');
    expect(runner).toBeDefined();
    process.kill(runner as number, 'SIGTERM');
    await waitFor('npm start to exit', () => (exitCode !== undefined ? true : undefined), 30_000);
    expect(exitCode).toBe(0);
    expect(output).toMatch(/SIGTERM: stopping everything/);
    await waitFor('every hello process to be gone', () => (pids.every((p) => !alive(p)) ? true : undefined), 10_000);
  }, 60_000);
});
