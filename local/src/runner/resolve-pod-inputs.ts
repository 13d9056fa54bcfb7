// What a kubelet would hand one container of a pod template: its environment and the files of its
// volume mounts, computed from the ConfigMaps and Secrets as they are now. Pure: the caller fetches
// the objects and writes the files.
//
// The one liberty: a container's absolute mount paths (`/etc/hello`) are mapped under a per-pod
// local directory (`<podDir>/etc/hello`), and env values that point into a mount path are rewritten
// to the mapped path, so a process that is told `MESSAGE_FILE=/etc/hello/MESSAGE` finds the file.
import { posix } from 'node:path';
import type {
  ConfigMapLike,
  Container,
  EnvVar,
  KeyToPath,
  PodTemplate,
  SecretLike,
  Volume,
  VolumeMount,
} from './kube-shapes';

export interface PodInputsRequest {
  template: PodTemplate;
  /** Which container; the first one when omitted. */
  containerName?: string;
  configMaps: ReadonlyMap<string, ConfigMapLike>;
  secrets: ReadonlyMap<string, SecretLike>;
  /** Absolute local directory that stands for the container's root filesystem. */
  podDir: string;
  /** Values for fieldRef: the pod's own name and namespace. */
  podName: string;
  namespace: string;
}

export interface PodFile {
  /** Absolute local path (under podDir). */
  path: string;
  content: Buffer;
}

export interface PodInputs {
  env: Record<string, string>;
  files: PodFile[];
  /** Local directories to create even when empty (mount points, emptyDir). */
  dirs: string[];
  /** What stops the container from starting, as a kubelet would report it (CreateContainerConfigError). */
  errors: string[];
  /** Things the local runner does not emulate; the container still starts. */
  warnings: string[];
}

type DataSource = { kind: 'configmap' | 'secret'; name: string };

/** Resolves env and mounted files for one container of a pod template. */
export function resolvePodInputs(req: PodInputsRequest): PodInputs {
  const out: PodInputs = { env: {}, files: [], dirs: [], errors: [], warnings: [] };
  const containers = req.template.spec?.containers ?? [];
  const container = req.containerName ? containers.find((c) => c.name === req.containerName) : containers[0];
  if (!container) {
    out.errors.push(
      req.containerName
        ? `container "${req.containerName}" not found in the pod template`
        : 'the pod template has no containers',
    );
    return out;
  }
  const mounts = resolveMounts(req, container, out);
  resolveEnv(req, container, out);
  rewriteEnvIntoMounts(out.env, mounts);
  return out;
}

function readData(req: PodInputsRequest, src: DataSource): Map<string, Buffer> | undefined {
  if (src.kind === 'configmap') {
    const cm = req.configMaps.get(src.name);
    if (!cm) return undefined;
    const data = new Map<string, Buffer>();
    for (const [k, v] of Object.entries(cm.data ?? {})) data.set(k, Buffer.from(String(v), 'utf8'));
    for (const [k, v] of Object.entries(cm.binaryData ?? {})) data.set(k, Buffer.from(String(v), 'base64'));
    return data;
  }
  const secret = req.secrets.get(src.name);
  if (!secret) return undefined;
  const data = new Map<string, Buffer>();
  for (const [k, v] of Object.entries(secret.data ?? {})) data.set(k, Buffer.from(String(v), 'base64'));
  // The API server folds stringData into data; an emulator might not, so honour it here too.
  for (const [k, v] of Object.entries(secret.stringData ?? {})) data.set(k, Buffer.from(String(v), 'utf8'));
  return data;
}

function describe(src: DataSource): string {
  return `${src.kind === 'configmap' ? 'configmap' : 'secret'} "${src.name}"`;
}

function resolveEnv(req: PodInputsRequest, container: Container, out: PodInputs): void {
  // envFrom first, then env: an explicit env entry wins over an imported key (kubelet's order).
  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const src: DataSource = { kind: from.configMapRef ? 'configmap' : 'secret', name: ref.name ?? '' };
    const data = readData(req, src);
    if (!data) {
      if (!ref.optional) out.errors.push(`envFrom: ${describe(src)} not found`);
      continue;
    }
    for (const [key, value] of data) out.env[`${from.prefix ?? ''}${key}`] = value.toString('utf8');
  }
  for (const v of container.env ?? []) {
    const value = resolveEnvVar(req, v, out);
    if (value !== undefined) out.env[v.name] = expandReferences(value, out.env);
  }
}

