import { describeObject, type KubeObject } from './kube-object';

/** One broken rule on one object; its text names both so a CI log says what to fix. */
export interface Violation {
  object: string;
  rule: string;
  message: string;
}

export function violation(object: KubeObject | string, rule: string, message: string): Violation {
  return { object: typeof object === 'string' ? object : describeObject(object), rule, message };
}

export function formatViolation(v: Violation): string {
  return `${v.object}: [${v.rule}] ${v.message}`;
}
