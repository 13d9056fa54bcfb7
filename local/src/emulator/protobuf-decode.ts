// Decoding of Kubernetes protobuf request bodies (`application/vnd.kubernetes.protobuf`), which
// kubectl's typed client sends for `kubectl create configmap|secret|namespace|serviceaccount|
// deployment|service|role|rolebinding|clusterrole|clusterrolebinding`. Only the messages those
// generators build are described (field numbers from k8s.io/api generated.proto); a non-empty field
// the table does not know is refused with 415 naming it rather than dropped silently.
// Go's protobuf writes every non-pointer field, zero or not: zero scalars and empty messages are
// dropped here, which is what JSON's omitempty would have sent. Pointer fields keep their zero.

import { asText } from './object-types';

type Scalar = 'string' | 'int' | 'bool' | 'bytes' | 'skip';
interface Field {
  name: string;
  // a Scalar, a message name from MESSAGES, or map<string,string|bytes|Quantity>
  // (`string & {}` so the Scalar names stay in autocomplete)
  type: Scalar | (string & {});
  repeated?: boolean;
  /** a Go pointer field: present means set, even when zero */
  pointer?: boolean;
}
type Message = Record<number, Field>;

const f = (name: string, type: Field['type'], opts: Partial<Field> = {}): Field => ({ name, type, ...opts });
const rep = (name: string, type: Field['type']) => f(name, type, { repeated: true });
const ptr = (name: string, type: Field['type']) => f(name, type, { pointer: true });

