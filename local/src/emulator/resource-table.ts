// The ONE table every part of the emulator is driven by: storage, discovery, routing, Table output,
// generation rules and status subresources all read it. Adding a kind = adding a row.

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  format?: string;
  description?: string;
  priority?: number;
}

export type GenerationRule =
  | 'none' // ConfigMap, Secret, RBAC…: the apiserver never sets metadata.generation
  | 'spec' // StatefulSet, DaemonSet: bump when .spec changes
  | 'spec-or-annotations' // Deployment: bump when .spec or metadata.annotations change (apiserver quirk)
  | 'non-metadata'; // custom resources: bump when anything but metadata/status changes

export interface ResourceType {
  group: string; // '' for the core group
  version: string;
  resource: string; // plural, as in the URL
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  generation: GenerationRule;
  statusSubresource: boolean;
  /** serves /scale (autoscaling/v1 Scale), as Deployments and StatefulSets do: kubectl scale uses it */
  scaleSubresource?: boolean;
  /** serves /log (text/plain container output), as Pods do: kubectl logs uses it */
  logSubresource?: boolean;
  /** custom resources (served by the CRD handler on a real cluster: DELETE returns the object) */
  custom?: boolean;
  printerColumns?: PrinterColumn[];
  /** storage shared with another group's resource (events.k8s.io Events are stored as core Events) */
  storedAs?: string;
  /**
   * a CRD most clusters do not have (Argo Rollouts): served only once installed (`startEmulator({
   * crds: ['rollouts.argoproj.io'] })` or `emulator.installCrd(...)`); until then its URLs are 404
   * and discovery does not list it, as on a cluster without it
   */
  optionalCrd?: boolean;
}

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
export const RESOURCE_VERBS = VERBS;

const ready = (quote: string): PrinterColumn[] => [
  { name: 'Ready', type: 'string', jsonPath: `.status.conditions[?(@.type==${quote}Ready${quote})].status` },
  { name: 'Reason', type: 'string', jsonPath: `.status.conditions[?(@.type==${quote}Ready${quote})].reason` },
];
const age: PrinterColumn = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' };

const core = (
  resource: string,
  singular: string,
  kind: string,
  namespaced: boolean,
  shortNames?: string[],
): ResourceType => ({
  group: '',
  version: 'v1',
  resource,
  singular,
  kind,
  namespaced,
  shortNames,
  generation: 'none',
  statusSubresource: resource === 'namespaces' || resource === 'services',
});
const rbac = (resource: string, singular: string, kind: string, namespaced: boolean): ResourceType => ({
  group: 'rbac.authorization.k8s.io',
  version: 'v1',
  resource,
  singular,
  kind,
  namespaced,
  generation: 'none',
  statusSubresource: false,
});
const crd = (
  group: string,
  version: string,
  resource: string,
  singular: string,
  kind: string,
  extra: Partial<ResourceType>,
): ResourceType => ({
  group,
  version,
  resource,
  singular,
  kind,
  namespaced: true,
  generation: 'non-metadata',
  statusSubresource: true,
  custom: true,
  ...extra,
});

const istioVsColumns: PrinterColumn[] = [
  {
    name: 'Gateways',
    type: 'string',
    jsonPath: '.spec.gateways',
    description: 'The names of gateways and sidecars that should apply these routes',
  },
  {
    name: 'Hosts',
    type: 'string',
    jsonPath: '.spec.hosts',
    description: 'The destination hosts to which traffic is being sent',
  },
  age,
];

