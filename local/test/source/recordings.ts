// Loads the recorded real ApiServerSource requests (recorded-events/ in the repo).
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const EVENTS_DIR = fileURLToPath(new URL('../../../recorded-events', import.meta.url));

export type RecordedRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  received_at: string;
  response_status: number;
};

export type RecordedLine = { file: string; line: number; request: RecordedRequest };

export function loadRecordings(mode: 'Resource' | 'Reference'): RecordedLine[] {
  const dir = path.join(EVENTS_DIR, mode);
  const lines: RecordedLine[] = [];
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()) {
    readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (text.trim())
          lines.push({ file: `${mode}/${file}`, line: i + 1, request: JSON.parse(text) as RecordedRequest });
      });
  }
  return lines;
}

export function loadScenario(mode: 'Resource' | 'Reference', scenario: string): RecordedRequest[] {
  return loadRecordings(mode)
    .filter((l) => l.file === `${mode}/${scenario}.jsonl`)
    .map((l) => l.request);
}
