// What a decision CloudEvent says (Reloader's alerts, the Knative way): which decisions are worth
// one, its type and subject, and its data. Built only from the decision, which holds names, hash
// prefixes and reasons: a config value cannot reach it because no decision ever holds one.
import { WORKLOAD_RESOURCES, type Decision, type DecisionAction } from './types';

export const DECISION_EVENT_SOURCE = 'reroll/restart';
export const DECISION_EVENT_ACTIONS: readonly DecisionAction[] = ['rolled', 'failed', 'deferred', 'notified'];

const API_PATH: Record<string, { prefix: string; plural: string }> = {
  ...Object.fromEntries(
    Object.entries(WORKLOAD_RESOURCES).map(([kind, r]) => [
      kind,
      { prefix: `/apis/${r.group}/${r.version}`, plural: r.plural },
    ]),
  ),
  ConfigMap: { prefix: '/api/v1', plural: 'configmaps' },
  Secret: { prefix: '/api/v1', plural: 'secrets' },
};

export interface DecisionEventData {
  kind: string;
  namespace: string;
  name: string;
  action: DecisionAction;
  configs: string[];
  hash?: { recorded?: string; live: string };
  reason: string;
  dueAt?: string;
}

export interface DecisionEventSpec {
  type: string;
  source: string;
  subject: string;
  data: DecisionEventData;
}

export function isDecisionEventWorthy(decision: Decision): boolean {
  return DECISION_EVENT_ACTIONS.includes(decision.action);
}

/** The object's API path, as kubectl get --raw takes it (a list path when the name is '*'). */
export function formatApiPath(kind: string, namespace: string, name: string): string {
  const path = API_PATH[kind] ?? { prefix: '/apis', plural: `${kind.toLowerCase()}s` };
  const base = `${path.prefix}/namespaces/${namespace}/${path.plural}`;
  return name === '*' ? base : `${base}/${name}`;
}

export function buildDecisionEvent(decision: Decision): DecisionEventSpec {
  return {
    type: `dev.reroll.rollout.${decision.action}`,
    source: DECISION_EVENT_SOURCE,
    subject: formatApiPath(decision.kind, decision.namespace, decision.name),
    data: {
      kind: decision.kind,
      namespace: decision.namespace,
      name: decision.name,
      action: decision.action,
      configs: decision.configs ?? [],
      ...(decision.hash ? { hash: decision.hash } : {}),
      reason: decision.reason,
      ...(decision.dueAt ? { dueAt: decision.dueAt } : {}),
    },
  };
}
