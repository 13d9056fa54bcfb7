// What a person sees from kubectl against the emulator: discovery (api-resources) and
// server-side Table printing, including a CRD's additionalPrinterColumns.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index';
import { RESOURCE_TABLE } from '../../src/emulator/resource-table';

const run = promisify(execFile);

describe('kubectl output', () => {
  let emu: Emulator;
  const kubectl = async (...args: string[]) =>
    (await run('kubectl', ['--kubeconfig', emu.kubeconfigPath, ...args])).stdout;

  beforeAll(async () => {
    emu = await startEmulator();
    emu.seed([
      {
        apiVersion: 'serving.knative.dev/v1',
        kind: 'Service',
        metadata: { name: 'restart', namespace: 'demo' },
        spec: { template: { spec: { containers: [{ image: 'restart:1' }] } } },
      },
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'hello', namespace: 'demo' },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: 'hello' } },
          template: {
            metadata: { labels: { app: 'hello' } },
            spec: { containers: [{ name: 'app', image: 'hello:1' }] },
          },
        },
      },
      {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'hello-config', namespace: 'demo' },
        data: { A: '1', B: '2' },
      },
    ]);
  });
  afterAll(() => emu.stop());

  it('api-resources lists every resource of the table, an optional CRD only once installed', async () => {
    const out = await kubectl('api-resources', '--no-headers', '-o', 'name');
    const listed = new Set(out.trim().split('\n'));
    for (const t of RESOURCE_TABLE)
      expect(listed.has(t.group ? `${t.resource}.${t.group}` : t.resource), `${t.resource}.${t.group}`).toBe(
        !t.optionalCrd,
      );
    await expect(kubectl('get', 'rollouts', '-n', 'demo')).rejects.toThrow(
      /the server doesn't have a resource type "rollouts"/,
    );
  });

  it('get cronjobs prints SCHEDULE/SUSPEND/ACTIVE/LAST SCHEDULE, as kubectl against a 1.26 apiserver', async () => {
    emu.seed([
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'nightly-report', namespace: 'demo' },
        spec: {
          schedule: '0 3 * * *',
          suspend: true,
          jobTemplate: {
            spec: {
              template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'report', image: 'report:1' }] } },
            },
          },
        },
      },
    ]);
    const lines = (await kubectl('get', 'cj', '-n', 'demo', '-o', 'wide')).trim().split('\n');
    expect(lines[0]!.split(/\s{2,}/)).toEqual([
      'NAME',
      'SCHEDULE',
      'SUSPEND',
      'ACTIVE',
      'LAST SCHEDULE',
      'AGE',
      'CONTAINERS',
      'IMAGES',
      'SELECTOR',
    ]);
    const cells = lines[1]!.split(/\s{2,}/);
    expect([...cells.slice(0, 5), ...cells.slice(6)]).toEqual([
      'nightly-report',
      '0 3 * * *',
      'True',
      '0',
      '<none>',
      'report',
      'report:1',
      '<none>',
    ]);
  });

  it('an emulator started with the Rollout CRD serves rollouts with the CRD printer columns', async () => {
    const withCrd = await startEmulator({ crds: ['rollouts.argoproj.io'] });
    try {
      withCrd.seed([
        {
          apiVersion: 'argoproj.io/v1alpha1',
          kind: 'Rollout',
          metadata: { name: 'web', namespace: 'demo' },
          spec: { replicas: 3, template: { spec: { containers: [{ name: 'web', image: 'web:1' }] } } },
        },
      ]);
      const out = await run('kubectl', ['--kubeconfig', withCrd.kubeconfigPath, 'get', 'ro', '-n', 'demo']);
      const lines = out.stdout.trim().split('\n');
      expect(lines[0]!.split(/\s+/)).toEqual(['NAME', 'DESIRED', 'CURRENT', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
      expect(lines[1]!.split(/\s+/).slice(0, 2)).toEqual(['web', '3']);
    } finally {
      await withCrd.stop();
    }
  });

  it('get ksvc prints the CRD printer columns', async () => {
    const lines = (await kubectl('get', 'ksvc', '-n', 'demo')).trim().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual(['NAME', 'URL', 'LATESTCREATED', 'LATESTREADY', 'READY', 'REASON']);
    expect(lines[1]!.split(/\s+/)).toEqual([
      'restart',
      'http://restart.demo.example.com',
      'restart-00001',
      'restart-00001',
      'True',
    ]);
  });

  it('get deployments prints READY/UP-TO-DATE/AVAILABLE', async () => {
    const lines = (await kubectl('get', 'deploy', '-n', 'demo')).trim().split('\n');
    expect(lines[0]!.split(/\s+/)).toEqual(['NAME', 'READY', 'UP-TO-DATE', 'AVAILABLE', 'AGE']);
    expect(lines[1]!.split(/\s+/).slice(0, 4)).toEqual(['hello', '2/2', '2', '2']);
  });

  it('get configmaps counts DATA, and -o name / custom columns work', async () => {
    expect((await kubectl('get', 'cm', '-n', 'demo', '--no-headers')).split(/\s+/).slice(0, 2)).toEqual([
      'hello-config',
      '2',
    ]);
    expect((await kubectl('get', 'cm', '-n', 'demo', '-o', 'name')).trim()).toBe('configmap/hello-config');
    expect(
      (
        await kubectl(
          'get',
          'cm',
          'hello-config',
          '-n',
          'demo',
          '-o',
          'custom-columns=N:.metadata.name,A:.data.A',
          '--no-headers',
        )
      )
        .trim()
        .split(/\s+/),
    ).toEqual(['hello-config', '1']);
  });

  it('answers a Table to a client asking for one, with the objects as metadata', async () => {
    const res = await fetch(`${emu.url}/api/v1/namespaces/demo/configmaps`, {
      headers: { accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    });
    const table = (await res.json()) as {
      kind: string;
      apiVersion: string;
      columnDefinitions: Array<{ name: string }>;
      rows: Array<{ cells: unknown[]; object: { kind: string } }>;
    };
    expect(table.kind).toBe('Table');
    expect(table.apiVersion).toBe('meta.k8s.io/v1');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(table.rows[0]!.cells.slice(0, 2)).toEqual(['hello-config', 2]);
    expect(table.rows[0]!.object.kind).toBe('PartialObjectMetadata');
  });

  it('declines protobuf and aggregated discovery with a JSON answer', async () => {
    const res = await fetch(`${emu.url}/apis`, {
      headers: { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' },
    });
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(((await res.json()) as { kind: string }).kind).toBe('APIGroupList');
    const pb = await fetch(`${emu.url}/api/v1/namespaces/demo/configmaps/hello-config`, {
      headers: { accept: 'application/vnd.kubernetes.protobuf, application/json' },
    });
    expect(((await pb.json()) as { kind: string }).kind).toBe('ConfigMap');
  });

  it('kubectl create generators (protobuf bodies) and kubectl scale work', async () => {
    const cases: Array<[string[], string]> = [
      [['create', 'configmap', 'gen-cm', '-n', 'demo', '--from-literal=MESSAGE=hi'], 'configmap/gen-cm created'],
      [
        ['create', 'secret', 'generic', 'gen-secret', '-n', 'demo', '--from-literal=password=s3cret'],
        'secret/gen-secret created',
      ],
      [['create', 'namespace', 'gen-ns'], 'namespace/gen-ns created'],
      [['create', 'serviceaccount', 'gen-sa', '-n', 'demo'], 'serviceaccount/gen-sa created'],
      [
        ['create', 'deployment', 'gen-deploy', '-n', 'demo', '--image=nginx:1.27', '--replicas=3', '--port=8080'],
        'deployment.apps/gen-deploy created',
      ],
      [['create', 'service', 'clusterip', 'gen-svc', '-n', 'demo', '--tcp=80:8080'], 'service/gen-svc created'],
      [
        ['create', 'role', 'gen-role', '-n', 'demo', '--verb=get,list', '--resource=configmaps'],
        'role.rbac.authorization.k8s.io/gen-role created',
      ],
      [
        ['create', 'rolebinding', 'gen-rb', '-n', 'demo', '--role=gen-role', '--serviceaccount=demo:gen-sa'],
        'rolebinding.rbac.authorization.k8s.io/gen-rb created',
      ],
      [['scale', 'deployment', 'gen-deploy', '-n', 'demo', '--replicas=1'], 'deployment.apps/gen-deploy scaled'],
    ];
    for (const [args, printed] of cases) expect((await kubectl(...args)).trim()).toBe(printed);
    const cm = JSON.parse(await kubectl('get', 'cm', 'gen-cm', '-n', 'demo', '-o', 'json'));
    expect(cm.data).toEqual({ MESSAGE: 'hi' });
    const secret = JSON.parse(await kubectl('get', 'secret', 'gen-secret', '-n', 'demo', '-o', 'json'));
    expect(Buffer.from(secret.data.password, 'base64').toString()).toBe('s3cret');
    const d = JSON.parse(await kubectl('get', 'deploy', 'gen-deploy', '-n', 'demo', '-o', 'json'));
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.template.spec.containers[0]).toMatchObject({
      name: 'nginx',
      image: 'nginx:1.27',
      ports: [{ containerPort: 8080, protocol: 'TCP' }],
    });
    expect(d.metadata.generation).toBe(2);
    const rb = JSON.parse(await kubectl('get', 'rolebinding', 'gen-rb', '-n', 'demo', '-o', 'json'));
    expect(rb.subjects).toEqual([{ kind: 'ServiceAccount', name: 'gen-sa', namespace: 'demo' }]);
  });
});
