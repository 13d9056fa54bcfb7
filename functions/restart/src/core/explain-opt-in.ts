// The words of `reroll explain` for "is it opted in, by what?" and "why does this config count?".
// Nothing here decides: the verdicts come from match-workload.ts and reloader-annotations.ts (the
// rules the function applies); this file only quotes the annotations that produced them.
import { explainNotCounted, hasRestartOnTrigger, isWorkloadOptedIn, type ConfigCount } from './match-workload';
import { RELOADER, findReloadListItem, readReloaderOptIn, type ReloaderOptIn } from './reloader-annotations';
import type { ConfigRef, KubeObject } from './types';
import { ANNOTATIONS } from './types';

export interface OptInExplanation {
  optedIn: boolean;
  /** the annotations that opt it in, as `key: "value"` (with where they were read, when not its metadata) */
  by: string[];
  /** annotations that are there but select nothing (`auto: "false"`, an invalid reload item …) */
  notes: string[];
}

const quote = (key: string, value: string) => `${key}: ${JSON.stringify(value)}`;

export function explainOptIn(workload: KubeObject): OptInExplanation {
  const by: string[] = [];
  const notes: string[] = [];
  const own = workload.metadata?.annotations?.[ANNOTATIONS.restartOnTrigger];
  if (hasRestartOnTrigger(workload)) by.push(quote(ANNOTATIONS.restartOnTrigger, 'true'));
  else if (own !== undefined) notes.push(`${quote(ANNOTATIONS.restartOnTrigger, own)} is not "true": no opt-in`);
  const opt = readReloaderOptIn(workload);
  if (opt) {
    const where =
      opt.on === 'pod template' ? ' (on the pod template, where Reloader looks when the workload has none)' : '';
    for (const [key, value] of Object.entries(opt.raw)) {
      const selecting = reloaderKeySelects(opt, key);
      if (selecting) by.push(`${quote(key, value)}${where}`);
      else notes.push(`${quote(key, value)}${where} selects nothing${offReason(key)}`);
    }
    for (const item of opt.invalid)
      notes.push(`reload item ${JSON.stringify(item)} is not a valid regular expression: ignored`);
  }
  return { optedIn: isWorkloadOptedIn(workload), by, notes };
}

function reloaderKeySelects(opt: ReloaderOptIn, key: string): boolean {
  switch (key) {
    case RELOADER.auto:
      return opt.auto;
    case RELOADER.configmapAuto:
      return opt.typedAuto.ConfigMap;
    case RELOADER.secretAuto:
      return opt.typedAuto.Secret;
    case RELOADER.configmapReload:
      return opt.reload.ConfigMap.length > 0;
    case RELOADER.secretReload:
      return opt.reload.Secret.length > 0;
    default:
      return opt.search;
  }
}

function offReason(key: string): string {
  if (key === RELOADER.auto || key === RELOADER.configmapAuto || key === RELOADER.secretAuto)
    return " (Reloader's opt-out: auto is off, its reload lists still count)";
  if (key === RELOADER.search) return ' (only "true" turns search on)';
  return '';
}

/** Why a config counts for the workload's hash (or why not), quoting the annotation that decided. */
export function explainConfigCount(
  workload: KubeObject,
  ref: ConfigRef,
  config: KubeObject | null,
  count: ConfigCount,
): string {
  const opt = readReloaderOptIn(workload);
  const raw = (key: string) => quote(key, opt?.raw[key] ?? '');
  const kindPrefix = ref.kind === 'ConfigMap' ? 'configmap' : 'secret';
  switch (count.rule) {
    case 'trigger-restart':
      return `it carries ${quote(ANNOTATIONS.triggerRestart, 'true')} (seed 001)`;
    case 'missing':
      return `the workload opts in by ${ANNOTATIONS.restartOnTrigger}: a missing config counts as absent`;
    case 'auto':
      return `the pod template uses it and the workload has ${raw(RELOADER.auto)}`;
    case 'typed-auto':
      return `the pod template uses it and the workload has ${raw(`${kindPrefix}.reloader.stakater.com/auto`)}`;
    case 'reload-list': {
      const key = ref.kind === 'ConfigMap' ? RELOADER.configmapReload : RELOADER.secretReload;
      const item = opt ? findReloadListItem(opt, ref.kind, ref.name) : undefined;
      return `named by ${key} (item ${JSON.stringify(item ?? ref.name)}, matched as ^…$)`;
    }
    case 'search':
      if (config === null) return `the pod template uses it and the workload has ${raw(RELOADER.search)}`;
      return `the pod template uses it, it carries ${quote(RELOADER.match, 'true')} and the workload has ${raw(RELOADER.search)}`;
    case 'ignored':
      return `it carries ${quote(RELOADER.ignore, 'true')}: it never rolls anything`;
    case 'not-selected':
      return config === null
        ? `${ref.kind} ${ref.namespace}/${ref.name} is not selected by the workload's Reloader annotations`
        : explainNotCounted(workload, ref, config);
  }
}
