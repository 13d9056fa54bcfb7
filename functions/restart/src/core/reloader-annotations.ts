// stakater/Reloader's annotations, with Reloader's meaning (internal/pkg/handler/upgrade.go,
// PerformAction, v1.x), so its users switch without editing manifests. Reloader decides *which*
// configs a workload follows; reroll's own rules (hash of the data used, first sight only records)
// still decide *when* it rolls. What Reloader does, and reroll therefore does:
//  - the workload's own annotations are read; only when none of Reloader's keys is there, the pod
//    template's annotations are (Reloader's fallback);
//  - `reloader.stakater.com/auto` (strconv.ParseBool) follows every *referenced* ConfigMap and Secret;
//    `configmap.`/`secret.reloader.stakater.com/auto` one kind only. "false" turns auto off, not the
//    explicit lists below (Reloader checks them independently);
//  - `configmap.`/`secret.reloader.stakater.com/reload: "a,b"`: each trimmed item is a regular
//    expression compiled as "^" + item + "$" and matched against the config's name; a listed config
//    counts whether or not the pod template references it;
//  - `reloader.stakater.com/search: "true"` follows referenced configs that carry
//    `reloader.stakater.com/match: "true"`;
//  - a config with `reloader.stakater.com/ignore: "true"` never triggers anything (checked before
//    any workload, so it wins over explicit lists too).
import { podTemplateOf } from './pod-template';
import type { ConfigKind, KubeObject } from './types';

export const RELOADER = {
  auto: 'reloader.stakater.com/auto',
  configmapAuto: 'configmap.reloader.stakater.com/auto',
  secretAuto: 'secret.reloader.stakater.com/auto',
  configmapReload: 'configmap.reloader.stakater.com/reload',
  secretReload: 'secret.reloader.stakater.com/reload',
  search: 'reloader.stakater.com/search',
  match: 'reloader.stakater.com/match',
  ignore: 'reloader.stakater.com/ignore',
} as const;

const WORKLOAD_KEYS = [
  RELOADER.auto,
  RELOADER.configmapAuto,
  RELOADER.secretAuto,
  RELOADER.configmapReload,
  RELOADER.secretReload,
  RELOADER.search,
];

export interface ReloaderOptIn {
  auto: boolean;
  typedAuto: Record<ConfigKind, boolean>;
  /** anchored name patterns per kind, as Reloader compiles them */
  reload: Record<ConfigKind, RegExp[]>;
  /** reload items that are plain names (no pattern syntax): reroll may read them without a listing */
  literal: Record<ConfigKind, string[]>;
  search: boolean;
  /** reload items that are not valid regular expressions (Reloader's MustCompile would panic): ignored */
  invalid: string[];
  /** where they were read: the workload's metadata, or its pod template (Reloader's fallback) */
  on: 'metadata' | 'pod template';
  /** the Reloader keys present there, as written (what `reroll explain` quotes) */
  raw: Record<string, string>;
}

/** Which of Reloader's rules selects a config (or, `ignored`, rules it out). */
export type ReloaderRule = 'ignored' | 'auto' | 'typed-auto' | 'reload-list' | 'search';

/** Go's strconv.ParseBool: anything else (including "") is false. */
function parseBool(v: string | undefined): boolean {
  return v !== undefined && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(v);
}

const PLAIN_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

function parseList(raw: string | undefined, invalid: string[]): { patterns: RegExp[]; literal: string[] } {
  const patterns: RegExp[] = [];
  const literal: string[] = [];
  for (const item of (raw ?? '').split(',').map((s) => s.trim())) {
    if (item === '') continue;
    try {
      patterns.push(new RegExp(`^${item}$`));
      // a '.' in a DNS name is a regex wildcard too, but it also matches itself: reading it by name is right
      if (PLAIN_NAME.test(item)) literal.push(item);
    } catch {
      invalid.push(item);
    }
  }
  return { patterns, literal };
}

