// Encodes JSON exactly as Go's encoding/json does for the values the Knative adapter marshals.
// JSON.stringify differs in three ways that show on the wire: Go sorts map keys (an unstructured
// Kubernetes object is a map at every level), escapes <, > and & (HTML-safe by default) plus
// U+2028/U+2029, and writes control characters other than \n \r \t as \u00XX (Go 1.19).

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const HEX = '0123456789abcdef';

/** Go's map key order: byte-wise over the UTF-8 encoding. */
function compareGoKeys(a: string, b: string): number {
  // UTF-16 order equals UTF-8 byte order except around surrogates, so only non-BMP keys need Buffer.
  if (/[\ud800-\udfff]/.test(a) || /[\ud800-\udfff]/.test(b)) {
    return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function escapeChar(code: number): string {
  return '\\u00' + HEX[code >> 4] + HEX[code & 0xf];
}

/** A Go-quoted JSON string (escapeHTML on, invalid UTF-16 replaced like Go replaces invalid UTF-8). */
export function quoteGoString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) out += '\\"';
    else if (c === 0x5c) out += '\\\\';
    else if (c === 0x0a) out += '\\n';
    else if (c === 0x0d) out += '\\r';
    else if (c === 0x09) out += '\\t';
    else if (c < 0x20 || c === 0x3c || c === 0x3e || c === 0x26) out += escapeChar(c);
    else if (c === 0x2028) out += '\\u2028';
    else if (c === 0x2029) out += '\\u2029';
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else out += '\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) out += '\ufffd';
    else out += s[i]!;
  }
  return out + '"';
}

function encodeNumber(n: number): string {
  if (!Number.isFinite(n)) throw new Error(`cannot encode ${n} as JSON (Go rejects NaN and Infinity too)`);
  // Go writes floats with exponent as e-7 / e+21, which is also what JS does; integers match.
  return JSON.stringify(n);
}

/**
 * Compact JSON, Go style. `sortKeys` true = a Go map (unstructured object) at every level;
 * false = keep the given order (a json.RawMessage is compacted but not reordered).
 */
export function encodeGoJson(value: unknown, sortKeys = true): string {
  if (value === null || value === undefined) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return encodeNumber(value);
    case 'string':
      return quoteGoString(value);
    case 'object': {
      if (Array.isArray(value)) return '[' + value.map((v) => encodeGoJson(v, sortKeys)).join(',') + ']';
      const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
      if (sortKeys) entries.sort(([a], [b]) => compareGoKeys(a, b));
      return '{' + entries.map(([k, v]) => quoteGoString(k) + ':' + encodeGoJson(v, sortKeys)).join(',') + '}';
    }
    default:
      throw new Error(`cannot encode a ${typeof value} as JSON`);
  }
}

/** Top-level keys sorted (a Go map[string]json.RawMessage), nested values compacted in their own order. */
export function encodeGoRawMessageMap(obj: Record<string, unknown>): string {
  const keys = Object.keys(obj).sort(compareGoKeys);
  return '{' + keys.map((k) => quoteGoString(k) + ':' + encodeGoJson(obj[k], false)).join(',') + '}';
}
