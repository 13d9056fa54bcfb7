// The one write reroll makes: a JSON merge patch (never a whole-object replace). The workload's own
// metadata records the hash it was compared with; a rollout also stamps the pod template, which is
// what makes the controller (or Knative, for a ksvc: a new Revision) roll the pods. A CronJob's
// template is its jobTemplate's (pod-template.ts): the patch never touches spec.suspend or
// spec.schedule, and starts no Job; the next Job the CronJob starts has the new config.
// metadata.resourceVersion is a precondition: if the workload changed since it was read (another
// replica rolled it), the API server answers 409 instead of applying a stale decision.
import { nestAtPodTemplate, readAtPodTemplate } from './pod-template';
import type { KubeObject } from './types';
import { ANNOTATIONS } from './types';

export interface TemplateStamp {
  metadata: { annotations: Record<string, string> };
}

export interface MergePatch {
  metadata: { resourceVersion?: string; annotations: Record<string, string | null> };
  /** `{template: stamp}`, or `{jobTemplate: {spec: {template: stamp}}}` for a CronJob */
  spec?: Record<string, unknown>;
}

export interface PatchPlan {
  hash: string;
  roll: boolean;
  now: Date;
  /** value for the labelMatches annotation ('' = none) */
  labelMatches: string;
}

export function buildPatch(workload: KubeObject, plan: PatchPlan): MergePatch {
  const annotations: Record<string, string | null> = { [ANNOTATIONS.configHash]: plan.hash };
  const hadMatches = workload.metadata?.annotations?.[ANNOTATIONS.labelMatches] !== undefined;
  if (plan.labelMatches !== '') annotations[ANNOTATIONS.labelMatches] = plan.labelMatches;
  else if (hadMatches) annotations[ANNOTATIONS.labelMatches] = null; // null removes a key in a merge patch

  const patch: MergePatch = { metadata: { annotations } };
  const resourceVersion = workload.metadata?.resourceVersion;
  if (resourceVersion) patch.metadata.resourceVersion = resourceVersion;
  if (plan.roll) {
    const stamp: TemplateStamp = {
      metadata: {
        annotations: {
          [ANNOTATIONS.configHash]: plan.hash,
          [ANNOTATIONS.restartTimestamp]: formatTimestamp(plan.now),
        },
      },
    };
    patch.spec = nestAtPodTemplate(workload.kind, stamp).spec;
  }
  return patch;
}

/** The annotations a patch stamps on the pod template (undefined when it does not roll). */
export function readTemplateStamp(patch: MergePatch, kind: string | undefined): Record<string, string> | undefined {
  return (readAtPodTemplate(kind, patch) as TemplateStamp | undefined)?.metadata?.annotations;
}

/** RFC 3339, UTC, second precision (what kubectl rollout restart writes, minus its local offset). */
export function formatTimestamp(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
