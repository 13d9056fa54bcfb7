// meta.k8s.io/v1 Table output (what `kubectl get` prints): NAME, kind-specific columns and AGE for
// built-in kinds, the CRD's additionalPrinterColumns (JSONPath over the object) for custom kinds.
import type { KObject } from './object-types';
import { asText, isPlainObject } from './object-types';
import type { PrinterColumn, ResourceType } from './resource-table';
import { evaluateJsonPath } from './json-path';
import { eventToCore } from './event-versions';

interface Column {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

type Cell = string | number | boolean | null;

/** k8s.io/apimachinery/pkg/util/duration.HumanDuration */
export function humanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < -1) return '<invalid>';
  if (s < 0) return '0s';
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 10) return s % 60 === 0 ? `${m}m` : `${m}m${s % 60}s`;
  if (m < 180) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 8) return m % 60 === 0 ? `${h}h` : `${h}h${m % 60}m`;
  if (h < 48) return `${h}h`;
  const d = Math.floor(h / 24);
  if (h < 24 * 8) return h % 24 === 0 ? `${d}d` : `${d}d${h % 24}h`;
  if (h < 24 * 365 * 2) return `${d}d`;
  const y = Math.floor(d / 365);
  if (y < 8) return d % 365 === 0 ? `${y}y` : `${y}y${d % 365}d`;
  return `${y}y`;
}

const age = (o: KObject) =>
  o.metadata.creationTimestamp ? humanDuration(Date.now() - Date.parse(o.metadata.creationTimestamp)) : '<unknown>';
const col = (name: string, type = 'string', description = '', priority = 0, format = ''): Column => ({
  name,
  type,
  format,
  description,
  priority,
});
const NAME = col('Name', 'string', 'Name must be unique within a namespace.', 0, 'name');
const AGE = col(
  'Age',
  'string',
  'CreationTimestamp is a timestamp representing the server time when this object was created.',
);

const num = (v: unknown) => (typeof v === 'number' ? v : 0);
const obj = (v: unknown): Record<string, unknown> => (isPlainObject(v) ? v : {});

interface BuiltinPrinter {
  columns: Column[];
  cells: (o: KObject) => Cell[];
}

const text = (v: unknown) => (typeof v === 'string' ? v : '');
const since = (ts: unknown) =>
  typeof ts === 'string' && ts ? humanDuration(Date.now() - Date.parse(ts)) : '<unknown>';

/**
 * pkg/printers/internalversion printEvent, as the apiserver runs it (always wide; kubectl hides the
 * priority-1 columns): there is no leading Name column for Events. Cells read the core v1 shape.
 */
const EVENT_PRINTER: BuiltinPrinter = {
  columns: [
    col('Last Seen'),
    col('Type'),
    col('Reason'),
    col('Object'),
    col('Subobject', 'string', '', 1),
    col('Source', 'string', '', 1),
    col('Message'),
    col('First Seen', 'string', '', 1),
    col('Count', 'string', '', 1),
    col('Name', 'string', 'Name must be unique within a namespace.', 1, 'name'),
  ],
  cells: (o) => {
    const ref = obj(o.involvedObject);
    const source = obj(o.source);
    const first = o.firstTimestamp ? since(o.firstTimestamp) : since(o.eventTime);
    const series = isPlainObject(o.series) ? o.series : undefined;
    const last = series ? since(series.lastObservedTime) : o.lastTimestamp ? since(o.lastTimestamp) : first;
    const count = series ? num(series.count) : num(o.count) || 1;
    const kind = text(ref.kind).toLowerCase();
    const target = ref.name ? `${kind}/${text(ref.name)}` : kind;
    const component = text(source.component) || text(o.reportingComponent);
    const instance = text(source.host) || text(o.reportingInstance);
    return [
      last,
      text(o.type),
      text(o.reason),
      target,
      text(ref.fieldPath),
      instance ? `${component}, ${instance}` : component,
      text(o.message).trim(),
      first,
      count,
      o.metadata.name!,
    ];
  },
};