const MESSAGES: Record<string, Message> = {
  Unknown: {
    1: f('typeMeta', 'TypeMeta'),
    2: f('raw', 'bytes'),
    3: f('contentEncoding', 'string'),
    4: f('contentType', 'string'),
  },
  TypeMeta: { 1: f('apiVersion', 'string'), 2: f('kind', 'string') },
  ObjectMeta: {
    1: f('name', 'string'),
    2: f('generateName', 'string'),
    3: f('namespace', 'string'),
    4: f('selfLink', 'string'),
    5: f('uid', 'string'),
    6: f('resourceVersion', 'string'),
    7: f('generation', 'int'),
    8: f('creationTimestamp', 'skip'),
    9: f('deletionTimestamp', 'skip'),
    10: ptr('deletionGracePeriodSeconds', 'int'),
    11: f('labels', 'map<string,string>'),
    12: f('annotations', 'map<string,string>'),
    13: rep('ownerReferences', 'OwnerReference'),
    14: rep('finalizers', 'string'),
    17: f('managedFields', 'skip'),
  },
  OwnerReference: {
    1: f('kind', 'string'),
    3: f('name', 'string'),
    4: f('uid', 'string'),
    5: f('apiVersion', 'string'),
    6: ptr('controller', 'bool'),
    7: ptr('blockOwnerDeletion', 'bool'),
  },
  LabelSelector: { 1: f('matchLabels', 'map<string,string>'), 2: rep('matchExpressions', 'LabelSelectorRequirement') },
  LabelSelectorRequirement: { 1: f('key', 'string'), 2: f('operator', 'string'), 3: rep('values', 'string') },
  ConfigMap: {
    1: f('metadata', 'ObjectMeta'),
    2: f('data', 'map<string,string>'),
    3: f('binaryData', 'map<string,bytes>'),
    4: ptr('immutable', 'bool'),
  },
  Secret: {
    1: f('metadata', 'ObjectMeta'),
    2: f('data', 'map<string,bytes>'),
    3: f('type', 'string'),
    4: f('stringData', 'map<string,string>'),
    5: ptr('immutable', 'bool'),
  },
  Namespace: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'NamespaceSpec'), 3: f('status', 'skip') },
  NamespaceSpec: { 1: rep('finalizers', 'string') },
  ServiceAccount: {
    1: f('metadata', 'ObjectMeta'),
    2: rep('secrets', 'ObjectReference'),
    3: rep('imagePullSecrets', 'LocalObjectReference'),
    4: ptr('automountServiceAccountToken', 'bool'),
  },
  ObjectReference: {
    1: f('kind', 'string'),
    2: f('namespace', 'string'),
    3: f('name', 'string'),
    4: f('uid', 'string'),
    5: f('apiVersion', 'string'),
    6: f('resourceVersion', 'string'),
    7: f('fieldPath', 'string'),
  },
  LocalObjectReference: { 1: f('name', 'string') },
  Deployment: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'DeploymentSpec'), 3: f('status', 'skip') },
  DeploymentSpec: {
    1: ptr('replicas', 'int'),
    2: f('selector', 'LabelSelector'),
    3: f('template', 'PodTemplateSpec'),
    4: f('strategy', 'DeploymentStrategy'),
    5: f('minReadySeconds', 'int'),
    6: ptr('revisionHistoryLimit', 'int'),
    7: f('paused', 'bool'),
    9: ptr('progressDeadlineSeconds', 'int'),
  },
  DeploymentStrategy: { 1: f('type', 'string'), 2: f('rollingUpdate', 'RollingUpdateDeployment') },
  RollingUpdateDeployment: { 1: f('maxUnavailable', 'IntOrString'), 2: f('maxSurge', 'IntOrString') },
  IntOrString: { 1: f('type', 'int'), 2: f('intVal', 'int'), 3: f('strVal', 'string') },
  PodTemplateSpec: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'PodSpec') },
  PodSpec: {
    1: rep('volumes', 'skip'),
    2: rep('containers', 'Container'),
    3: f('restartPolicy', 'string'),
    4: ptr('terminationGracePeriodSeconds', 'int'),
    5: ptr('activeDeadlineSeconds', 'int'),
    6: f('dnsPolicy', 'string'),
    7: f('nodeSelector', 'map<string,string>'),
    8: f('serviceAccountName', 'string'),
    9: f('serviceAccount', 'string'),
    10: f('nodeName', 'string'),
    11: f('hostNetwork', 'bool'),
    12: f('hostPID', 'bool'),
    13: f('hostIPC', 'bool'),
    16: f('hostname', 'string'),
    17: f('subdomain', 'string'),
    19: f('schedulerName', 'string'),
    20: rep('initContainers', 'Container'),
    24: f('priorityClassName', 'string'),
    29: ptr('runtimeClassName', 'string'),
    31: ptr('preemptionPolicy', 'string'),
  },
  Container: {
    1: f('name', 'string'),
    2: f('image', 'string'),
    3: rep('command', 'string'),
    4: rep('args', 'string'),
    5: f('workingDir', 'string'),
    6: rep('ports', 'ContainerPort'),
    7: rep('env', 'EnvVar'),
    8: f('resources', 'ResourceRequirements'),
    13: f('terminationMessagePath', 'string'),
    14: f('imagePullPolicy', 'string'),
    16: f('stdin', 'bool'),
    17: f('stdinOnce', 'bool'),
    18: f('tty', 'bool'),
    20: f('terminationMessagePolicy', 'string'),
  },
  ContainerPort: {
    1: f('name', 'string'),
    2: f('hostPort', 'int'),
    3: f('containerPort', 'int'),
    4: f('protocol', 'string'),
    5: f('hostIP', 'string'),
  },
  EnvVar: { 1: f('name', 'string'), 2: f('value', 'string') },
  ResourceRequirements: { 1: f('limits', 'map<string,Quantity>'), 2: f('requests', 'map<string,Quantity>') },
  Quantity: { 1: f('string', 'string') },
  Service: { 1: f('metadata', 'ObjectMeta'), 2: f('spec', 'ServiceSpec'), 3: f('status', 'skip') },
  ServiceSpec: {
    1: rep('ports', 'ServicePort'),
    2: f('selector', 'map<string,string>'),
    3: f('clusterIP', 'string'),
    4: f('type', 'string'),
    5: rep('externalIPs', 'string'),
    7: f('sessionAffinity', 'string'),
    8: f('loadBalancerIP', 'string'),
    9: rep('loadBalancerSourceRanges', 'string'),
    10: f('externalName', 'string'),
    11: f('externalTrafficPolicy', 'string'),
    12: f('healthCheckNodePort', 'int'),
    13: f('publishNotReadyAddresses', 'bool'),
    18: rep('clusterIPs', 'string'),
  },
  ServicePort: {
    1: f('name', 'string'),
    2: f('protocol', 'string'),
    3: f('port', 'int'),
    4: f('targetPort', 'IntOrString'),
    5: f('nodePort', 'int'),
    6: ptr('appProtocol', 'string'),
  },
  Role: { 1: f('metadata', 'ObjectMeta'), 2: rep('rules', 'PolicyRule') },
  ClusterRole: { 1: f('metadata', 'ObjectMeta'), 2: rep('rules', 'PolicyRule'), 3: f('aggregationRule', 'skip') },
  PolicyRule: {
    1: rep('verbs', 'string'),
    2: rep('apiGroups', 'string'),
    3: rep('resources', 'string'),
    4: rep('resourceNames', 'string'),
    5: rep('nonResourceURLs', 'string'),
  },
  RoleBinding: { 1: f('metadata', 'ObjectMeta'), 2: rep('subjects', 'Subject'), 3: f('roleRef', 'RoleRef') },
  ClusterRoleBinding: { 1: f('metadata', 'ObjectMeta'), 2: rep('subjects', 'Subject'), 3: f('roleRef', 'RoleRef') },
  Subject: { 1: f('kind', 'string'), 2: f('apiGroup', 'string'), 3: f('name', 'string'), 4: f('namespace', 'string') },
  RoleRef: { 1: f('apiGroup', 'string'), 2: f('kind', 'string'), 3: f('name', 'string') },
};

