// A skeletal OpenAPI v3 so kubectl's `--validate=strict` (the default) learns that the server does
// field validation itself (the fieldValidation query parameter on PATCH) instead of downloading
// schemas for client-side validation. No schemas are served: kubectl then computes apply patches
// from its compiled-in types, as it does against servers without OpenAPI. /openapi/v2 stays 404.
import { createHash } from 'node:crypto';
import { groupVersions, RESOURCE_TABLE } from './resource-table';

function gvPath(group: string, version: string): string {
  return group ? `apis/${group}/${version}` : `api/${version}`;
}

const hashOf = (s: string) => createHash('sha512').update(s).digest('hex').slice(0, 128).toUpperCase();

export function openApiV3Root(): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const [group, versions] of groupVersions()) {
    for (const v of versions) {
      const p = gvPath(group, v);
      paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${hashOf(p)}` };
    }
  }
  return { paths };
}

export function openApiV3GroupVersion(path: string): Record<string, unknown> | undefined {
  const segs = path.split('/').filter(Boolean);
  const [group, version] =
    segs[0] === 'api' && segs.length === 2
      ? ['', segs[1]!]
      : segs[0] === 'apis' && segs.length === 3
        ? [segs[1]!, segs[2]!]
        : [undefined, undefined];
  if (group === undefined || version === undefined) return undefined;
  const rows = RESOURCE_TABLE.filter((t) => t.group === group && t.version === version);
  if (rows.length === 0) return undefined;
  const fieldValidation = {
    name: 'fieldValidation',
    in: 'query',
    description:
      'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields.',
    schema: { type: 'string', uniqueItems: true },
  };
  const dryRun = { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } };
  const paths: Record<string, unknown> = {};
  for (const t of rows) {
    const base = `/${gvPath(group, version)}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.resource}`;
    const gvk = { group, version, kind: t.kind };
    const op = (action: string) => ({
      'x-kubernetes-action': action,
      'x-kubernetes-group-version-kind': gvk,
      parameters: [dryRun, fieldValidation],
      responses: { '200': { description: 'OK' } },
    });
    paths[base] = { post: op('post') };
    paths[`${base}/{name}`] = {
      put: op('put'),
      patch: {
        ...op('patch'),
        requestBody: {
          content: {
            'application/json-patch+json': { schema: { type: 'object' } },
            'application/merge-patch+json': { schema: { type: 'object' } },
          },
        },
      },
    };
  }
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.32.0-reroll-emulator' },
    paths,
    components: { schemas: {} },
  };
}