function resolveEnvVar(req: PodInputsRequest, v: EnvVar, out: PodInputs): string | undefined {
  if (!v.valueFrom) return v.value ?? '';
  const { configMapKeyRef, secretKeyRef, fieldRef, resourceFieldRef } = v.valueFrom;
  const keyRef = configMapKeyRef ?? secretKeyRef;
  if (keyRef) {
    const src: DataSource = { kind: configMapKeyRef ? 'configmap' : 'secret', name: keyRef.name ?? '' };
    const data = readData(req, src);
    const value = data?.get(keyRef.key);
    if (value === undefined) {
      if (!keyRef.optional) {
        out.errors.push(
          data
            ? `env ${v.name}: key "${keyRef.key}" not found in ${describe(src)}`
            : `env ${v.name}: ${describe(src)} not found`,
        );
      }
      return undefined;
    }
    return value.toString('utf8');
  }
  if (fieldRef) return resolveFieldRef(req, v.name, fieldRef.fieldPath, out);
  if (resourceFieldRef) {
    out.warnings.push(`env ${v.name}: resourceFieldRef ${resourceFieldRef.resource} is not emulated; left unset`);
    return undefined;
  }
  return v.value ?? '';
}

function resolveFieldRef(req: PodInputsRequest, name: string, path: string, out: PodInputs): string | undefined {
  const meta = req.template.metadata ?? {};
  const label = /^metadata\.labels\['(.+)'\]$/.exec(path);
  if (label) return meta.labels?.[label[1] ?? ''] ?? '';
  const annotation = /^metadata\.annotations\['(.+)'\]$/.exec(path);
  if (annotation) return meta.annotations?.[annotation[1] ?? ''] ?? '';
  const fixed: Record<string, string> = {
    'metadata.name': req.podName,
    'metadata.namespace': req.namespace,
    'spec.nodeName': 'localhost',
    'spec.serviceAccountName': 'default',
    'status.podIP': '127.0.0.1',
    'status.hostIP': '127.0.0.1',
  };
  if (path in fixed) return fixed[path];
  out.warnings.push(`env ${name}: fieldRef ${path} is not emulated; left unset`);
  return undefined;
}

/** `$(VAR)` expands to an earlier variable, `$$(VAR)` escapes it; unknown references stay as written. */
function expandReferences(value: string, env: Record<string, string>): string {
  return value.replace(/\$\$|\$\(([A-Za-z_][A-Za-z0-9_.-]*)\)/g, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && name in env ? (env[name] as string) : match;
  });
}

interface MappedMount {
  mountPath: string;
  localPath: string;
}

function resolveMounts(req: PodInputsRequest, container: Container, out: PodInputs): MappedMount[] {
  const volumes = new Map((req.template.spec?.volumes ?? []).map((v) => [v.name, v]));
  const mapped: MappedMount[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const problem = checkMountPath(mount);
    if (problem) {
      out.errors.push(problem);
      continue;
    }
    const localPath = posix.join(req.podDir, mount.mountPath);
    const volume = volumes.get(mount.name);
    if (!volume) {
      out.errors.push(`volumeMount ${mount.mountPath}: volume "${mount.name}" is not defined in the pod template`);
      continue;
    }
    const files = volumeFiles(req, volume, out);
    if (!files) continue;
    mapped.push({ mountPath: posix.normalize(mount.mountPath), localPath });
    if (mount.subPath) {
      const file = files.get(posix.normalize(mount.subPath));
      if (file) out.files.push({ path: localPath, content: file });
      // A subPath that names nothing becomes an empty directory, as with a kubelet.
      else out.dirs.push(localPath);
      continue;
    }
    out.dirs.push(localPath);
    for (const [rel, content] of files) out.files.push({ path: posix.join(localPath, rel), content });
  }
  return mapped;
}

function checkMountPath(mount: VolumeMount): string | undefined {
  if (!mount.mountPath || !mount.mountPath.startsWith('/')) {
    return `volumeMount "${mount.name}": mountPath must be absolute, got "${mount.mountPath ?? ''}"`;
  }
  if (mount.mountPath.split('/').includes('..') || (mount.subPath ?? '').split('/').includes('..')) {
    return `volumeMount "${mount.name}": ".." is not allowed in mountPath or subPath`;
  }
  return undefined;
}

