// The narrow slices of Kubernetes JSON the runner reads. Watches and lists hand back plain JSON, so
// these are loose on purpose: every field is optional and checked where it is used.

export interface Meta {
  name?: string;
  namespace?: string;
  uid?: string;
  deletionTimestamp?: string;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }[];
  generation?: number;
  resourceVersion?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: Meta;
  [key: string]: unknown;
}

export interface KeyToPath {
  key: string;
  path: string;
  mode?: number;
}

export interface ConfigMapLike extends KubeObject {
  data?: Record<string, string>;
  binaryData?: Record<string, string>;
}

export interface SecretLike extends KubeObject {
  data?: Record<string, string>;
  stringData?: Record<string, string>;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    configMapKeyRef?: { name?: string; key: string; optional?: boolean };
    secretKeyRef?: { name?: string; key: string; optional?: boolean };
    fieldRef?: { fieldPath: string };
    resourceFieldRef?: { resource: string };
  };
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name?: string; optional?: boolean };
  secretRef?: { name?: string; optional?: boolean };
}

export interface VolumeMount {
  name: string;
  mountPath: string;
  subPath?: string;
  readOnly?: boolean;
}

export interface Container {
  name: string;
  image?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  volumeMounts?: VolumeMount[];
}

export interface VolumeProjection {
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  secret?: { name?: string; items?: KeyToPath[]; optional?: boolean };
  downwardAPI?: unknown;
  serviceAccountToken?: unknown;
}

export interface Volume {
  name: string;
  configMap?: { name?: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  secret?: { secretName?: string; items?: KeyToPath[]; optional?: boolean; defaultMode?: number };
  projected?: { sources?: VolumeProjection[]; defaultMode?: number };
  emptyDir?: unknown;
}

export interface PodTemplate {
  metadata?: Meta;
  spec?: {
    containers?: Container[];
    initContainers?: Container[];
    volumes?: Volume[];
  };
}

export interface DeploymentLike extends KubeObject {
  spec?: {
    replicas?: number;
    revisionHistoryLimit?: number;
    strategy?: unknown;
    selector?: { matchLabels?: Record<string, string> };
    template?: PodTemplate;
  };
  status?: Record<string, unknown>;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `namespace/name`, the key every cache in the runner uses. */
export function objectKey(obj: KubeObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}