export const RESOURCE_TABLE: readonly ResourceType[] = [
  core('namespaces', 'namespace', 'Namespace', false, ['ns']),
  core('configmaps', 'configmap', 'ConfigMap', true, ['cm']),
  core('secrets', 'secret', 'Secret', true),
  { ...core('services', 'service', 'Service', true, ['svc']), categories: ['all'] },
  core('serviceaccounts', 'serviceaccount', 'ServiceAccount', true, ['sa']),
  core('events', 'event', 'Event', true, ['ev']),
  // Pods are written by the local runner's kubelet (only its hello processes become pods); pods/log is served from them.
  { ...core('pods', 'pod', 'Pod', true, ['po']), categories: ['all'], statusSubresource: true, logSubresource: true },
  {
    group: 'events.k8s.io',
    version: 'v1',
    resource: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    generation: 'none',
    statusSubresource: false,
    storedAs: 'events',
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    categories: ['all'],
    generation: 'spec-or-annotations',
    statusSubresource: true,
    scaleSubresource: true,
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    categories: ['all'],
    generation: 'spec',
    statusSubresource: true,
    scaleSubresource: true,
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    categories: ['all'],
    generation: 'spec',
    statusSubresource: true,
    scaleSubresource: true,
  },
  {
    group: 'apps',
    version: 'v1',
    resource: 'daemonsets',
    singular: 'daemonset',
    kind: 'DaemonSet',
    namespaced: true,
    shortNames: ['ds'],
    categories: ['all'],
    generation: 'spec',
    statusSubresource: true,
  },
  {
    group: 'batch',
    version: 'v1',
    resource: 'cronjobs',
    singular: 'cronjob',
    kind: 'CronJob',
    namespaced: true,
    shortNames: ['cj'],
    categories: ['all'],
    generation: 'spec',
    statusSubresource: true,
  },
  rbac('roles', 'role', 'Role', true),
  rbac('rolebindings', 'rolebinding', 'RoleBinding', true),
  rbac('clusterroles', 'clusterrole', 'ClusterRole', false),
  rbac('clusterrolebindings', 'clusterrolebinding', 'ClusterRoleBinding', false),
  crd('serving.knative.dev', 'v1', 'services', 'service', 'Service', {
    shortNames: ['kservice', 'ksvc'],
    categories: ['all', 'knative', 'serving'],
    printerColumns: [
      { name: 'URL', type: 'string', jsonPath: '.status.url' },
      { name: 'LatestCreated', type: 'string', jsonPath: '.status.latestCreatedRevisionName' },
      { name: 'LatestReady', type: 'string', jsonPath: '.status.latestReadyRevisionName' },
      ...ready("'"),
    ],
  }),
  crd('serving.knative.dev', 'v1', 'configurations', 'configuration', 'Configuration', {
    shortNames: ['config', 'cfg'],
    categories: ['all', 'knative', 'serving'],
    printerColumns: [
      { name: 'LatestCreated', type: 'string', jsonPath: '.status.latestCreatedRevisionName' },
      { name: 'LatestReady', type: 'string', jsonPath: '.status.latestReadyRevisionName' },
      ...ready("'"),
    ],
  }),
  crd('serving.knative.dev', 'v1', 'revisions', 'revision', 'Revision', {
    shortNames: ['rev'],
    categories: ['all', 'knative', 'serving'],
    printerColumns: [
      { name: 'Config Name', type: 'string', jsonPath: ".metadata.labels['serving\\.knative\\.dev/configuration']" },
      {
        name: 'Generation',
        type: 'string',
        jsonPath: ".metadata.labels['serving\\.knative\\.dev/configurationGeneration']",
      },
      ...ready("'"),
      { name: 'Actual Replicas', type: 'integer', jsonPath: '.status.actualReplicas' },
      { name: 'Desired Replicas', type: 'integer', jsonPath: '.status.desiredReplicas' },
    ],
  }),
  crd('serving.knative.dev', 'v1', 'routes', 'route', 'Route', {
    shortNames: ['rt'],
    categories: ['all', 'knative', 'serving'],
    printerColumns: [{ name: 'URL', type: 'string', jsonPath: '.status.url' }, ...ready("'")],
  }),
  crd('sources.knative.dev', 'v1', 'apiserversources', 'apiserversource', 'ApiServerSource', {
    categories: ['all', 'knative', 'sources'],
    printerColumns: [{ name: 'Sink', type: 'string', jsonPath: '.status.sinkUri' }, age, ...ready('"')],
  }),
  crd('sources.knative.dev', 'v1', 'pingsources', 'pingsource', 'PingSource', {
    categories: ['all', 'knative', 'sources'],
    printerColumns: [
      { name: 'Sink', type: 'string', jsonPath: '.status.sinkUri' },
      { name: 'Schedule', type: 'string', jsonPath: '.spec.schedule' },
      age,
      ...ready("'"),
    ],
  }),
  crd('networking.istio.io', 'v1', 'gateways', 'gateway', 'Gateway', {
    shortNames: ['gw'],
    categories: ['istio-io', 'networking-istio-io'],
  }),
  crd('networking.istio.io', 'v1beta1', 'gateways', 'gateway', 'Gateway', {
    shortNames: ['gw'],
    categories: ['istio-io', 'networking-istio-io'],
  }),
  crd('networking.istio.io', 'v1', 'virtualservices', 'virtualservice', 'VirtualService', {
    shortNames: ['vs'],
    categories: ['istio-io', 'networking-istio-io'],
    printerColumns: istioVsColumns,
  }),
  crd('networking.istio.io', 'v1beta1', 'virtualservices', 'virtualservice', 'VirtualService', {
    shortNames: ['vs'],
    categories: ['istio-io', 'networking-istio-io'],
    printerColumns: istioVsColumns,
  }),
  crd('argoproj.io', 'v1alpha1', 'rollouts', 'rollout', 'Rollout', {
    shortNames: ['ro'],
    optionalCrd: true,
    scaleSubresource: true,
    printerColumns: [
      { name: 'Desired', type: 'integer', jsonPath: '.spec.replicas', description: 'Number of desired pods' },
      { name: 'Current', type: 'integer', jsonPath: '.status.replicas' },
      { name: 'Up-to-date', type: 'integer', jsonPath: '.status.updatedReplicas' },
      { name: 'Available', type: 'integer', jsonPath: '.status.availableReplicas' },
      age,
    ],
  }),
];

/** `rollouts.argoproj.io`: the name of a custom kind's CRD */
export function crdNameOf(t: Pick<ResourceType, 'group' | 'resource'>): string {
  return `${t.resource}.${t.group}`;
}

/** The rows an emulator serves: every row but the optional CRDs it has not installed. */
export function servedTable(installed: ReadonlySet<string>): readonly ResourceType[] {
  return RESOURCE_TABLE.filter((t) => !t.optionalCrd || installed.has(crdNameOf(t)));
}

/** Versions of one group share storage (as a real apiserver converts between them): key by group+resource. */
export function storageKey(t: Pick<ResourceType, 'group' | 'resource' | 'storedAs'>): string {
  if (t.storedAs) return t.storedAs;
  return t.group ? `${t.resource}.${t.group}` : t.resource;
}

export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

export function findResource(
  group: string,
  version: string,
  resource: string,
  table: readonly ResourceType[] = RESOURCE_TABLE,
): ResourceType | undefined {
  return table.find((t) => t.group === group && t.version === version && t.resource === resource);
}

export function findByApiVersionKind(apiVersion: string, kind: string): ResourceType | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  return RESOURCE_TABLE.find((t) => t.group === group && t.version === version && t.kind === kind);
}

/** group -> versions in preference order (first listed = preferred) */
export function groupVersions(table: readonly ResourceType[] = RESOURCE_TABLE): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const t of table) {
    const vs = out.get(t.group) ?? [];
    if (!vs.includes(t.version)) vs.push(t.version);
    out.set(t.group, vs);
  }
  return out;
}
