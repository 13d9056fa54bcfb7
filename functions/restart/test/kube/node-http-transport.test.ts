// The request layer under client-node: what reaches the API server, byte for byte where it matters.
// A plain node:http server stands in for the wire (it records the request and answers like the API).
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createClientNodePort } from '../../src/kube/client-node-port';
import { ConnectionPool } from '../../src/kube/connection-pool';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}
const seen: Seen[] = [];
let server: Server;
let kubeConfig: KubeConfig;
const pool = new ConnectionPool();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (c: string) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      if (req.url?.includes('/configmaps/forbidden')) {
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({
            kind: 'Status',
            code: 403,
            message: 'configmaps "forbidden" is forbidden: cannot get resource',
          }),
        );
        return;
      }
      if (req.url?.includes('/configmaps/missing')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ kind: 'Status', code: 404, message: 'configmaps "missing" not found' }));
        return;
      }
      const object = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'demo' } };
      // a large answer in several chunks, as a LIST page arrives
      res.writeHead(200, { 'content-type': 'application/json' });
      const text = JSON.stringify({ ...object, spec: { padding: 'x'.repeat(200_000) } });
      res.write(text.slice(0, 1000));
      res.end(text.slice(1000));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [
      { name: 'c', server: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, skipTLSVerify: true },
    ],
    users: [{ name: 'u', token: 'the-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
});
afterAll(async () => {
  pool.destroy();
  await new Promise((r) => server.close(r));
});

it('a PATCH carries client-node authentication, the merge-patch type and its body, and asks for no compression', async () => {
  const port = createClientNodePort({ kubeConfig, pool });
  seen.length = 0;
  const patch = { metadata: { resourceVersion: '7' }, spec: { template: { metadata: { annotations: { a: 'b' } } } } };
  const answer = await port.patchWorkload({ kind: 'Deployment', namespace: 'demo', name: 'web' }, patch as never);
  expect(answer.metadata?.name).toBe('web');
  expect((answer.spec as { padding: string }).padding).toHaveLength(200_000); // every chunk, in order
  const [req] = seen;
  expect(req?.method).toBe('PATCH');
  expect(req?.url).toBe('/apis/apps/v1/namespaces/demo/deployments/web');
  expect(req?.headers.authorization).toBe('Bearer the-token');
  expect(req?.headers['content-type']).toBe('application/merge-patch+json');
  expect(req?.headers['content-length']).toBe(String(Buffer.byteLength(req?.body ?? '')));
  expect(JSON.parse(req?.body ?? '')).toEqual(patch);
  // gzip would have the API server compress every large LIST page and the function inflate it again
  expect(req?.headers['accept-encoding'] ?? '').not.toMatch(/gzip|deflate/);
});

it('API error statuses stay definite answers: 404 → null, 403 → KubeApiError with the API message', async () => {
  const port = createClientNodePort({ kubeConfig, pool });
  expect(await port.getConfig({ kind: 'ConfigMap', namespace: 'demo', name: 'missing' })).toBeNull();
  await expect(port.getConfig({ kind: 'ConfigMap', namespace: 'demo', name: 'forbidden' })).rejects.toMatchObject({
    name: 'KubeApiError',
    status: 403,
    message: expect.stringContaining('cannot get resource') as unknown,
  });
});
