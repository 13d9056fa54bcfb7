// `npm run record:openapi --workspace local`: downloads the OpenAPI documents of a REAL
// kube-apiserver (the v1.26.4 in ../shared/envtest, found through KUBEBUILDER_ASSETS) for the
// built-in group-versions the emulator serves or may serve, and writes them, gzipped, to
// src/emulator/data/openapi-kube-apiserver.json.gz. The emulator serves these bytes' content as
// /openapi/v2 and /openapi/v3, so `kubectl explain`, kubectl's client-side validation and its
// strategic-merge computations see the apiserver's own schemas. The custom resources' parts are
// NOT recorded: the emulator builds them from crds/ at start (openapi-crds.ts), as the apiserver
// builds them from the installed CRDs. Run it again only when moving to another apiserver version.
import { writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { request } from 'node:https';
import { findRealTierAssets, startControlPlane, type ControlPlane } from '@reroll/envtest';

/** kubectl reads /openapi/v2 only as gnostic protobuf (served as application/octet-stream): keep those bytes */
async function getProtobuf(cp: ControlPlane, path: string): Promise<Buffer> {
  const opts: Parameters<typeof request>[1] = {
    method: 'GET',
    headers: { Accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' },
  };
  await cp.kubeConfig.applyToHTTPSOptions(opts);
  return new Promise((resolve, reject) => {
    const req = request(`${cp.server}${path}`, opts, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        res.statusCode === 200 && chunks.length > 0 && chunks[0]![0] !== 0x7b /* not JSON */
          ? resolve(Buffer.concat(chunks))
          : reject(new Error(`${path}: ${res.statusCode} ${String(res.headers['content-type'])}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** built-in group-versions worth keeping (whole documents: another row in the table needs no re-recording) */
const GROUP_VERSIONS = [
  'api/v1',
  'apis/apps/v1',
  'apis/batch/v1',
  'apis/autoscaling/v1',
  'apis/events.k8s.io/v1',
  'apis/rbac.authorization.k8s.io/v1',
];

type Json = Record<string, unknown>;

/** v2 definitions reachable from the kept paths ($ref closure), so the file stays small */
function reachable(definitions: Record<string, Json>, roots: unknown): Record<string, Json> {
  const keep = new Set<string>();
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === '$ref' && typeof x === 'string') {
          const name = x.replace('#/definitions/', '');
          if (!keep.has(name) && definitions[name]) {
            keep.add(name);
            walk(definitions[name]);
          }
        } else walk(x);
      }
    }
  };
  walk(roots);
  return Object.fromEntries([...keep].sort().map((n) => [n, definitions[n]!]));
}

const assets = findRealTierAssets(process.env);
if ('skipReason' in assets) throw new Error(assets.skipReason);
const cp = await startControlPlane({ assets });
try {
  const get = async (path: string): Promise<Json> =>
    JSON.parse((await cp.kubectl(['get', '--raw', path], { timeoutMs: 60_000 })).stdout) as Json;
  const version = await get('/version');
  const v2 = await get('/openapi/v2');
  const paths = Object.fromEntries(
    Object.entries(v2.paths as Json).filter(([p]) => GROUP_VERSIONS.some((gv) => p.startsWith(`/${gv}/`))),
  );
  const definitions = reachable(v2.definitions as Record<string, Json>, paths);
  const v3: Record<string, Json> = {};
  for (const gv of GROUP_VERSIONS) v3[gv] = await get(`/openapi/v3/${gv}`);
  const v2Protobuf = await getProtobuf(cp, '/openapi/v2');
  const out = {
    recordedFrom: `kube-apiserver ${String(version.gitVersion)} (${String(version.gitCommit)})`,
    v2: { swagger: v2.swagger, info: v2.info, paths, definitions },
    v3,
  };
  const file = fileURLToPath(new URL('../src/emulator/data/openapi-kube-apiserver.json.gz', import.meta.url));
  writeFileSync(file, gzipSync(JSON.stringify(out), { level: 9 }));
  // the whole v2 document in protobuf, built-in kinds only (no CRD is installed while recording)
  writeFileSync(file.replace('.json.gz', '-v2.pb.gz'), gzipSync(v2Protobuf, { level: 9 }));
  console.log(
    `wrote ${file}: ${out.recordedFrom}, ${Object.keys(definitions).length} v2 definitions, ${GROUP_VERSIONS.length} v3 documents`,
  );
} finally {
  await cp.stop();
}
