// Pure: --expect rolled=1,unchanged=2 (repeatable) → expected totals, and the comparison with
// what the answers added up to. Only the named actions are checked.
import { formatTotals, type Totals } from './summarise-answer';

export function parseExpectations(specs: string[]): Totals {
  const expected: Totals = {};
  for (const spec of specs) {
    for (const part of spec.split(/[,\s]+/).filter(Boolean)) {
      const m = /^([a-z][a-z-]*)=(\d+)$/.exec(part);
      if (!m) throw new Error(`--expect ${JSON.stringify(part)}: use action=count, e.g. rolled=1,unchanged=2`);
      expected[m[1]!] = (expected[m[1]!] ?? 0) + Number(m[2]);
    }
  }
  return expected;
}

/** Mismatch messages; empty when every expected total matches. */
export function compareExpectations(expected: Totals, actual: Totals): string[] {
  return Object.entries(expected)
    .filter(([action, count]) => (actual[action] ?? 0) !== count)
    .map(
      ([action, count]) =>
        `expected ${action}=${count}, got ${action}=${actual[action] ?? 0} (all: ${formatTotals(actual)})`,
    );
}
