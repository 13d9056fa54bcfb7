// Pure: an ApiServerSource object (sources.knative.dev/v1) → what the emulated adapter needs,
// with errors naming the field that is wrong.
import type { SourceMode } from './format-apiserver-event';

export type WatchedResource = { apiVersion: string; kind: string; labelSelector: string | undefined };

export type ApiServerSourceSpec = {
  name: string;
  namespace: string;
  mode: SourceMode;
  resources: WatchedResource[];
  /** spec.sink.uri; undefined when the sink is a ref that only Knative could resolve. */
  sinkUri: string | undefined;
  /**
   * spec.namespaceSelector (Knative Eventing >= 1.9): watch every namespace it selects instead of
   * `namespace`. Present with `labelSelector` undefined = an empty selector = every namespace.
   */
  namespaceSelector?: { labelSelector: string | undefined };
};

type Requirement = { key?: unknown; operator?: unknown; values?: unknown };

function fail(field: string, problem: string): never {
  throw new Error(`ApiServerSource ${field} ${problem}`);
}

/** metav1.LabelSelector → the selector string the API takes (labels.Selector String form). */
export function formatLabelSelector(selector: unknown, field = 'selector'): string | undefined {
  if (selector === undefined || selector === null) return undefined;
  if (typeof selector !== 'object' || Array.isArray(selector))
    fail(field, 'must be an object with matchLabels/matchExpressions');
  const { matchLabels, matchExpressions } = selector as { matchLabels?: unknown; matchExpressions?: unknown };
  const parts: { key: string; text: string }[] = [];
  if (matchLabels !== undefined) {
    if (typeof matchLabels !== 'object' || matchLabels === null || Array.isArray(matchLabels))
      fail(`${field}.matchLabels`, 'must be a map of strings');
    for (const [key, value] of Object.entries(matchLabels)) {
      if (typeof value !== 'string') fail(`${field}.matchLabels.${key}`, 'must be a string');
      parts.push({ key, text: `${key}=${value}` });
    }
  }
  if (matchExpressions !== undefined) {
    if (!Array.isArray(matchExpressions)) fail(`${field}.matchExpressions`, 'must be a list');
    matchExpressions.forEach((req: Requirement, i) => {
      const at = `${field}.matchExpressions[${i}]`;
      if (typeof req?.key !== 'string' || !req.key) fail(`${at}.key`, 'must be a non-empty string');
      const values = req.values ?? [];
      if (!Array.isArray(values) || values.some((v) => typeof v !== 'string'))
        fail(`${at}.values`, 'must be a list of strings');
      const list = [...(values as string[])].sort().join(',');
      switch (req.operator) {
        case 'In':
        case 'NotIn':
          if (values.length === 0) fail(`${at}.values`, `must not be empty for ${req.operator}`);
          parts.push({ key: req.key, text: `${req.key} ${req.operator === 'In' ? 'in' : 'notin'} (${list})` });
          break;
        case 'Exists':
          parts.push({ key: req.key, text: req.key });
          break;
        case 'DoesNotExist':
          parts.push({ key: req.key, text: `!${req.key}` });
          break;
        default:
          fail(`${at}.operator`, `must be In, NotIn, Exists or DoesNotExist, got ${JSON.stringify(req.operator)}`);
      }
    });
  }
  // labels.Selector sorts its requirements by key; an empty selector selects everything.
  return parts.length
    ? parts
        .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
        .map((p) => p.text)
        .join(',')
    : undefined;
}

export function parseApiServerSource(object: unknown): ApiServerSourceSpec {
  if (typeof object !== 'object' || object === null) fail('', 'must be an object');
  const o = object as {
    kind?: unknown;
    metadata?: { name?: unknown; namespace?: unknown };
    spec?: Record<string, unknown>;
  };
  if (o.kind !== undefined && o.kind !== 'ApiServerSource')
    fail('kind', `must be ApiServerSource, got ${JSON.stringify(o.kind)}`);
  const name = o.metadata?.name;
  if (typeof name !== 'string' || !name) fail('metadata.name', 'is missing');
  const namespace = o.metadata?.namespace ?? 'default';
  if (typeof namespace !== 'string') fail('metadata.namespace', 'must be a string');
  const spec = o.spec;
  if (typeof spec !== 'object' || spec === null) fail('spec', 'is missing');
  // Knative defaults the mode to Reference.
  const mode = spec.mode ?? 'Reference';
  if (mode !== 'Resource' && mode !== 'Reference')
    fail('spec.mode', `must be Resource or Reference, got ${JSON.stringify(mode)}`);
  if (!Array.isArray(spec.resources) || spec.resources.length === 0)
    fail('spec.resources', 'must list at least one resource');
  const resources = spec.resources.map((r: Record<string, unknown>, i): WatchedResource => {
    const at = `spec.resources[${i}]`;
    if (typeof r?.apiVersion !== 'string' || !r.apiVersion) fail(`${at}.apiVersion`, 'is missing');
    if (typeof r.kind !== 'string' || !r.kind) fail(`${at}.kind`, 'is missing');
    return { apiVersion: r.apiVersion, kind: r.kind, labelSelector: formatLabelSelector(r.selector, `${at}.selector`) };
  });
  const sink = spec.sink as { uri?: unknown } | undefined;
  const sinkUri = typeof sink?.uri === 'string' && sink.uri ? sink.uri : undefined;
  const namespaceSelector =
    spec.namespaceSelector === undefined || spec.namespaceSelector === null
      ? undefined
      : { labelSelector: formatLabelSelector(spec.namespaceSelector, 'spec.namespaceSelector') };
  return { name, namespace, mode, resources, sinkUri, ...(namespaceSelector ? { namespaceSelector } : {}) };
}