/** unsupported: a well-formed body the emulator's table does not cover (415), else malformed (400) */
export class ProtobufError extends Error {
  constructor(
    message: string,
    readonly unsupported = false,
  ) {
    super(message);
  }
}

const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]); // "k8s\0"

class Reader {
  pos = 0;
  constructor(
    readonly buf: Buffer,
    readonly end = buf.length,
  ) {}
  varint(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      if (this.pos >= this.end) throw new ProtobufError('truncated varint');
      const b = this.buf[this.pos++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result;
      shift += 7n;
    }
    throw new ProtobufError('varint too long');
  }
  bytes(): Buffer {
    const len = Number(this.varint());
    if (len < 0 || this.pos + len > this.end) throw new ProtobufError('length-delimited field runs past the end');
    const out = this.buf.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }
}

type Json = Record<string, unknown>;

function isEmpty(v: unknown): boolean {
  return v === undefined || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0);
}

function intOrString(m: Json): unknown {
  return m.type === 1 ? (m.strVal ?? '') : (m.intVal ?? 0);
}

function decodeMessage(buf: Buffer, type: string, path: string, depth = 0): Json {
  if (depth > 32) throw new ProtobufError('message nested too deep');
  const schema = MESSAGES[type];
  if (!schema) throw new ProtobufError(`no protobuf schema for ${type}`);
  const r = new Reader(buf);
  const out: Json = {};
  while (r.pos < r.end) {
    const key = r.varint();
    const num = Number(key >> 3n);
    const wire = Number(key & 7n);
    const field = schema[num];
    let value: unknown;
    let raw: Buffer | bigint | undefined;
    if (wire === 0) raw = r.varint();
    else if (wire === 2) raw = r.bytes();
    else if (wire === 1 || wire === 5) r.pos += wire === 1 ? 8 : 4;
    else throw new ProtobufError(`unsupported wire type ${wire} in ${type}`);
    if (r.pos > r.end) throw new ProtobufError('truncated fixed-width field');
    if (!field) {
      const zero = raw === undefined || raw === 0n || (Buffer.isBuffer(raw) && raw.length === 0);
      if (!zero)
        throw new ProtobufError(
          `field ${num} of ${type} (${path || 'object'}) is not understood by the emulator; send the object as JSON`,
          true,
        );
      continue;
    }
    if (field.type === 'skip') continue;
    const where = path ? `${path}.${field.name}` : field.name;
    if (field.type === 'string') value = Buffer.isBuffer(raw) ? raw.toString('utf8') : undefined;
    else if (field.type === 'bytes') value = Buffer.isBuffer(raw) ? raw.toString('base64') : undefined;
    else if (field.type === 'int') value = typeof raw === 'bigint' ? Number(BigInt.asIntN(64, raw)) : undefined;
    else if (field.type === 'bool') value = typeof raw === 'bigint' ? raw !== 0n : undefined;
    else if (field.type.startsWith('map<')) {
      if (!Buffer.isBuffer(raw)) throw new ProtobufError(`${where}: expected a map entry`);
      const valueType = field.type.slice('map<string,'.length, -1);
      const entry = decodeMapEntry(raw, valueType, where);
      const map = (out[field.name] ??= {}) as Json;
      map[entry[0]] = entry[1];
      continue;
    } else {
      if (!Buffer.isBuffer(raw)) throw new ProtobufError(`${where}: expected a message`);
      value = decodeMessage(raw, field.type, where, depth + 1);
      if (field.type === 'IntOrString') value = intOrString(value as Json);
    }
    if (value === undefined) throw new ProtobufError(`${where}: wrong wire type`);
    if (field.repeated) {
      ((out[field.name] ??= []) as unknown[]).push(value);
      continue;
    }
    const zero = value === '' || value === 0 || value === false;
    if (
      (zero && !field.pointer) ||
      (isEmpty(value) &&
        !['resources', 'strategy', 'securityContext', 'spec', 'template', 'metadata'].includes(field.name))
    )
      continue;
    out[field.name] = value;
  }
  return out;
}

