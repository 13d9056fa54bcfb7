// The OpenAPI documents recorded from a real kube-apiserver (scripts/record-openapi.ts says how),
// loaded once, on first use: a few MB of JSON nobody needs until kubectl asks for /openapi.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

export type JsonDoc = Record<string, unknown>;

export interface RecordedOpenApi {
  recordedFrom: string;
  v2: { swagger: string; info: JsonDoc; paths: Record<string, JsonDoc>; definitions: Record<string, JsonDoc> };
  /** "api/v1", "apis/apps/v1", … → the apiserver's /openapi/v3/<gv> document */
  v3: Record<
    string,
    { openapi: string; info: JsonDoc; paths: Record<string, JsonDoc>; components: { schemas: Record<string, JsonDoc> } }
  >;
}

let recorded: RecordedOpenApi | undefined;

export function recordedOpenApi(): RecordedOpenApi {
  recorded ??= JSON.parse(
    gunzipSync(readFileSync(new URL('./data/openapi-kube-apiserver.json.gz', import.meta.url))).toString('utf8'),
  ) as RecordedOpenApi;
  return recorded;
}

let v2Protobuf: Buffer | undefined;

/** the recorded /openapi/v2 in gnostic protobuf, the only form kubectl reads (built-in kinds only) */
export function recordedOpenApiV2Protobuf(): Buffer {
  v2Protobuf ??= gunzipSync(readFileSync(new URL('./data/openapi-kube-apiserver-v2.pb.gz', import.meta.url)));
  return v2Protobuf;
}