const BUILTIN: Record<string, BuiltinPrinter> = {
  events: EVENT_PRINTER,
  // same storage and printer; the rows being served are in the events.k8s.io shape
  'events.events.k8s.io': { columns: EVENT_PRINTER.columns, cells: (o) => EVENT_PRINTER.cells(eventToCore(o)) },
  namespaces: {
    columns: [NAME, col('Status'), AGE],
    cells: (o) => [o.metadata.name!, asText(obj(o.status).phase, 'Active'), age(o)],
  },
  configmaps: {
    columns: [NAME, col('Data', 'integer'), AGE],
    cells: (o) => [o.metadata.name!, Object.keys(obj(o.data)).length + Object.keys(obj(o.binaryData)).length, age(o)],
  },
  secrets: {
    columns: [NAME, col('Type'), col('Data', 'integer'), AGE],
    cells: (o) => [o.metadata.name!, asText(o.type, 'Opaque'), Object.keys(obj(o.data)).length, age(o)],
  },
  serviceaccounts: {
    columns: [NAME, col('Secrets', 'integer'), AGE],
    cells: (o) => [o.metadata.name!, Array.isArray(o.secrets) ? o.secrets.length : 0, age(o)],
  },
  services: {
    columns: [
      NAME,
      col('Type'),
      col('Cluster-IP'),
      col('External-IP'),
      col('Port(s)'),
      AGE,
      col('Selector', 'string', '', 1),
    ],
    cells: (o) => {
      const spec = obj(o.spec);
      const ports = Array.isArray(spec.ports)
        ? spec.ports.map((p) => `${String(obj(p).port)}/${asText(obj(p).protocol, 'TCP')}`).join(',')
        : '<none>';
      const sel =
        Object.entries(obj(spec.selector))
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(',') || '<none>';
      return [
        o.metadata.name!,
        asText(spec.type, 'ClusterIP'),
        asText(spec.clusterIP, '<none>'),
        '<none>',
        ports || '<none>',
        age(o),
        sel,
      ];
    },
  },
  'deployments.apps': {
    columns: [NAME, col('Ready'), col('Up-to-date', 'integer'), col('Available', 'integer'), AGE],
    cells: (o) => {
      const s = obj(o.status);
      return [
        o.metadata.name!,
        `${num(s.readyReplicas)}/${num(obj(o.spec).replicas ?? 1)}`,
        num(s.updatedReplicas),
        num(s.availableReplicas),
        age(o),
      ];
    },
  },
  pods: {
    columns: [
      NAME,
      col('Ready'),
      col('Status'),
      col('Restarts', 'string'),
      AGE,
      col('IP', 'string', '', 1),
      col('Node', 'string', '', 1),
      col('Nominated Node', 'string', '', 1),
      col('Readiness Gates', 'string', '', 1),
    ],
    cells: (o) => {
      const s = obj(o.status);
      const containers = Array.isArray(obj(o.spec).containers) ? (obj(o.spec).containers as unknown[]) : [];
      const statuses = Array.isArray(s.containerStatuses) ? s.containerStatuses.map(obj) : [];
      const ready = statuses.filter((c) => c.ready === true).length;
      const restarts = statuses.reduce((n, c) => n + num(c.restartCount), 0);
      // kubectl's printer: Terminating wins, then a waiting/terminated container's reason, then the phase
      const waiting = statuses.map((c) => obj(obj(c.state).waiting).reason ?? obj(obj(c.state).terminated).reason);
      const text = (v: unknown) => (typeof v === 'string' ? v : undefined);
      const reason = o.metadata.deletionTimestamp
        ? 'Terminating'
        : (waiting.map(text).find(Boolean) ?? text(s.reason) ?? text(s.phase) ?? 'Pending');
      return [
        o.metadata.name!,
        `${ready}/${containers.length}`,
        reason,
        String(restarts),
        age(o),
        text(s.podIP) ?? '<none>',
        text(obj(o.spec).nodeName) ?? '<none>',
        '<none>',
        '<none>',
      ];
    },
  },
  'replicasets.apps': {
    columns: [NAME, col('Desired', 'integer'), col('Current', 'integer'), col('Ready', 'integer'), AGE],
    cells: (o) => {
      const s = obj(o.status);
      return [o.metadata.name!, num(obj(o.spec).replicas ?? 1), num(s.replicas), num(s.readyReplicas), age(o)];
    },
  },
  'statefulsets.apps': {
    columns: [NAME, col('Ready'), AGE],
    cells: (o) => [o.metadata.name!, `${num(obj(o.status).readyReplicas)}/${num(obj(o.spec).replicas ?? 1)}`, age(o)],
  },
  'daemonsets.apps': {
    columns: [
      NAME,
      col('Desired', 'integer'),
      col('Current', 'integer'),
      col('Ready', 'integer'),
      col('Up-to-date', 'integer'),
      col('Available', 'integer'),
      col('Node Selector'),
      AGE,
    ],
    cells: (o) => {
      const s = obj(o.status);
      const sel =
        Object.entries(obj(obj(obj(obj(o.spec).template).spec).nodeSelector))
          .map(([k, v]) => `${k}=${String(v)}`)
          .join(',') || '<none>';
      return [
        o.metadata.name!,
        num(s.desiredNumberScheduled),
        num(s.currentNumberScheduled),
        num(s.numberReady),
        num(s.updatedNumberScheduled),
        num(s.numberAvailable),
        sel,
        age(o),
      ];
    },
  },
  // pkg/printers/internalversion printCronJob as in Kubernetes 1.26 (1.27 added a Timezone column)
  'cronjobs.batch': {
    columns: [
      NAME,
      col('Schedule'),
      col('Suspend', 'boolean'),
      col('Active', 'integer'),
      col('Last Schedule'),
      AGE,
      col('Containers', 'string', 'Names of each container in the template.', 1),
      col('Images', 'string', 'Images referenced by each container in the template.', 1),
      col('Selector', 'string', '', 1),
    ],
    cells: (o) => {
      const spec = obj(o.spec);
      const status = obj(o.status);
      const jobSpec = obj(obj(spec.jobTemplate).spec);
      const containers = Array.isArray(obj(obj(jobSpec.template).spec).containers)
        ? (obj(obj(jobSpec.template).spec).containers as unknown[]).map(obj)
        : [];
      const selector = Object.entries(obj(obj(jobSpec.selector).matchLabels))
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',');
      return [
        o.metadata.name!,
        text(spec.schedule),
        // printBoolPtr: a string, not a JSON boolean
        typeof spec.suspend === 'boolean' ? (spec.suspend ? 'True' : 'False') : '<unset>',
        Array.isArray(status.active) ? status.active.length : 0,
        status.lastScheduleTime ? since(status.lastScheduleTime) : '<none>',
        age(o),
        containers.map((c) => text(c.name)).join(','),
        containers.map((c) => text(c.image)).join(','),
        selector || '<none>',
      ];
    },
  },
  'roles.rbac.authorization.k8s.io': {
    columns: [NAME, col('Created At', 'date')],
    cells: (o) => [o.metadata.name!, o.metadata.creationTimestamp ?? ''],
  },
  'clusterroles.rbac.authorization.k8s.io': {
    columns: [NAME, col('Created At', 'date')],
    cells: (o) => [o.metadata.name!, o.metadata.creationTimestamp ?? ''],
  },
  'rolebindings.rbac.authorization.k8s.io': {
    columns: [NAME, col('Role'), AGE],
    cells: (o) => [o.metadata.name!, `${String(obj(o.roleRef).kind)}/${String(obj(o.roleRef).name)}`, age(o)],
  },
  'clusterrolebindings.rbac.authorization.k8s.io': {
    columns: [NAME, col('Role'), AGE],
    cells: (o) => [o.metadata.name!, `${String(obj(o.roleRef).kind)}/${String(obj(o.roleRef).name)}`, age(o)],
  },
};

