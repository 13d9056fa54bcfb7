import type { BenchCaseResult } from './bench-row';

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) >= 100) return n.toFixed(0);
  if (Math.abs(n) >= 10) return n.toFixed(1);
  return n.toFixed(2);
}

/** A plain-text table: figure, unit, baseline, ratio, note — what the README and closing notes quote. */
export function formatTable(results: BenchCaseResult[]): string {
  const header = ['case', 'figure', 'value', 'unit', 'baseline', 'baseline value', 'ratio', 'note'];
  const rows: string[][] = [header];
  for (const r of results) {
    if (r.error) rows.push([r.case, 'FAILED', '', '', '', '', '', r.error.split('\n')[0] ?? '']);
    for (const row of r.rows) {
      rows.push([
        r.case,
        row.name,
        fmt(row.value),
        row.unit,
        row.baseline?.name ?? '',
        row.baseline ? fmt(row.baseline.value) : '',
        row.baseline && row.baseline.value !== 0 ? `${fmt(row.value / row.baseline.value)}x` : '',
        row.note ?? '',
      ]);
    }
  }
  const widths = header.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  return rows
    .map((row) =>
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