/** The files a volume holds, by path relative to its mount point; undefined when it cannot mount. */
function volumeFiles(req: PodInputsRequest, volume: Volume, out: PodInputs): Map<string, Buffer> | undefined {
  const files = new Map<string, Buffer>();
  if (volume.configMap || volume.secret) {
    const src: DataSource = volume.configMap
      ? { kind: 'configmap', name: volume.configMap.name ?? '' }
      : { kind: 'secret', name: volume.secret?.secretName ?? '' };
    const spec = volume.configMap ?? volume.secret;
    if (!addProjection(req, src, spec?.items, spec?.optional, `volume "${volume.name}"`, files, out)) return undefined;
    return files;
  }
  if (volume.projected) {
    for (const source of volume.projected.sources ?? []) {
      if (source.configMap || source.secret) {
        const ref = source.configMap ?? source.secret;
        const src: DataSource = { kind: source.configMap ? 'configmap' : 'secret', name: ref?.name ?? '' };
        if (!addProjection(req, src, ref?.items, ref?.optional, `volume "${volume.name}"`, files, out)) {
          return undefined;
        }
      } else {
        out.warnings.push(`volume "${volume.name}": only configMap and secret projections are emulated`);
      }
    }
    return files;
  }
  if (volume.emptyDir !== undefined) return files;
  out.warnings.push(`volume "${volume.name}": this volume type is not emulated; mounted as an empty directory`);
  return files;
}

function addProjection(
  req: PodInputsRequest,
  src: DataSource,
  items: KeyToPath[] | undefined,
  optional: boolean | undefined,
  where: string,
  files: Map<string, Buffer>,
  out: PodInputs,
): boolean {
  const data = readData(req, src);
  if (!data) {
    if (optional) return true;
    out.errors.push(`${where}: ${describe(src)} not found`);
    return false;
  }
  if (!items || items.length === 0) {
    for (const [key, value] of data) files.set(key, value);
    return true;
  }
  for (const item of items) {
    const value = data.get(item.key);
    if (value === undefined) {
      if (optional) continue;
      out.errors.push(`${where}: key "${item.key}" not found in ${describe(src)}`);
      return false;
    }
    const rel = posix.normalize(item.path);
    if (rel.startsWith('/') || rel.split('/').includes('..')) {
      out.errors.push(`${where}: item path "${item.path}" must be relative and stay inside the volume`);
      return false;
    }
    files.set(rel, value);
  }
  return true;
}

function rewriteEnvIntoMounts(env: Record<string, string>, mounts: MappedMount[]): void {
  // Longest mount path first, so /etc/hello/extra wins over /etc/hello.
  const ordered = [...mounts].sort((a, b) => b.mountPath.length - a.mountPath.length);
  for (const [name, value] of Object.entries(env)) {
    const mount = ordered.find((m) => value === m.mountPath || value.startsWith(`${m.mountPath}/`));
    if (mount) env[name] = mount.localPath + value.slice(mount.mountPath.length);
  }
}

/** The ConfigMaps and Secrets one container of a template reads, so the caller can fetch just those. */
export function listReferencedObjects(
  template: PodTemplate,
  containerName?: string,
): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  const containers = template.spec?.containers ?? [];
  const container = containerName ? containers.find((c) => c.name === containerName) : containers[0];
  for (const from of container?.envFrom ?? []) {
    if (from.configMapRef?.name) configMaps.add(from.configMapRef.name);
    if (from.secretRef?.name) secrets.add(from.secretRef.name);
  }
  for (const v of container?.env ?? []) {
    if (v.valueFrom?.configMapKeyRef?.name) configMaps.add(v.valueFrom.configMapKeyRef.name);
    if (v.valueFrom?.secretKeyRef?.name) secrets.add(v.valueFrom.secretKeyRef.name);
  }
  const mounted = new Set((container?.volumeMounts ?? []).map((m) => m.name));
  for (const volume of template.spec?.volumes ?? []) {
    if (!mounted.has(volume.name)) continue;
    if (volume.configMap?.name) configMaps.add(volume.configMap.name);
    if (volume.secret?.secretName) secrets.add(volume.secret.secretName);
    for (const source of volume.projected?.sources ?? []) {
      if (source.configMap?.name) configMaps.add(source.configMap.name);
      if (source.secret?.name) secrets.add(source.secret.name);
    }
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}
