// The JSONPath subset CRD additionalPrinterColumns use: .field, ['dotted\.key'], [n], [*],
// and filters [?(@.a.b=='x')] / [?(@.a=="x")] / [?(@.a)].

type Step =
  | { kind: 'field'; name: string }
  | { kind: 'index'; index: number }
  | { kind: 'all' }
  | { kind: 'filter'; path: string[]; op?: '==' | '!='; value?: string };

function parse(expr: string): Step[] {
  const steps: Step[] = [];
  let i = expr.startsWith('{') && expr.endsWith('}') ? 1 : 0;
  const end = i === 1 ? expr.length - 1 : expr.length;
  while (i < end) {
    const ch = expr[i];
    if (ch === '.') {
      i++;
      let name = '';
      while (i < end && expr[i] !== '.' && expr[i] !== '[') name += expr[i++];
      if (name === '*') steps.push({ kind: 'all' });
      else if (name) steps.push({ kind: 'field', name });
      continue;
    }
    if (ch === '[') {
      const close = findClose(expr, i);
      const inner = expr.slice(i + 1, close).trim();
      i = close + 1;
      if (inner === '*') steps.push({ kind: 'all' });
      else if (/^-?\d+$/.test(inner)) steps.push({ kind: 'index', index: Number(inner) });
      else if (/^'.*'$|^".*"$/.test(inner))
        steps.push({ kind: 'field', name: inner.slice(1, -1).replace(/\\\./g, '.') });
      else if (inner.startsWith('?(') && inner.endsWith(')')) {
        const m = /^@((?:\.[^.=!\s]+)+)\s*(?:(==|!=)\s*(.+))?$/.exec(inner.slice(2, -1).trim());
        if (!m) throw new Error(`unsupported filter ${inner}`);
        const value = m[3]?.trim().replace(/^['"]|['"]$/g, '');
        steps.push({ kind: 'filter', path: m[1]!.slice(1).split('.'), op: m[2] as '==' | '!=' | undefined, value });
      } else throw new Error(`unsupported JSONPath segment [${inner}]`);
      continue;
    }
    let name = '';
    while (i < end && expr[i] !== '.' && expr[i] !== '[') name += expr[i++];
    if (name) steps.push({ kind: 'field', name });
  }
  return steps;
}

function findClose(expr: string, open: number): number {
  let quote: string | undefined;
  let depth = 0;
  for (let i = open; i < expr.length; i++) {
    const c = expr[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') {
      depth--;
      if (depth === 0 && c === ']') return i;
    }
  }
  throw new Error(`unclosed [ in ${expr}`);
}

function getPath(v: unknown, path: string[]): unknown {
  let cur = v;
  for (const p of path) {
    if (typeof cur !== 'object' || cur === null || Array.isArray(cur)) return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}

/** Array.isArray, but narrowing to unknown[] rather than any[]. */
const isList = (v: unknown): v is unknown[] => Array.isArray(v);

/** All values the expression selects (empty when nothing matches or the expression is unsupported). */
export function evaluateJsonPath(root: unknown, expr: string): unknown[] {
  let steps: Step[];
  try {
    steps = parse(expr);
  } catch {
    return [];
  }
  let cur: unknown[] = [root];
  for (const s of steps) {
    const next: unknown[] = [];
    for (const v of cur) {
      if (s.kind === 'field') {
        if (typeof v === 'object' && v !== null && !Array.isArray(v) && s.name in v)
          next.push((v as Record<string, unknown>)[s.name]);
      } else if (s.kind === 'index') {
        if (isList(v)) {
          const x = v[s.index < 0 ? v.length + s.index : s.index];
          if (x !== undefined) next.push(x);
        }
      } else if (s.kind === 'all') {
        if (isList(v)) next.push(...v);
        else if (typeof v === 'object' && v !== null) next.push(...Object.values(v as Record<string, unknown>));
      } else {
        if (!Array.isArray(v)) continue;
        for (const item of v) {
          const x = getPath(item, s.path);
          if (s.op === undefined ? x !== undefined : (String(x) === s.value) === (s.op === '==')) next.push(item);
        }
      }
    }
    cur = next;
  }
  return cur;
}
