// One HTTP request with a kubeconfig's credentials (token or client certificate, http or https):
// what the contract suite needs for raw paths, seeding a real apiserver and reading objects back.
import type { KubeConfig } from '@kubernetes/client-node';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { RESOURCE_TABLE } from '../../../src/emulator/resource-table';

export interface RawResponse {
  status: number;
  text: string;
}

export async function rawRequest(
  kc: KubeConfig,
  method: string,
  path: string,
  opts: { body?: string; contentType?: string; accept?: string } = {},
): Promise<RawResponse> {
  const server = kc.getCurrentCluster()!.server;
  const options: RequestOptions = {
    method,
    headers: {
      Accept: opts.accept ?? 'application/json',
      ...(opts.body !== undefined ? { 'Content-Type': opts.contentType ?? 'application/json' } : {}),
    },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = (server.startsWith('https:') ? httpsRequest : httpRequest)(server + path, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** /api/v1/namespaces/demo/configmaps[/name] for an apiVersion and kind of the resource table */
export function resourcePath(apiVersion: string, kind: string, namespace?: string, name?: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const t = RESOURCE_TABLE.find((r) => r.group === group && r.version === version && r.kind === kind);
  if (!t) throw new Error(`no resource for ${apiVersion} ${kind}`);
  const base = t.group ? `/apis/${t.group}/${t.version}` : `/api/${t.version}`;
  const ns = t.namespaced && namespace ? `/namespaces/${namespace}` : '';
  return `${base}${ns}/${t.resource}${name ? `/${name}` : ''}`;
}
