// npm run bench [-- case-name ...]: runs every case in src/cases (or the named ones) one after the
// other, prints a table and writes bench/results.json with the machine it ran on.
import { readdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { BenchCaseResult, BenchRow } from './bench-row';
import { formatTable } from './format-table';

const casesDir = fileURLToPath(new URL('./cases/', import.meta.url));
const only = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (await readdir(casesDir)).filter((f) => f.endsWith('.ts')).sort();
const results: BenchCaseResult[] = [];

for (const file of files) {
  const name = file.replace(/\.ts$/, '');
  if (only.length > 0 && !only.includes(name)) continue;
  process.stderr.write(`bench: ${name} ...\n`);
  const started = performance.now();
  try {
    const mod = (await import(pathToFileURL(`${casesDir}${file}`).href)) as { run: () => Promise<BenchRow[]> };
    const rows = await mod.run();
    results.push({ case: name, rows, seconds: (performance.now() - started) / 1000 });
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    results.push({ case: name, rows: [], error: message, seconds: (performance.now() - started) / 1000 });
    process.stderr.write(`bench: ${name} failed: ${message}\n`);
  }
}

const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${process.platform}-${process.arch}`,
};
console.log(`machine: ${machine.cores} x ${machine.cpu}, ${machine.memoryGiB} GiB, node ${machine.node}`);
console.log(formatTable(results));
await writeFile(
  fileURLToPath(new URL('../results.json', import.meta.url)),
  `${JSON.stringify({ date: new Date().toISOString(), machine, results }, null, 2)}\n`,
);
if (results.some((r) => r.error)) process.exitCode = 1;