/** The Reloader annotations a workload carries (metadata, else the pod template's), undefined = none. */
export function readReloaderOptIn(workload: KubeObject): ReloaderOptIn | undefined {
  const own = workload.metadata?.annotations ?? {};
  const template = (podTemplateOf(workload) as { metadata?: { annotations?: Record<string, string> } } | undefined)
    ?.metadata?.annotations;
  const onMetadata = WORKLOAD_KEYS.some((k) => k in own);
  const annotations = onMetadata ? own : (template ?? {});
  if (!WORKLOAD_KEYS.some((k) => k in annotations)) return undefined;
  const invalid: string[] = [];
  const cm = parseList(annotations[RELOADER.configmapReload], invalid);
  const secret = parseList(annotations[RELOADER.secretReload], invalid);
  return {
    auto: parseBool(annotations[RELOADER.auto]),
    typedAuto: {
      ConfigMap: parseBool(annotations[RELOADER.configmapAuto]),
      Secret: parseBool(annotations[RELOADER.secretAuto]),
    },
    reload: { ConfigMap: cm.patterns, Secret: secret.patterns },
    literal: { ConfigMap: cm.literal, Secret: secret.literal },
    search: annotations[RELOADER.search] === 'true',
    invalid,
    on: onMetadata ? 'metadata' : 'pod template',
    raw: Object.fromEntries(WORKLOAD_KEYS.filter((k) => k in annotations).map((k) => [k, annotations[k]!])),
  };
}

/** Could these annotations select any config at all? (`auto: "false"` alone cannot.) */
export function selectsAnything(opt: ReloaderOptIn | undefined): opt is ReloaderOptIn {
  return (
    opt !== undefined &&
    (opt.auto ||
      opt.typedAuto.ConfigMap ||
      opt.typedAuto.Secret ||
      opt.reload.ConfigMap.length > 0 ||
      opt.reload.Secret.length > 0 ||
      opt.search)
  );
}

export function isIgnoredByReloader(config: KubeObject): boolean {
  return config.metadata?.annotations?.[RELOADER.ignore] === 'true';
}

/** A reload list names this config (by its anchored patterns), referenced or not. */
export function reloadListNames(opt: ReloaderOptIn, kind: ConfigKind, name: string): boolean {
  return opt.reload[kind].some((re) => re.test(name));
}

/**
 * Does Reloader's protocol make this config count for the workload? `config` is its live object
 * (null: unknown or gone, then only what the workload says can decide); `referenced`: whether the
 * pod template uses it.
 */
export function reloaderSelects(
  opt: ReloaderOptIn,
  use: { kind: ConfigKind; name: string },
  config: KubeObject | null,
  referenced: boolean,
): boolean {
  const rule = findReloaderRule(opt, use, config, referenced);
  return rule !== undefined && rule !== 'ignored';
}

/** reloaderSelects, saying which rule decided (undefined: none selects it). */
export function findReloaderRule(
  opt: ReloaderOptIn,
  use: { kind: ConfigKind; name: string },
  config: KubeObject | null,
  referenced: boolean,
): ReloaderRule | undefined {
  if (config !== null && isIgnoredByReloader(config)) return 'ignored';
  if (referenced && opt.auto) return 'auto';
  if (referenced && opt.typedAuto[use.kind]) return 'typed-auto';
  if (reloadListNames(opt, use.kind, use.name)) return 'reload-list';
  if (referenced && opt.search && config?.metadata?.annotations?.[RELOADER.match] === 'true') return 'search';
  return undefined;
}

/** The reload-list item (as written) whose anchored pattern names this config, for `reroll explain`. */
export function findReloadListItem(opt: ReloaderOptIn, kind: ConfigKind, name: string): string | undefined {
  const raw = opt.raw[kind === 'ConfigMap' ? RELOADER.configmapReload : RELOADER.secretReload] ?? '';
  return raw
    .split(',')
    .map((item) => item.trim())
    .find((item) => item !== '' && !opt.invalid.includes(item) && new RegExp(`^${item}$`).test(name));
}

/** Reload-list items that are patterns, not plain names: only a listing of the kind finds what they name. */
export function hasReloadPatterns(opt: ReloaderOptIn | undefined, kind: ConfigKind): boolean {
  return opt !== undefined && opt.reload[kind].length > opt.literal[kind].length;
}
