// Pure: a PingSource object (sources.knative.dev/v1) → what the emulated mt-ping adapter needs.

export type PingSourceSpec = {
  name: string;
  namespace: string;
  /** 5-field cron (Knative's default "* * * * *"), or @every <duration>, @hourly, … */
  schedule: string;
  timezone: string | undefined;
  contentType: string | undefined;
  data: string | undefined;
  dataBase64: string | undefined;
  sinkUri: string | undefined;
};

function fail(field: string, problem: string): never {
  throw new Error(`PingSource ${field} ${problem}`);
}

function optionalString(spec: Record<string, unknown>, field: string): string | undefined {
  const v = spec[field];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') fail(`spec.${field}`, 'must be a string');
  return v;
}

export function parsePingSource(object: unknown): PingSourceSpec {
  if (typeof object !== 'object' || object === null) fail('', 'must be an object');
  const o = object as {
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
    spec?: Record<string, unknown>;
  };
  if (o.kind !== undefined && o.kind !== 'PingSource')
    fail('kind', `must be PingSource, got ${JSON.stringify(o.kind)}`);
  const name = o.metadata?.name;
  if (typeof name !== 'string' || !name) fail('metadata.name', 'is missing');
  const namespace = o.metadata?.namespace ?? 'default';
  if (typeof namespace !== 'string') fail('metadata.namespace', 'must be a string');
  const spec = o.spec ?? {};
  if (typeof spec !== 'object') fail('spec', 'must be an object');
  const data = optionalString(spec, 'data');
  const dataBase64 = optionalString(spec, 'dataBase64');
  if (data !== undefined && dataBase64 !== undefined) fail('spec', 'may set data or dataBase64, not both');
  const contentType = optionalString(spec, 'contentType');
  if (data !== undefined && contentType === 'application/json') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(data);
    } catch {
      fail('spec.data', 'is not valid JSON although spec.contentType is application/json');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      fail('spec.data', 'must be a JSON object when spec.contentType is application/json');
  }
  const sink = spec.sink as { uri?: unknown } | undefined;
  return {
    name,
    namespace,
    schedule: optionalString(spec, 'schedule') ?? '* * * * *',
    timezone: optionalString(spec, 'timezone'),
    contentType,
    data,
    dataBase64,
    sinkUri: typeof sink?.uri === 'string' && sink.uri ? sink.uri : undefined,
  };
}
