// `reroll explain` for people: kubectl describe's layout (label, value), one section per question
// a user asks — is it opted in, which configs and why, which keys, hashes, last rollout, what next.
import type { Explanation } from '@reroll/restart/core';
import { formatKind } from './format-kind';

export function formatExplanation(e: Explanation): string {
  const lines: string[] = [];
  const field = (label: string, value: string) => lines.push(`${`${label}:`.padEnd(16)}${value}`);
  field('Workload', `${formatKind(e.kind)} ${e.namespace}/${e.name}`);
  const [firstBy, ...moreBy] = e.optIn.by;
  field(
    'Opted in',
    e.optIn.optedIn && firstBy
      ? `yes, by ${firstBy}`
      : 'no (add rolling.restart.controller/restartOnTrigger: "true", or a Reloader annotation that selects configs)',
  );
  // further lines of a field start under its value, as kubectl describe prints them
  for (const by of moreBy) lines.push(`${''.padEnd(16)}and by ${by}`);
  for (const note of e.optIn.notes) lines.push(`${''.padEnd(16)}note: ${note}`);
  field('Mode', e.mode === 'notify' ? 'notify (reroll.dev/mode: never patches the pod template)' : e.mode);
  field('Min interval', e.minInterval ?? '<none>');
  if (e.configs.length === 0) field('Configs', '<none used>');
  else {
    lines.push('Configs:');
    for (const c of e.configs) {
      const status = !c.exists
        ? c.optional
          ? 'missing (optional)'
          : 'missing'
        : c.counts
          ? 'counts'
          : 'does not count: its changes never roll this workload';
      lines.push(`  ${c.kind} ${c.name}: ${status}`);
      lines.push(`    ${c.counts ? 'because' : 'why not'}: ${c.why}`);
      lines.push(`    keys that count: ${c.keys === null ? 'all' : c.keys.join(', ')}`);
      for (const v of c.via) lines.push(`    used by: ${v}`);
    }
  }
  field('Recorded hash', e.hash.recorded ?? '<none>');
  field('Live hash', e.hash.live ?? '<none>');
  field('Last rollout', e.lastRollout ?? '<none>');
  if (e.deferredSince) field('Deferred since', e.deferredSince);
  if (e.nextEvent) field('Next event', `${e.nextEvent.action} (${e.nextEvent.trigger}): ${e.nextEvent.reason}`);
  if (e.nextResync) field('Next resync', `${e.nextResync.action}: ${e.nextResync.reason}`);
  field('State', formatState(e));
  return lines.join('\n');
}

export function formatState(e: Pick<Explanation, 'state' | 'dueAt'>): string {
  return e.state === 'deferred' && e.dueAt ? `deferred until ${e.dueAt}` : e.state;
}
