// Change detection: sha256 over the data a workload uses. Only data and binaryData count (metadata,
// managedFields, resourceVersion never do), so metadata-only writes and same-value server-side
// applies, which the ApiServerSource still reports as updates, hash the same and roll nothing.
import { createHash } from 'node:crypto';
import type { ConfigUse } from './find-references';
import type { KubeObject } from './types';

/**
 * Sorted `key=value` lines of data and binaryData (values JSON-quoted so a newline inside a value
 * can't forge another line); only `keys` when the reference names keys (a named key that is absent
 * gets its own marker line, so adding it later is a change).
 */
export function formatConfigLines(config: KubeObject, keys: string[] | null): string[] {
  const entries = new Map<string, string>();
  for (const [k, v] of Object.entries(config.data ?? {})) entries.set(k, `${k}=${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(config.binaryData ?? {})) entries.set(k, `${k}=binary:${JSON.stringify(v)}`);
  const wanted = keys ?? [...entries.keys()];
  return [...new Set(wanted)].sort().map((k) => entries.get(k) ?? `${k} absent`);
}

export function hashConfig(config: KubeObject, keys: string[] | null = null): string {
  return sha256(formatConfigLines(config, keys).join('\n'));
}

/**
 * One hash over every config a workload uses, in a stable (kind, name) order. A config that does not
 * exist contributes a fixed marker, so the hash stays stable while it stays missing.
 */
export function hashConfigs(uses: ConfigUse[], lookup: (use: ConfigUse) => KubeObject | null): string {
  const sorted = [...uses].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  const blocks = sorted.map((use) => {
    const config = lookup(use);
    const header = `${use.kind}/${use.name}`;
    return config ? [header, ...formatConfigLines(config, use.keys)].join('\n') : `${header} missing`;
  });
  return sha256(blocks.join('\n\n'));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
