// Content negotiation for GET /: JSON only when the client prefers it over text (q-values and
// wildcards honoured, ties go to text, the historic answer). Pure and memoised per Accept header,
// because clients send the same few headers over and over and this runs on the hot path.

interface Range {
  type: string;
  subtype: string;
  q: number;
}

function parseAccept(accept: string): Range[] {
  return accept.split(',').flatMap((part) => {
    const [media = '', ...params] = part.trim().split(';');
    const [type, subtype] = media.trim().toLowerCase().split('/');
    if (!type || !subtype) return [];
    const qParam = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const q = qParam === undefined ? 1 : Number(qParam.slice(2));
    return Number.isFinite(q) ? [{ type, subtype, q }] : [];
  });
}

/** The q a client gives a media type: its most specific matching range wins. */
function qualityOf(ranges: Range[], type: string, subtype: string): number {
  let best = -1;
  let q = 0;
  for (const r of ranges) {
    const specificity =
      r.type === type && r.subtype === subtype ? 2 : r.type === type && r.subtype === '*' ? 1 : r.type === '*' ? 0 : -1;
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return best === -1 ? 0 : q;
}

export function prefersJson(accept: string | undefined): boolean {
  if (!accept) return false;
  const ranges = parseAccept(accept);
  const json = qualityOf(ranges, 'application', 'json');
  return json > 0 && json > qualityOf(ranges, 'text', 'plain');
}

const MAX_CACHED = 256;
const cache = new Map<string, boolean>();

/** prefersJson, remembered for the Accept headers seen (bounded, so odd clients cannot grow it). */
export function wantsJson(accept: string | undefined): boolean {
  if (accept === undefined) return false;
  const hit = cache.get(accept);
  if (hit !== undefined) return hit;
  const answer = prefersJson(accept);
  if (cache.size >= MAX_CACHED) cache.clear();
  cache.set(accept, answer);
  return answer;
}
