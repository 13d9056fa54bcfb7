// Configuration from an env-like record, validated once at start-up. Every problem is reported in
// one go (a pod that crash-loops once per typo wastes a deploy per typo).
import { parseLabelSelector } from './core/label-selector';
import type { NamespaceSelector } from './core/namespaces';
import { WORKLOAD_KINDS, type MatchMode, type OnDelete, type WorkloadKind } from './core/types';

export type LogFormat = 'text' | 'json';
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface RestartConfig {
  /** REROLL_NAMESPACES; empty only when namespaceSelector is set (then: any namespace it matches) */
  namespaces: string[];
  excludeNamespaces: string[];
  /** REROLL_NAMESPACE_SELECTOR (the cluster-wide install): served namespaces must carry these labels */
  namespaceSelector?: NamespaceSelector;
  match: MatchMode;
  onDelete: OnDelete;
  dryRun: boolean;
  /** the workload kinds listed and rolled (REROLL_KINDS; default every kind the function knows) */
  kinds?: WorkloadKind[];
  logFormat: LogFormat;
  logLevel: LogLevel;
  port: number;
  /** REROLL_MAX_ROLLOUTS_PER_MINUTE: per namespace; unset = no budget */
  maxRolloutsPerMinute?: number;
  /** K_SINK (a SinkBinding sets it): where decision CloudEvents go; unset = none sent */
  sink?: string;
}

/** seed 003's system namespaces plus Knative's and Istio's own */
export const DEFAULT_EXCLUDED = [
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'knative-serving',
  'knative-eventing',
  'istio-system',
];

export type ConfigResult = { ok: true; config: RestartConfig } | { ok: false; errors: string[] };

export interface ConfigDefaults {
  /** the function's own namespace (in-cluster namespace file or kubeconfig context) */
  ownNamespace?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off', ''];

export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  defaults: ConfigDefaults = {},
): ConfigResult {
  const errors: string[] = [];
  const value = (name: string) => env[name]?.trim();

  const list = (name: string, fallback: string[], namespaces = true): string[] => {
    const raw = value(name);
    if (raw === undefined || raw === '') return fallback;
    const items = raw
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    if (namespaces)
      for (const ns of items)
        if (!DNS_LABEL.test(ns)) errors.push(`${name}: ${JSON.stringify(ns)} is not a namespace name`);
    return items;
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const raw = value(name);
    if (raw === undefined || raw === '') return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    errors.push(`${name}: ${JSON.stringify(raw)} is not one of ${allowed.join('|')}`);
    return fallback;
  };

  // With a selector the function serves the namespaces labelled so, wherever it runs itself: its own
  // namespace is no default then. REROLL_NAMESPACES, if given too, narrows the selector's choice.
  let namespaceSelector: NamespaceSelector | undefined;
  const rawSelector = value('REROLL_NAMESPACE_SELECTOR');
  if (rawSelector !== undefined && rawSelector !== '') {
    const parsed = parseLabelSelector(rawSelector);
    if (parsed.ok) namespaceSelector = { text: rawSelector, requirements: parsed.requirements };
    else errors.push(`REROLL_NAMESPACE_SELECTOR: ${parsed.error}`);
  }
  const own = defaults.ownNamespace && !rawSelector ? [defaults.ownNamespace] : [];
  const namespaces = list('REROLL_NAMESPACES', own);
  if (namespaces.length === 0 && !rawSelector)
    errors.push(
      "REROLL_NAMESPACES: not set and the function's own namespace is unknown (no in-cluster namespace file, no namespace in the kubeconfig context)",
    );
  const excludeNamespaces = list('REROLL_EXCLUDE_NAMESPACES', DEFAULT_EXCLUDED);
  if (namespaces.length > 0 && namespaces.every((ns) => excludeNamespaces.includes(ns))) {
    errors.push(
      `REROLL_NAMESPACES: every namespace (${namespaces.join(',')}) is in REROLL_EXCLUDE_NAMESPACES, so nothing would be served`,
    );
  }

  const match = oneOf<MatchMode>('REROLL_MATCH', ['reference', 'labels', 'both'], 'both');
  const onDelete = oneOf<OnDelete>('REROLL_ON_DELETE', ['ignore', 'roll'], 'ignore');
  const logFormat = oneOf<LogFormat>('LOG_FORMAT', ['text', 'json'], 'text');
  const logLevel = oneOf<LogLevel>('LOG_LEVEL', LOG_LEVELS, 'info');

  // kinds nobody asked for cost a LIST per event each: a cluster without DaemonSets can say so
  // (unset = every kind, left out of the config so the reconciler's default applies)
  const kinds = list('REROLL_KINDS', [], false) as WorkloadKind[];
  for (const kind of kinds)
    if (!(WORKLOAD_KINDS as readonly string[]).includes(kind))
      errors.push(`REROLL_KINDS: ${JSON.stringify(kind)} is not one of ${WORKLOAD_KINDS.join('|')}`);

  let dryRun = false;
  const rawDry = value('REROLL_DRY_RUN')?.toLowerCase();
  if (rawDry !== undefined) {
    if (TRUE.includes(rawDry)) dryRun = true;
    else if (!FALSE.includes(rawDry))
      errors.push(`REROLL_DRY_RUN: ${JSON.stringify(value('REROLL_DRY_RUN'))} is not true|false`);
  }

  let port = 8080;
  const rawPort = value('PORT');
  if (rawPort !== undefined && rawPort !== '') {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535)
      errors.push(`PORT: ${JSON.stringify(rawPort)} is not a port number (0-65535)`);
  }

  let maxRolloutsPerMinute: number | undefined;
  const rawBudget = value('REROLL_MAX_ROLLOUTS_PER_MINUTE');
  if (rawBudget !== undefined && rawBudget !== '' && rawBudget !== '0') {
    maxRolloutsPerMinute = Number(rawBudget);
    if (!/^\d+$/.test(rawBudget) || maxRolloutsPerMinute < 1)
      errors.push(
        `REROLL_MAX_ROLLOUTS_PER_MINUTE: ${JSON.stringify(rawBudget)} is not a whole number of rollouts (0 or unset = no budget)`,
      );
  }

  const sink = value('K_SINK') || undefined;
  if (sink !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(sink);
    } catch {
      url = undefined;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      errors.push(`K_SINK: ${JSON.stringify(sink)} is not an http(s) URL`);
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: {
      namespaces,
      excludeNamespaces,
      ...(namespaceSelector ? { namespaceSelector } : {}),
      match,
      onDelete,
      dryRun,
      ...(kinds.length > 0 ? { kinds } : {}),
      logFormat,
      logLevel,
      port,
      ...(maxRolloutsPerMinute !== undefined ? { maxRolloutsPerMinute } : {}),
      ...(sink !== undefined ? { sink } : {}),
    },
  };
}