function crdCell(o: KObject, c: PrinterColumn): Cell {
  const values = evaluateJsonPath(o, c.jsonPath);
  if (values.length === 0) return null;
  const v = values.length === 1 ? values[0] : values;
  if (c.type === 'date' && typeof v === 'string') return humanDuration(Date.now() - Date.parse(v));
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  return JSON.stringify(v);
}

function printerFor(t: ResourceType): BuiltinPrinter {
  const key = t.group ? `${t.resource}.${t.group}` : t.resource;
  const builtin = t.custom ? undefined : BUILTIN[key];
  if (builtin) return builtin;
  const pcs = t.printerColumns ?? [];
  const hasAge = pcs.some((c) => c.jsonPath === '.metadata.creationTimestamp');
  const columns = [
    NAME,
    ...pcs.map((c) =>
      col(c.name, c.type === 'date' ? 'date' : c.type, c.description ?? '', c.priority ?? 0, c.format ?? ''),
    ),
  ];
  if (!hasAge && !t.custom) columns.push(AGE);
  if (pcs.length === 0) columns.push(AGE);
  return {
    columns,
    cells: (o) => {
      const cells: Cell[] = [o.metadata.name!, ...pcs.map((c) => crdCell(o, c))];
      if (pcs.length === 0 || (!hasAge && !t.custom)) cells.push(age(o));
      return cells;
    },
  };
}

function rowObject(o: KObject, include: string): unknown {
  if (include === 'None') return undefined;
  if (include === 'Object') return o;
  return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
}

export function toTable(
  t: ResourceType,
  items: KObject[],
  listMeta: Record<string, unknown>,
  includeObject: string,
  tableVersion = 'v1',
  withColumns = true,
): Record<string, unknown> {
  const p = printerFor(t);
  const table: Record<string, unknown> = {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${tableVersion}`,
    metadata: listMeta,
  };
  table.columnDefinitions = withColumns ? p.columns : [];
  table.rows = items.map((o) => {
    const row: Record<string, unknown> = { cells: p.cells(o) };
    const object = rowObject(o, includeObject);
    if (object !== undefined) row.object = object;
    return row;
  });
  return table;
}
