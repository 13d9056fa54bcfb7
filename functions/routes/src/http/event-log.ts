// One human line per event and per change, the same words in JSON for clusters:
//   [event] type=ADDED service=dev-alice/helloworld-test
//   [routes] updated virtualservice=reroll-demo/helloworld-test-virtual-service reason="x-developer routes to dev-alice, then the default route"
// Only names, actions and reasons are logged: never the config's data.
import type { Logger } from 'pino';
import type { AcceptedEvent, IntakeError } from '../intake/read-events';
import type { ReconcileResult } from '../reconcile';

const WATCH_TYPE = { add: 'ADDED', update: 'MODIFIED', delete: 'DELETED' } as const;

export function logEvent(logger: Logger, event: AcceptedEvent, result: ReconcileResult): void {
  const ce = { id: event.id, type: event.type, ...(event.subject ? { subject: event.subject } : {}) };
  if (event.target.type === 'resync') {
    const changed = result.decisions.filter((d) => ['created', 'updated', 'deleted'].includes(d.action)).length;
    logger.info(
      { event: ce, services: result.decisions.length, changed },
      `[resync] services=${result.decisions.length} changed=${changed}`,
    );
  } else {
    const { namespace, name, action } = event.target;
    logger.info({ event: ce, namespace, name }, `[event] type=${WATCH_TYPE[action]} service=${namespace}/${name}`);
  }
  if (result.note) logger.info({ event: ce, note: result.note }, `[skip] ${result.note}`);
  for (const d of result.decisions) {
    const fields = {
      kind: d.kind,
      namespace: d.namespace,
      name: d.name,
      service: d.service,
      action: d.action,
      reason: d.reason,
    };
    const what = d.name ? `virtualservice=${d.namespace}/${d.name}` : `service=${d.service}`;
    const line = `[routes] ${d.action} ${what} reason="${d.reason}"`;
    if (d.action === 'failed') logger.warn(fields, line);
    else if (d.action === 'unchanged' || d.action === 'skipped') logger.debug(fields, line);
    else logger.info(fields, line);
  }
}

export function logRejected(logger: Logger, error: IntakeError): void {
  logger.warn({ error }, `[event] rejected field=${error.field} error=${error.error} detail="${error.detail}"`);
}
