import { describe, expect, it } from 'vitest';
import { READY_LINE, formatReadyBanner } from '../../src/runner/format-ready-banner';

const apps = [
  { env: 'test', host: 'helloworld-test.local', configMap: 'helloworld-test', key: 'message' },
  { env: 'prod', host: 'helloworld-prod.local', configMap: 'helloworld-prod', key: 'message' },
];

describe('formatReadyBanner', () => {
  const cases: { name: string; kubeconfigPath: string; want: string[] }[] = [
    {
      name: 'prints the seed 000 commands with the real hosts, namespace and key',
      kubeconfigPath: '/repo/.reroll/kubeconfig',
      want: [
        READY_LINE,
        'export KUBECONFIG=/repo/.reroll/kubeconfig',
        "curl -H 'Host: helloworld-test.local' http://127.0.0.1:18080/",
        "curl -H 'Host: helloworld-prod.local' http://127.0.0.1:18080/",
        `kubectl patch configmap helloworld-test -n reroll-demo --type merge -p '{"data":{"message":"Hello again"}}'`,
        `--type merge -p '{"data":{"message":"Hello again"}}'\n  # reroll patches the Deployment about a second later (it cold-starts); then:\n  kubectl rollout status deployment/helloworld-test -n reroll-demo`,
      ],
    },
    {
      name: 'quotes a kubeconfig path with spaces',
      kubeconfigPath: "/home/a user/it's/kubeconfig",
      want: [`export KUBECONFIG='/home/a user/it'\\''s/kubeconfig'`],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const text = formatReadyBanner({
        kubeconfigPath: c.kubeconfigPath,
        gatewayUrl: 'http://127.0.0.1:18080',
        namespace: 'reroll-demo',
        apps,
      });
      for (const w of c.want) expect(text).toContain(w);
    });
  }
});
