import { asArray, asRecord, asText, dig, type KubeObject } from '../kube-object';
import { podTemplateOf } from '../pod-templates';
import { violation, type Violation } from '../violation';

/**
 * DESIGN "Manifests": every pod runs as non-root with a read-only root filesystem, no privilege
 * escalation, all capabilities dropped, the RuntimeDefault seccomp profile, requests and limits,
 * a readiness probe on /readyz and a liveness probe on /healthz. Settings may sit on the pod or
 * the container where Kubernetes allows both (Knative only allows the container's).
 */
export function checkPodHardening(objects: KubeObject[]): Violation[] {
  const out: Violation[] = [];
  for (const object of objects) {
    const template = podTemplateOf(object);
    if (!template) continue;
    const pod = asRecord(template.spec.securityContext);
    const all = [
      ...template.initContainers.map((c) => ({ c, init: true })),
      ...template.containers.map((c) => ({ c, init: false })),
    ];
    for (const { c: container, init } of all) {
      const name = asText(container.name, '?');
      const fail = (message: string) => out.push(violation(object, 'pod-hardening', `container ${name}: ${message}`));
      const sc = asRecord(container.securityContext);
      const effective = (key: string): unknown => sc[key] ?? pod[key];
      if (effective('runAsNonRoot') !== true) fail('securityContext.runAsNonRoot must be true');
      if (effective('runAsUser') === 0) fail('securityContext.runAsUser must not be 0');
      if (sc.readOnlyRootFilesystem !== true) fail('securityContext.readOnlyRootFilesystem must be true');
      if (sc.allowPrivilegeEscalation !== false) fail('securityContext.allowPrivilegeEscalation must be false');
      if (sc.privileged === true) fail('securityContext.privileged must not be true');
      if (!asArray(dig(sc, 'capabilities', 'drop')).includes('ALL'))
        fail('securityContext.capabilities.drop must include ALL');
      if (asArray(dig(sc, 'capabilities', 'add')).length > 0) fail('securityContext.capabilities.add must be empty');
      if (dig(effective('seccompProfile'), 'type') !== 'RuntimeDefault')
        fail('seccompProfile.type must be RuntimeDefault');
      for (const kind of ['requests', 'limits']) {
        for (const resource of ['cpu', 'memory']) {
          if (dig(container, 'resources', kind, resource) === undefined)
            fail(`resources.${kind}.${resource} is missing`);
        }
      }
      if (init) continue; // init containers take no probes
      for (const [probe, path] of [
        ['readinessProbe', '/readyz'],
        ['livenessProbe', '/healthz'],
      ] as const) {
        const get = asRecord(dig(container, probe, 'httpGet'));
        if (get.path !== path) fail(`${probe}.httpGet.path must be ${path}`);
        if (template.knative && get.port !== undefined)
          fail(`${probe}.httpGet.port must be omitted (Knative probes the serving port)`);
        if (!template.knative && get.port === undefined) fail(`${probe}.httpGet.port is missing`);
      }
    }
  }
  return out;
}
