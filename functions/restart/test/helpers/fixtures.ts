// The recorded ApiServerSource requests in recorded-events/ (a verbatim copy, never edited): loaded as they are.
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { KubeObject } from '../../src/core/types';

export const EVENTS_DIR =
  process.env.REROLL_EVENTS_DIR ??
  path.resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../../recorded-events');

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  response_status: number;
  /** `<mode>/<file>#<line>` */
  label: string;
  mode: 'Resource' | 'Reference';
  scenario: string;
}

export function loadRecorded(mode: 'Resource' | 'Reference', scenario?: string): RecordedRequest[] {
  const dir = path.join(EVENTS_DIR, mode);
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl') && (!scenario || f.startsWith(scenario)))
    .sort();
  return files.flatMap((file) =>
    readFileSync(path.join(dir, file), 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((line, i) => ({
        ...(JSON.parse(line) as Omit<RecordedRequest, 'label' | 'mode' | 'scenario'>),
        label: `${mode}/${file}#${i + 1}`,
        mode,
        scenario: file.replace(/\.jsonl$/, ''),
      })),
  );
}

/** The object a Resource-mode request carried (scenario prefix, e.g. '02', and index within it). */
export function recordedObject(scenario: string, index = 0): KubeObject {
  const req = loadRecorded('Resource', scenario)[index];
  if (!req) throw new Error(`no recorded Resource request ${scenario}[${index}]`);
  return JSON.parse(req.body) as KubeObject;
}

/** The object as a client would create it: without the fields the API server sets. */
export function asNew(object: KubeObject): KubeObject {
  const copy = structuredClone(object);
  if (copy.metadata) {
    for (const field of ['resourceVersion', 'uid', 'creationTimestamp', 'managedFields', 'generation'])
      delete copy.metadata[field];
  }
  return copy;
}

export const DEMO_NAMESPACE: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'demo' } };
