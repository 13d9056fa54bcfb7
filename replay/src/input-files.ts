// Expands FILE|DIR arguments into the recordings to read (directories: every .jsonl/.json in
// them, recursively, in name order so scenarios replay in their numbered order).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parseInputFile, type RecordedMessage } from './recorded-input';

export function listInputFiles(inputs: string[]): string[] {
  const files: string[] = [];
  for (const input of inputs) {
    let stat;
    try {
      stat = statSync(input);
    } catch {
      throw new Error(`${input}: no such file or directory`);
    }
    if (stat.isDirectory()) {
      const entries = readdirSync(input, { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.jsonl') || f.endsWith('.json'))
        .sort();
      files.push(...entries.map((f) => path.join(input, f)));
    } else files.push(input);
  }
  return files;
}

export function readInputs(inputs: string[]): RecordedMessage[] {
  return listInputFiles(inputs).flatMap((file) => parseInputFile(readFileSync(file, 'utf8'), file));
}
