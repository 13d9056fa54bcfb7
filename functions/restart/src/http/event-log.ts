// Seed 000's two human lines, kept as the text format:
//   [event] type=MODIFIED configmap=helloworld-test env=test
//   [restart] patched deployment=helloworld-test restartedAt=2026-11-23T09:00:00Z
// In json mode the same message plus structured fields. Only names, kinds, actions and reasons are
// logged: never a ConfigMap or Secret value.
import type { Logger } from 'pino';
import type { Decision, EventAction } from '../core/types';
import type { AcceptedEvent, IntakeError } from '../intake/read-events';
import type { ReconcileResult } from '../reconcile';

const WATCH_TYPE: Record<EventAction, string> = { add: 'ADDED', update: 'MODIFIED', delete: 'DELETED' };
const KIND_WORD: Record<string, string> = {
  Deployment: 'deployment',
  StatefulSet: 'statefulset',
  DaemonSet: 'daemonset',
  Service: 'kservice',
  ConfigMap: 'configmap',
  Secret: 'secret',
};

export function logEvent(logger: Logger, event: AcceptedEvent, result: ReconcileResult): void {
  const ce = { id: event.id, type: event.type, ...(event.subject ? { subject: event.subject } : {}) };
  if (event.target.type === 'resync') {
    const rolled = result.decisions.filter((d) => d.action === 'rolled').length;
    logger.info(
      { event: ce, workloads: result.decisions.length, rolled },
      `[resync] workloads=${result.decisions.length} rolled=${rolled}`,
    );
  } else {
    const { ref, action } = event.target;
    const env = result.env ? ` env=${result.env}` : '';
    logger.info(
      {
        event: ce,
        kind: ref.kind,
        namespace: ref.namespace,
        name: ref.name,
        ...(result.env ? { env: result.env } : {}),
      },
      `[event] type=${WATCH_TYPE[action]} ${KIND_WORD[ref.kind]}=${ref.name}${env}`,
    );
  }
  if (result.note) logger.info({ event: ce, note: result.note }, `[skip] ${result.note}`);
  for (const d of result.decisions) logDecision(logger, d, result.restartedAt?.[`${d.kind}/${d.namespace}/${d.name}`]);
}

function logDecision(logger: Logger, d: Decision, restartedAt: string | undefined): void {
  const fields = { kind: d.kind, namespace: d.namespace, name: d.name, action: d.action, reason: d.reason };
  const word = KIND_WORD[d.kind] ?? d.kind.toLowerCase();
  if (d.action === 'rolled' && restartedAt) {
    logger.info({ ...fields, restartedAt }, `[restart] patched ${word}=${d.name} restartedAt=${restartedAt}`);
  } else if (d.action === 'failed') {
    logger.warn(fields, `[decision] ${word}=${d.name} action=failed reason="${d.reason}"`);
  } else {
    const level = ['recorded', 'rolled', 'deferred', 'notified'].includes(d.action) ? 'info' : 'debug';
    logger[level](fields, `[decision] ${word}=${d.name} action=${d.action} reason="${d.reason}"`);
  }
}

export function logRejected(logger: Logger, error: IntakeError): void {
  logger.warn({ error }, `[event] rejected field=${error.field} error=${error.error} detail="${error.detail}"`);
}