function decodeMapEntry(buf: Buffer, valueType: string, path: string): [string, unknown] {
  const r = new Reader(buf);
  let key = '';
  let value: unknown = valueType === 'bytes' ? '' : '';
  while (r.pos < r.end) {
    const tag = r.varint();
    if (Number(tag & 7n) !== 2) throw new ProtobufError(`${path}: map entry with a non length-delimited field`);
    const b = r.bytes();
    const num = Number(tag >> 3n);
    if (num === 1) key = b.toString('utf8');
    else if (num === 2)
      value =
        valueType === 'string'
          ? b.toString('utf8')
          : valueType === 'bytes'
            ? b.toString('base64')
            : asText(decodeMessage(b, 'Quantity', path).string);
  }
  return [key, value];
}

/** A protobuf-encoded object (runtime.Unknown envelope behind the "k8s\0" magic) as the JSON object it stands for. */
export function decodeKubernetesProtobuf(body: Buffer): Json {
  if (body.length < 4 || !body.subarray(0, 4).equals(MAGIC))
    throw new ProtobufError('missing the "k8s\\0" protobuf envelope prefix');
  const unknown = decodeMessage(body.subarray(4), 'Unknown', '');
  const tm = (unknown.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
  if (!tm.kind) throw new ProtobufError('protobuf envelope without a kind');
  if (!MESSAGES[tm.kind] || tm.kind === 'Unknown' || tm.kind === 'TypeMeta')
    throw new ProtobufError(
      `protobuf bodies of kind ${tm.kind} are not understood by the emulator; send the object as JSON`,
      true,
    );
  const raw = typeof unknown.raw === 'string' ? Buffer.from(unknown.raw, 'base64') : Buffer.alloc(0);
  const obj = decodeMessage(raw, tm.kind, '');
  return { apiVersion: tm.apiVersion, kind: tm.kind, ...obj };
}
