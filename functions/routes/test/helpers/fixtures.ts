// seed 003's example configuration and Kubernetes-shaped Services, for the core tables and the
// integration tests.
import { compileVirtualServiceValidator } from '../../src/intake/virtual-service-validator';
import { readVirtualServiceSchemas } from '../../src/intake/virtual-service-crd';
import type { KubeObject, RoutesConfig } from '../../src/core/types';

/** seed 003's template, verbatim (its `apiVersion: networking.istio.io/v1beta1`). */
export const SEED_TEMPLATE = `apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: "\${serviceName}-virtual-service"
  namespace: "\${defaultNamespace}"
spec:
  hosts:
  - \${serviceName}
  http:
  # Developer routes will be injected here
  - route:
    - destination:
        host: \${serviceName}.\${defaultNamespace}.svc.cluster.local
`;

export function routesConfig(overrides: Partial<RoutesConfig> = {}): RoutesConfig {
  return {
    defaultNamespace: 'default',
    developerNamespaces: ['dev-alice', 'dev-bob', 'staging'],
    virtualServiceTemplate: SEED_TEMPLATE,
    ...overrides,
  };
}

/** seed 003's ConfigMap `config.yaml`, for a given config. */
export function configYaml(config: RoutesConfig): string {
  const indented = config.virtualServiceTemplate
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return [
    `defaultNamespace: "${config.defaultNamespace}"`,
    config.developerNamespaces.length === 0 ? 'developerNamespaces: []' : 'developerNamespaces:',
    ...config.developerNamespaces.map((ns) => `  - "${ns}"`),
    'virtualServiceTemplate: |',
    indented,
    '',
  ].join('\n');
}

export function service(name: string, namespace: string, ports: number[] = [80]): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace },
    spec: { selector: { app: name }, ports: ports.map((port, i) => ({ name: `p${i}`, port, targetPort: 8080 })) },
  };
}

export const validateVirtualService = compileVirtualServiceValidator(readVirtualServiceSchemas());
