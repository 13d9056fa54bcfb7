// `<kind>/<name>` as kubectl takes it (deployment/x, deploy/x, sts/x, cj/x, ro/x, ksvc/x …).
import type { WorkloadKind } from '@reroll/restart/core';

const KIND_NAMES: Record<string, WorkloadKind> = {
  deployment: 'Deployment',
  deployments: 'Deployment',
  deploy: 'Deployment',
  'deployment.apps': 'Deployment',
  statefulset: 'StatefulSet',
  statefulsets: 'StatefulSet',
  sts: 'StatefulSet',
  'statefulset.apps': 'StatefulSet',
  daemonset: 'DaemonSet',
  daemonsets: 'DaemonSet',
  ds: 'DaemonSet',
  'daemonset.apps': 'DaemonSet',
  cronjob: 'CronJob',
  cronjobs: 'CronJob',
  cj: 'CronJob',
  'cronjob.batch': 'CronJob',
  'cronjobs.batch': 'CronJob',
  rollout: 'Rollout',
  rollouts: 'Rollout',
  ro: 'Rollout',
  'rollout.argoproj.io': 'Rollout',
  'rollouts.argoproj.io': 'Rollout',
  ksvc: 'Service',
  kservice: 'Service',
  'service.serving.knative.dev': 'Service',
  'services.serving.knative.dev': 'Service',
};

export type WorkloadArg = { ok: true; kind: WorkloadKind; name: string } | { ok: false; error: string };

export function parseWorkloadArg(arg: string): WorkloadArg {
  const slash = arg.indexOf('/');
  const kind = KIND_NAMES[arg.slice(0, Math.max(slash, 0)).toLowerCase()];
  const name = arg.slice(slash + 1);
  if (slash <= 0 || !kind || name === '' || name.includes('/'))
    return {
      ok: false,
      error: `${JSON.stringify(arg)} is not <kind>/<name> with kind one of deployment, statefulset, daemonset, cronjob, rollout, ksvc`,
    };
  return { ok: true, kind, name };
}
