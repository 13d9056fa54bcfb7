// Accept header handling: JSON always; a meta.k8s.io Table when asked (kubectl get); protobuf and
// aggregated discovery are declined so clients use their JSON fallback.

export type Representation = 'json' | 'table' | 'none';

interface MediaRange {
  type: string;
  params: Record<string, string>;
}

function parseAccept(header: string | undefined): MediaRange[] {
  if (!header) return [];
  return header.split(',').map((part) => {
    const [type, ...params] = part.split(';').map((s) => s.trim());
    const p: Record<string, string> = {};
    for (const kv of params) {
      const i = kv.indexOf('=');
      if (i > 0) p[kv.slice(0, i).trim().toLowerCase()] = kv.slice(i + 1).trim();
    }
    return { type: (type ?? '').toLowerCase(), params: p };
  });
}

/** The first acceptable representation in the client's order of preference. */
export function negotiate(accept: string | undefined, tableAllowed: boolean): Representation {
  const ranges = parseAccept(accept);
  if (ranges.length === 0) return 'json';
  for (const r of ranges) {
    const jsonLike = r.type === 'application/json' || r.type === '*/*' || r.type === 'application/*';
    if (!jsonLike) continue;
    if (r.params.as === 'Table') {
      if (tableAllowed && r.params.g === 'meta.k8s.io' && (r.params.v === 'v1' || r.params.v === 'v1beta1'))
        return 'table';
      continue;
    }
    if (r.params.as !== undefined) continue; // APIGroupDiscoveryList, PartialObjectMetadata…: not served
    return 'json';
  }
  return 'none';
}
