import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';

/** The repository root, wherever vitest is started from. */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export function repoPath(...parts: string[]): string {
  return resolve(repoRoot, ...parts);
}
