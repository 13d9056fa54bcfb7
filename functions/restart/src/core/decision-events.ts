// Which decisions leave a Kubernetes Event on the workload, and what it says: what a person running
// `kubectl describe` needs to know why pods restarted (or did not). Nothing happened (unchanged,
// skipped) = no event, as a controller that did nothing says nothing. Never a config value: the
// note names configs and hash prefixes only.
import type { Decision } from './types';

export interface DecisionTrace {
  /** the configs the hash covers, e.g. "ConfigMap helloworld-test" */
  configs: string[];
  /** the hash recorded on the workload before this decision (undefined: none) */
  from?: string;
  to: string;
}

export interface DecisionEvent {
  type: 'Normal' | 'Warning';
  reason: 'Rolled' | 'RollFailed' | 'Recorded' | 'RollNeeded';
  action: 'Roll' | 'Record' | 'Notify';
  note: string;
}

const PREFIX = 12;
const short = (hash: string | undefined) => (hash ? hash.slice(0, PREFIX) : 'none');

function listConfigs(configs: string[]): string {
  return configs.length > 0 ? configs.join(', ') : 'no config';
}

/** The event for a decision that was applied (patched or failed to patch); undefined = none. */
export function describeDecisionEvent(decision: Decision, trace: DecisionTrace | undefined): DecisionEvent | undefined {
  if (!trace) return undefined;
  switch (decision.action) {
    case 'rolled':
      return {
        type: 'Normal',
        reason: 'Rolled',
        action: 'Roll',
        note: `Rolled for ${listConfigs(trace.configs)}: config hash ${short(trace.from)} → ${short(trace.to)}`,
      };
    case 'recorded':
      return {
        type: 'Normal',
        reason: 'Recorded',
        action: 'Record',
        note: `First sight of ${listConfigs(trace.configs)}: config hash ${short(trace.to)} recorded, no rollout`,
      };
    case 'notified':
      // reroll.dev/mode: notify: this Event is the notification (written once per change, with the hash)
      return { type: 'Normal', reason: 'RollNeeded', action: 'Notify', note: decision.reason };
    case 'failed':
      return { type: 'Warning', reason: 'RollFailed', action: 'Roll', note: decision.reason };
    default:
      return undefined;
  }
}
