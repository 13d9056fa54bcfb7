import { describe, expect, it } from 'vitest';
import { decideRoutes, servedDeveloperNamespaces, type RoutesState } from '../../src/core/decide';
import { MANAGED_BY_LABEL, SYSTEM_NAMESPACES, type KubeObject } from '../../src/core/types';
import { routesConfig, service, validateVirtualService, SEED_TEMPLATE } from '../helpers/fixtures';

const EXCLUDED = [...SYSTEM_NAMESPACES, 'knative-serving'];

function state(overrides: Partial<RoutesState> & { devs?: Record<string, KubeObject | null> } = {}): RoutesState {
  const { devs = {}, ...rest } = overrides;
  return {
    config: routesConfig(),
    serviceName: 'my-app',
    defaultService: service('my-app', 'default'),
    developerServices: new Map(Object.entries(devs)),
    existing: null,
    ...rest,
  };
}

const decide = (s: RoutesState) => decideRoutes(s, EXCLUDED, validateVirtualService);

/** the x-developer values and destination hosts, in route order (the default route has no match) */
function routesOf(object: KubeObject | undefined): Array<[string | null, string, number | undefined]> {
  const http = (object?.spec?.http ?? []) as Array<{
    match?: Array<{ headers?: Record<string, { exact?: string }> }>;
    route: Array<{ destination: { host: string; port?: { number: number } } }>;
  }>;
  return http.map((r) => [
    r.match?.[0]?.headers?.['x-developer']?.exact ?? null,
    r.route[0]!.destination.host,
    r.route[0]!.destination.port?.number,
  ]);
}

function written(s: RoutesState): KubeObject | undefined {
  const plan = decide(s);
  return plan.write && plan.write.verb !== 'delete' ? plan.write.object : undefined;
}

describe('decideRoutes: the VirtualService of a Service in the default namespace', () => {
  it.each([
    ['no developer namespace has it', {}, [[null, 'my-app.default.svc.cluster.local', undefined]]],
    [
      'one developer namespace has it',
      { 'dev-alice': service('my-app', 'dev-alice') },
      [
        ['dev-alice', 'my-app.dev-alice.svc.cluster.local', 80],
        [null, 'my-app.default.svc.cluster.local', undefined],
      ],
    ],
    [
      'several have it (config order, whatever order they were found in)',
      { staging: service('my-app', 'staging'), 'dev-bob': null, 'dev-alice': service('my-app', 'dev-alice') },
      [
        ['dev-alice', 'my-app.dev-alice.svc.cluster.local', 80],
        ['staging', 'my-app.staging.svc.cluster.local', 80],
        [null, 'my-app.default.svc.cluster.local', undefined],
      ],
    ],
  ])('%s', (_name, devs, expected) => {
    const plan = decide(state({ devs }));
    expect(plan.decision).toMatchObject({ action: 'created', namespace: 'default', name: 'my-app-virtual-service' });
    expect(routesOf(written(state({ devs })))).toEqual(expected);
  });

  it('labels it as ours, named and placed by the template placeholders, hosts from the template', () => {
    const object = written(state())!;
    expect(object.metadata).toMatchObject({
      name: 'my-app-virtual-service',
      namespace: 'default',
      labels: { [MANAGED_BY_LABEL]: 'reroll-routes' },
    });
    expect(object.apiVersion).toBe('networking.istio.io/v1beta1');
    expect(object.spec?.hosts).toEqual(['my-app']);
  });

  it('a developer route matches x-developer exactly and names the port of the Service', () => {
    const object = written(state({ devs: { 'dev-alice': service('my-app', 'dev-alice', [9090]) } }))!;
    expect((object.spec!.http as unknown[])[0]).toEqual({
      name: 'x-developer-dev-alice',
      match: [{ headers: { 'x-developer': { exact: 'dev-alice' } } }],
      route: [{ destination: { host: 'my-app.dev-alice.svc.cluster.local', port: { number: 9090 } } }],
    });
  });

  it.each([
    ['the default Service port when the developer Service has it', [8443, 80], [80], 80],
    ['else the first port', [8443, 9000], [80], 8443],
    ['no port when the Service has none', [], [80], undefined],
  ])('ports: %s', (_name, devPorts, defaultPorts, expected) => {
    const object = written(
      state({
        defaultService: service('my-app', 'default', defaultPorts),
        devs: { 'dev-alice': service('my-app', 'dev-alice', devPorts) },
      }),
    );
    expect(routesOf(object)[0]![2]).toBe(expected);
  });

  it('a template with custom name, labels and a second host keeps them (seed 003 custom template)', () => {
    const template = SEED_TEMPLATE.replace('"${serviceName}-virtual-service"', '"${serviceName}-vs"')
      .replace('spec:', 'spec:')
      .replace('  - ${serviceName}\n', '  - ${serviceName}\n  - ${serviceName}.${defaultNamespace}.svc.cluster.local\n')
      .replace('metadata:\n', 'metadata:\n  labels:\n    service: "${serviceName}"\n');
    const object = written(state({ config: routesConfig({ virtualServiceTemplate: template }) }))!;
    expect(object.metadata?.name).toBe('my-app-vs');
    expect(object.metadata?.labels).toMatchObject({ service: 'my-app', [MANAGED_BY_LABEL]: 'reroll-routes' });
    expect(object.spec?.hosts).toEqual(['my-app', 'my-app.default.svc.cluster.local']);
  });
});

