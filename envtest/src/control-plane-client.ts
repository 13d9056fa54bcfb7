// What a test needs from a running control plane, rebuilt from plain data (ControlPlaneInfo) so a
// vitest worker can use the control plane the globalSetup started in another process.
import { CoreV1Api, KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { buildKubeConfig, writeKubeconfigFile } from './kubeconfig-files';

/** Serializable: what globalSetup provides to the test files. */
export interface ControlPlaneInfo {
  /** https://127.0.0.1:<port> */
  server: string;
  /** the CA that signed the serving cert (and every client cert) */
  caFile: string;
  /** admin (group system:masters) kubeconfig path */
  adminKubeconfig: string;
  /** the apiserver's audit log (JSON lines, level Metadata, one line per finished request) */
  auditLog: string;
  /** the run's temp dir: kubeconfigs written here are removed with it */
  dir: string;
  controllerManager: boolean;
}

export interface KubectlOptions {
  /** default: the admin kubeconfig */
  kubeconfig?: string;
  /** written to kubectl's stdin (for `apply -f -`) */
  input?: string;
  /** resolve with a non-zero exit code instead of throwing */
  allowFailure?: boolean;
  timeoutMs?: number;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** the fields of an audit.k8s.io/v1 Event this harness reads */
export interface AuditEvent {
  verb: string;
  requestURI: string;
  user: { username: string; groups?: string[] };
  objectRef?: { resource?: string; namespace?: string; name?: string; apiGroup?: string };
  responseStatus?: { code?: number };
}

export interface ControlPlaneClient extends ControlPlaneInfo {
  /** every request the apiserver finished so far, from its audit log */
  auditEvents(): Promise<AuditEvent[]>;
  /** admin KubeConfig for client-node */
  kubeConfig: KubeConfig;
  /** a ServiceAccount token from the TokenRequest API (the SA must exist) */
  tokenFor(namespace: string, serviceAccount: string, expirationSeconds?: number): Promise<string>;
  /** writes a kubeconfig that authenticates with `token`; returns its path */
  kubeconfigFor(token: string, namespace?: string): Promise<string>;
  /** KubeConfig for client-node that authenticates with `token` */
  kubeConfigFor(token: string, namespace?: string): KubeConfig;
  kubectl(args: string[], options?: KubectlOptions): Promise<KubectlResult>;
  /** a namespace named `<prefix>-<random>`, for one test's isolation */
  createNamespace(prefix: string, labels?: Record<string, string>): Promise<string>;
  /** deletes it (it stays Terminating without the controller manager, which harms nobody) */
  deleteNamespace(name: string): Promise<void>;
}

export function runKubectl(
  adminKubeconfig: string,
  args: string[],
  options: KubectlOptions = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('kubectl', ['--kubeconfig', options.kubeconfig ?? adminKubeconfig, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      const result = { code: code ?? -1, stdout, stderr };
      if (result.code !== 0 && !options.allowFailure) {
        reject(new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${stderr.trim()}`));
      } else resolve(result);
    });
    child.stdin.end(options.input ?? '');
  });
}

export function connectControlPlane(info: ControlPlaneInfo): ControlPlaneClient {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(info.adminKubeconfig);
  const core = kubeConfig.makeApiClient(CoreV1Api);
  const kubeConfigFor = (token: string, namespace?: string) =>
    buildKubeConfig(info.server, info.caFile, { name: 'token-user', token }, namespace);
  return {
    ...info,
    kubeConfig,
    async tokenFor(namespace, serviceAccount, expirationSeconds = 3600) {
      const answer = await core.createNamespacedServiceAccountToken({
        name: serviceAccount,
        namespace,
        body: { spec: { audiences: [], expirationSeconds } },
      });
      const token = answer.status?.token;
      if (!token) throw new Error(`TokenRequest for ${namespace}/${serviceAccount} returned no token`);
      return token;
    },
    async auditEvents() {
      const text = await readFile(info.auditLog, 'utf8').catch(() => '');
      return text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as AuditEvent);
    },
    kubeConfigFor,
    async kubeconfigFor(token, namespace) {
      const file = path.join(info.dir, `kubeconfig-${randomBytes(6).toString('hex')}`);
      return writeKubeconfigFile(file, kubeConfigFor(token, namespace));
    },
    kubectl: (args, options) => runKubectl(info.adminKubeconfig, args, options),
    async createNamespace(prefix, labels) {
      const name = `${prefix}-${randomBytes(3).toString('hex')}`.slice(0, 63);
      const body: V1Namespace = { metadata: { name, ...(labels ? { labels } : {}) } };
      await core.createNamespace({ body });
      return name;
    },
    async deleteNamespace(name) {
      await core.deleteNamespace({ name }).catch(() => undefined);
    },
  };
}
