// The function's own settings, from an env-like record, validated once at start-up with every
// problem reported in one go. The routing configuration itself (seed 003's ConfigMap) is not
// here: it is read live on every reconcile, so an edit applies without a restart.
import { LOG_LEVELS, type LogFormat, type LogLevel } from '@reroll/restart/config';
import { SYSTEM_NAMESPACES } from './core/types';

export interface RoutesFunctionConfig {
  configMap: { namespace: string; name: string };
  excludeNamespaces: string[];
  logFormat: LogFormat;
  logLevel: LogLevel;
  port: number;
}

/** seed 003's list plus the platform reroll runs on (Knative's own namespaces) */
export const DEFAULT_EXCLUDED = [...SYSTEM_NAMESPACES, 'knative-serving', 'knative-eventing'];
export const DEFAULT_CONFIGMAP = 'reroll-routes-config';

export type ConfigResult = { ok: true; config: RoutesFunctionConfig } | { ok: false; errors: string[] };

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  defaults: { ownNamespace?: string } = {},
): ConfigResult {
  const errors: string[] = [];
  const value = (name: string) => env[name]?.trim() || undefined;

  const name = value('REROLL_ROUTES_CONFIGMAP') ?? DEFAULT_CONFIGMAP;
  if (!DNS_SUBDOMAIN.test(name))
    errors.push(`REROLL_ROUTES_CONFIGMAP: ${JSON.stringify(name)} is not a ConfigMap name`);
  const namespace = value('REROLL_ROUTES_CONFIGMAP_NAMESPACE') ?? defaults.ownNamespace;
  if (!namespace)
    errors.push(
      "REROLL_ROUTES_CONFIGMAP_NAMESPACE: not set and the function's own namespace is unknown (no in-cluster namespace file, no namespace in the kubeconfig context)",
    );
  else if (!DNS_LABEL.test(namespace))
    errors.push(`REROLL_ROUTES_CONFIGMAP_NAMESPACE: ${JSON.stringify(namespace)} is not a namespace name`);

  const rawExcluded = env.REROLL_EXCLUDE_NAMESPACES;
  const excludeNamespaces =
    rawExcluded === undefined
      ? DEFAULT_EXCLUDED
      : rawExcluded
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  for (const ns of excludeNamespaces)
    if (!DNS_LABEL.test(ns)) errors.push(`REROLL_EXCLUDE_NAMESPACES: ${JSON.stringify(ns)} is not a namespace name`);

  const oneOf = <T extends string>(key: string, allowed: readonly T[], fallback: T): T => {
    const raw = value(key);
    if (raw === undefined) return fallback;
    if ((allowed as readonly string[]).includes(raw)) return raw as T;
    errors.push(`${key}: ${JSON.stringify(raw)} is not one of ${allowed.join('|')}`);
    return fallback;
  };
  const logFormat = oneOf<LogFormat>('LOG_FORMAT', ['text', 'json'], 'text');
  const logLevel = oneOf<LogLevel>('LOG_LEVEL', LOG_LEVELS, 'info');

  let port = 8080;
  const rawPort = value('PORT');
  if (rawPort !== undefined) {
    port = Number(rawPort);
    if (!/^\d+$/.test(rawPort) || port > 65535)
      errors.push(`PORT: ${JSON.stringify(rawPort)} is not a port number (0-65535)`);
  }

  if (errors.length > 0) return { ok: false, errors };
  return {
    ok: true,
    config: { configMap: { namespace: namespace!, name }, excludeNamespaces, logFormat, logLevel, port },
  };
}
