// The routes function's real server on 127.0.0.1:0 with the real client-node port, against the API
// emulator (or any kubeconfig: the real tier passes envtest's), logs collected in memory.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { CloudEvent, HTTP } from 'cloudevents';
import { createLogger } from '@reroll/function-runtime';
import { DEFAULT_EXCLUDED, type RoutesFunctionConfig } from '../../src/config';
import type { KubeObject } from '../../src/core/types';
import { createClientNodePort } from '../../src/kube/client-node-port';
import { startRoutesFunction, type RoutesFunction } from '../../src/start-routes';

const run = promisify(execFile);

export interface RoutesHarness {
  fn: RoutesFunction;
  lines: string[];
  /** POST one Reference-mode ApiServerSource event about a Service, as the adapter sends it */
  send(action: 'add' | 'update' | 'delete', namespace: string, name: string): Promise<Answer>;
  resync(): Promise<Answer>;
  /** kubectl against the same API */
  kubectl(...args: string[]): Promise<string>;
  /** the live VirtualService as kubectl shows it (null when NotFound) */
  liveVirtualService(namespace: string, name: string): Promise<KubeObject | null>;
  stop(): Promise<void>;
}

export interface Answer {
  status: number;
  json: { decisions?: Array<{ action: string; reason: string; name: string }>; note?: string; [k: string]: unknown };
}

export async function startRoutesHarness(options: {
  kubeconfigPath: string;
  configMap: { namespace: string; name: string };
  maxConflictRetries?: number;
}): Promise<RoutesHarness> {
  const lines: string[] = [];
  const config: RoutesFunctionConfig = {
    configMap: options.configMap,
    excludeNamespaces: DEFAULT_EXCLUDED,
    logFormat: 'text',
    logLevel: 'debug',
    port: 0,
  };
  const logger = createLogger({
    name: 'routes',
    format: 'text',
    level: 'debug',
    destination: { write: (l: string) => lines.push(l.trimEnd()) },
  });
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(options.kubeconfigPath);
  const fn = await startRoutesFunction({
    config,
    host: '127.0.0.1',
    logger,
    drainTimeoutMs: 2000,
    ...(options.maxConflictRetries !== undefined ? { maxConflictRetries: options.maxConflictRetries } : {}),
    createPort: (onRequest) => createClientNodePort({ kubeConfig, onRequest, retry: { budgetMs: 3500 } }),
  });
  const post = async (event: CloudEvent<unknown>): Promise<Answer> => {
    const msg = HTTP.binary(event);
    const res = await fetch(`${fn.url}/`, {
      method: 'POST',
      headers: msg.headers as Record<string, string>,
      body: msg.body as string,
    });
    return { status: res.status, json: (await res.json()) as Answer['json'] };
  };
  const kubectl = async (...args: string[]) =>
    (await run('kubectl', ['--kubeconfig', options.kubeconfigPath, ...args], { timeout: 60_000 })).stdout;
  return {
    fn,
    lines,
    send: (action, namespace, name) =>
      post(
        new CloudEvent({
          type: `dev.knative.apiserver.ref.${action}`,
          source: 'https://10.96.0.1:443',
          subject: `/apis/v1/namespaces/${namespace}/services/${name}`,
          kind: 'Service',
          name,
          namespace,
          datacontenttype: 'application/json',
          data: { apiVersion: 'v1', kind: 'Service', name, namespace },
        }),
      ),
    resync: () =>
      post(
        new CloudEvent({
          type: 'dev.knative.sources.ping',
          source: '/apis/v1/namespaces/reroll-demo/pingsources/routes-resync',
          datacontenttype: 'application/json',
          data: { reason: 'resync' },
        }),
      ),
    kubectl,
    async liveVirtualService(namespace, name) {
      try {
        return JSON.parse(
          await kubectl('get', 'virtualservices.networking.istio.io', name, '-n', namespace, '-o', 'json'),
        ) as KubeObject;
      } catch (err) {
        if (/NotFound|not found/.test(String((err as { stderr?: string }).stderr))) return null;
        throw err;
      }
    },
    stop: () => fn.close(),
  };
}

/** [x-developer value or null for the default route, destination host] per http route */
export function routesOf(vs: KubeObject | null): Array<[string | null, string]> {
  const http = (vs?.spec?.http ?? []) as Array<{
    match?: Array<{ headers?: Record<string, { exact?: string }> }>;
    route: Array<{ destination: { host: string } }>;
  }>;
  return http.map((r) => [r.match?.[0]?.headers?.['x-developer']?.exact ?? null, r.route[0]!.destination.host]);
}
