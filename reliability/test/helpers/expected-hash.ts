// The hash a workload should carry, computed by the test on its own from the live ConfigMaps and
// from what the test KNOWS each workload uses (it built them), following DESIGN.md's rule: sha256
// over the used data as sorted key=value lines (values JSON-quoted), one block per used config in
// (kind/name) order, only the referenced keys where a reference names keys. It deliberately does not
// import the function's hash code: a bug there must not be copied into the expectation.
import { createHash } from 'node:crypto';

export interface ConfigUse {
  kind: 'ConfigMap' | 'Secret';
  name: string;
  /** null = every key */
  keys: string[] | null;
}

export interface LiveConfig {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

function configLines(config: LiveConfig, keys: string[] | null): string[] {
  const entries = new Map<string, string>();
  for (const [k, v] of Object.entries(config.data ?? {})) entries.set(k, `${k}=${JSON.stringify(v)}`);
  for (const [k, v] of Object.entries(config.binaryData ?? {})) entries.set(k, `${k}=binary:${JSON.stringify(v)}`);
  const wanted = keys ?? [...entries.keys()];
  return [...new Set(wanted)].sort().map((k) => entries.get(k) ?? `${k} absent`);
}

/** Uses must be merged already (one entry per config); `lookup` returns undefined for a missing config. */
export function expectedHash(uses: ConfigUse[], lookup: (use: ConfigUse) => LiveConfig | undefined): string {
  const sorted = [...uses].sort((a, b) => `${a.kind}/${a.name}`.localeCompare(`${b.kind}/${b.name}`));
  const blocks = sorted.map((use) => {
    const header = `${use.kind}/${use.name}`;
    const config = lookup(use);
    return config ? [header, ...configLines(config, use.keys)].join('\n') : `${header} missing`;
  });
  return createHash('sha256').update(blocks.join('\n\n')).digest('hex');
}