describe('decideRoutes: lifecycle against the live VirtualService', () => {
  const live = (devs: Record<string, KubeObject | null>): KubeObject => ({
    ...written(state({ devs }))!,
    metadata: { ...written(state({ devs }))!.metadata, resourceVersion: '42' },
  });

  it('unchanged when the live one already routes the same way (a duplicate or replayed event)', () => {
    const devs = { 'dev-alice': service('my-app', 'dev-alice') };
    const plan = decide(state({ devs, existing: live(devs) }));
    expect(plan.decision.action).toBe('unchanged');
    expect(plan.write).toBeUndefined();
  });

  it('a developer Service created → its route added, written with the resourceVersion it was computed from', () => {
    const plan = decide(state({ devs: { 'dev-alice': service('my-app', 'dev-alice') }, existing: live({}) }));
    expect(plan.decision.action).toBe('updated');
    expect(plan.write).toMatchObject({ verb: 'update', object: { metadata: { resourceVersion: '42' } } });
    expect(
      routesOf(written(state({ devs: { 'dev-alice': service('my-app', 'dev-alice') } }))).map((r) => r[0]),
    ).toEqual(['dev-alice', null]);
  });

  it('a developer Service deleted → its route removed', () => {
    const plan = decide(
      state({ devs: { 'dev-alice': null }, existing: live({ 'dev-alice': service('my-app', 'dev-alice') }) }),
    );
    expect(plan.decision.action).toBe('updated');
    expect(plan.write!.verb === 'update' && routesOf(plan.write!.object).map((r) => r[0])).toEqual([null]);
  });

  it('a developer Service port changed → its route updated', () => {
    const plan = decide(
      state({
        devs: { 'dev-alice': service('my-app', 'dev-alice', [81]) },
        existing: live({ 'dev-alice': service('my-app', 'dev-alice', [80]) }),
      }),
    );
    expect(plan.decision.action).toBe('updated');
    expect(plan.write!.verb === 'update' && routesOf(plan.write!.object)[0]![2]).toBe(81);
  });

  it('the default Service deleted → its VirtualService deleted, with a resourceVersion precondition', () => {
    const plan = decide(state({ defaultService: null, existing: live({}) }));
    expect(plan.decision.action).toBe('deleted');
    expect(plan.write).toEqual({ verb: 'delete', name: 'my-app-virtual-service', resourceVersion: '42' });
  });

  it('a Service only in a developer namespace makes no VirtualService', () => {
    const plan = decide(state({ defaultService: null, devs: { 'dev-alice': service('my-app', 'dev-alice') } }));
    expect(plan.decision.action).toBe('skipped');
    expect(plan.write).toBeUndefined();
  });

  it.each([
    ['Service present', service('my-app', 'default')],
    ['Service deleted', null],
  ])('a VirtualService without our label is never touched (%s)', (_name, defaultService) => {
    const unmanaged: KubeObject = { ...live({}), metadata: { name: 'my-app-virtual-service', namespace: 'default' } };
    const plan = decide(state({ defaultService, existing: unmanaged }));
    expect(plan.decision).toMatchObject({ action: 'skipped' });
    expect(plan.decision.reason).toMatch(/not ours/);
    expect(plan.write).toBeUndefined();
  });
});

describe('decideRoutes: invalid templates give failed and no write', () => {
  it.each([
    ['not YAML', 'kind: VirtualService\n  bad: [', /not valid YAML/],
    [
      'an unknown placeholder',
      SEED_TEMPLATE.replace('${serviceName}-virtual-service', '${service}-vs'),
      /unknown placeholder \$\{service\}/,
    ],
    [
      'another kind',
      SEED_TEMPLATE.replace('kind: VirtualService', 'kind: Gateway'),
      /not a networking.istio.io VirtualService/,
    ],
    [
      'an unknown field (CRD schema)',
      SEED_TEMPLATE.replace('  hosts:', '  hostz: [a]\n  hosts:'),
      /spec.hostz: unknown field/,
    ],
    [
      'a wrong type (CRD schema)',
      SEED_TEMPLATE.replace('  hosts:\n  - ${serviceName}', '  hosts: ${serviceName}'),
      /spec.hosts: must be array/,
    ],
    ['no default route', SEED_TEMPLATE.split('  http:')[0]!, /spec.http needs the default route/],
    ['another namespace', SEED_TEMPLATE.replace('"${defaultNamespace}"', 'elsewhere'), /only in defaultNamespace/],
    ['an apiVersion the CRD does not serve', SEED_TEMPLATE.replace('v1beta1', 'v2'), /not served/],
  ])('%s', (_name, template, reason) => {
    const plan = decide(state({ config: routesConfig({ virtualServiceTemplate: template }) }));
    expect(plan.decision.action).toBe('failed');
    expect(plan.decision.reason).toMatch(reason);
    expect(plan.write).toBeUndefined();
  });
});

describe('servedDeveloperNamespaces', () => {
  it('keeps config order, drops duplicates, the default namespace and system namespaces', () => {
    const config = routesConfig({
      developerNamespaces: ['staging', 'kube-system', 'dev-alice', 'staging', 'default', 'istio-system'],
    });
    const { namespaces, dropped } = servedDeveloperNamespaces(config, EXCLUDED);
    expect(namespaces).toEqual(['staging', 'dev-alice']);
    expect(dropped.map((d) => d.namespace)).toEqual(['kube-system', 'default', 'istio-system']);
  });

  it('a Service in an excluded developer namespace gets no route', () => {
    const config = routesConfig({ developerNamespaces: ['kube-public', 'dev-alice'] });
    const object = written(
      state({
        config,
        devs: { 'kube-public': service('my-app', 'kube-public'), 'dev-alice': service('my-app', 'dev-alice') },
      }),
    );
    expect(routesOf(object).map((r) => r[0])).toEqual(['dev-alice', null]);
  });
});
