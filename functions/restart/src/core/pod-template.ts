// Where each workload kind keeps the pod template reroll reads and stamps. Most kinds hold it at
// spec.template; a CronJob holds it one Job deeper (spec.jobTemplate.spec.template), so the next Job
// it starts runs with the new config, and nothing is started now. An Argo Rollout may hold no
// template at all and borrow a Deployment's (spec.workloadRef): Argo rolls it when that
// Deployment's template changes, so the Deployment is what to opt in.
import type { KubeObject } from './types';

type Json = Record<string, unknown>;

/** The path of the pod template inside the object, by kind (the object's own `kind` field). */
export function podTemplatePath(kind: string | undefined): readonly string[] {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
}

/** What sits at a kind's pod-template path in any object of that shape (a workload, or a patch for it). */
export function readAtPodTemplate(kind: string | undefined, object: unknown): Json | undefined {
  let at: unknown = object;
  for (const key of podTemplatePath(kind)) at = asRecord(at)?.[key];
  return asRecord(at);
}

export function podTemplateOf(workload: KubeObject): Json | undefined {
  return readAtPodTemplate(workload.kind, workload);
}

/** `{spec: {template: inner}}`, or `{spec: {jobTemplate: {spec: {template: inner}}}}` for a CronJob. */
export function nestAtPodTemplate<T>(kind: string | undefined, inner: T): { spec: Json } {
  const path = podTemplatePath(kind);
  let nested: unknown = inner;
  for (const key of [...path].reverse()) nested = { [key]: nested };
  return nested as { spec: Json };
}

export interface BorrowedTemplate {
  kind: string;
  name: string;
  apiVersion?: string;
}

/** A Rollout with spec.workloadRef and no spec.template of its own: the workload it borrows from. */
export function findBorrowedTemplate(kind: string | undefined, workload: KubeObject): BorrowedTemplate | undefined {
  if (kind !== 'Rollout' || readAtPodTemplate(kind, workload) !== undefined) return undefined;
  const ref = asRecord(workload.spec?.workloadRef);
  if (!ref || typeof ref.name !== 'string') return undefined;
  return {
    kind: typeof ref.kind === 'string' ? ref.kind : 'Deployment',
    name: ref.name,
    ...(typeof ref.apiVersion === 'string' ? { apiVersion: ref.apiVersion } : {}),
  };
}

function asRecord(v: unknown): Json | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
}

/** What a rollout means for kinds where it is not "new pods now" (the decision's reason says it). */
export function describeRollEffect(kind: string | undefined, workload: KubeObject): string | undefined {
  if (kind !== 'CronJob') return undefined;
  return workload.spec?.suspend === true
    ? 'the CronJob is suspended (left so): the first Job after it is resumed runs with the new config'
    : 'its next scheduled Job runs with the new config (no Job is started now)';
}

/** Why a Rollout that borrows a Deployment's template is not patched itself. */
export function explainBorrowedTemplate(borrowed: BorrowedTemplate, namespace: string): string {
  return (
    `Rollout has no pod template of its own: it uses ${borrowed.kind} ${namespace}/${borrowed.name}'s ` +
    `(spec.workloadRef), and Argo Rollouts rolls it when that template changes; opt the ${borrowed.kind} in instead`
  );
}
