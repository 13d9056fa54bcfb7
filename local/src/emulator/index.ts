// Public API of the Kubernetes API emulator: start it on 127.0.0.1, get a kubeconfig, use the test hooks.
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { EMULATOR_TLS_CERT, EMULATOR_TLS_KEY } from './tls-cert';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'express';
import { ApiCore, type WorkloadStatusMode } from './api-core';
import { createApp, type AccessControl } from './http-app';
import { FaultInjector, type Fault } from './fault-injection';
import { RequestLog, type RequestRecord } from './request-log';
import { writeKubeconfig } from './kubeconfig';
import { RbacAuthorizer, userInfoFor } from './rbac-authorizer';
import { unauthorized } from './status-errors';
import { randomBytes } from 'node:crypto';
import type { PodLogSource } from './pod-logs';
import { dirname } from 'node:path';

export type { RequestRecord } from './request-log';
export type { Fault } from './fault-injection';
export type { WorkloadStatusMode } from './api-core';
export type { KObject } from './object-types';
export { RESOURCE_TABLE, type ResourceType } from './resource-table';
import { RESOURCE_TABLE, crdNameOf, servedTable } from './resource-table';
export { writeKubeconfig, renderKubeconfig, CONTEXT_NAME } from './kubeconfig';
export { settledStatus } from './workload-status';
export type { PodLogLine, PodLogRequest, PodLogSource, PodLogStream } from './pod-logs';

export interface EmulatorOptions {
  /** 0 (default) = any free port */
  port?: number;
  host?: string;
  /** where to write the kubeconfig (default: a new temp dir) */
  kubeconfigPath?: string;
  /** 'immediate' (default): workload status catches up on every write; 'external': someone writes /status */
  workloadStatus?: WorkloadStatusMode;
  /** how many write events watches can replay from (older resourceVersions get 410 Expired) */
  historyLimit?: number;
  /** BOOKMARK interval for watches with allowWatchBookmarks (default 30 s) */
  bookmarkIntervalMs?: number;
  /**
   * 'rbac': bearer tokens map to users and the stored Roles/ClusterRoles/(Cluster)RoleBindings
   * decide, with the apiserver's 403 Forbidden. The default kubeconfig carries an admin token
   * (group system:masters); `emulator.writeKubeconfig({ user })` makes one for any other user.
   */
  authorization?: 'rbac';
  /**
   * serve HTTPS with a fixed self-signed certificate (clients skip verification through the
   * kubeconfig). On by default with `authorization: 'rbac'`: kubectl sends tokens only over TLS.
   */
  tls?: boolean;
  /**
   * Pods' DELETE sets deletionTimestamp and keeps the pod (Terminating) until whoever runs it deletes
   * it again with gracePeriodSeconds=0, as the kubelet does. Off by default: nothing runs pods then.
   */
  gracefulPodDeletion?: boolean;
  /** plug in another authentication/authorization (overrides `authorization`) */
  access?: AccessControl;
  /**
   * optional CRDs to serve from the start, by name (`rollouts.argoproj.io`): kinds most clusters
   * lack are not served unless asked, so a test chooses whether the cluster has them
   */
  crds?: string[];
}

export interface UserKubeconfigOptions {
  /** e.g. `system:serviceaccount:demo:reroll-restart` */
  user: string;
  /** default: a new random token */
  token?: string;
  /** default: next to the emulator's own kubeconfig, named after the user */
  path?: string;
  namespace?: string;
  groups?: string[];
}

export interface Emulator {
  url: string;
  port: number;
  kubeconfigPath: string;
  /** closes watches and the server */
  stop(): Promise<void>;
  requests(): RequestRecord[];
  clearRequests(): void;
  inject(fault: Fault): void;
  clearFaults(): void;
  /** how many requests the injected faults still wait for (a test knows its faulted requests have arrived) */
  pendingFaults(): number;
  /** fast bulk create without HTTP (tests, bench); objects need apiVersion and kind */
  seed(objects: object[]): void;
  /** the storage core, for in-process drivers (the local runner writing status) */
  core: ApiCore;
  /** RBAC mode: the token of the admin user in the default kubeconfig (undefined otherwise) */
  adminToken?: string;
  /** serve pods/log from this source (the local runner's process output) */
  setPodLogSource(source: PodLogSource | undefined): void;
  /** register a bearer token for a user and write a kubeconfig that uses it; returns its path */
  writeKubeconfig(opts: UserKubeconfigOptions): Promise<string>;
  /** start serving an optional CRD (`rollouts.argoproj.io`), as `kubectl apply -f crds/...` would on a cluster */
  installCrd(name: string): void;
}

export const ADMIN_USER = 'kubernetes-admin';

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const core = new ApiCore({
    workloadStatus: opts.workloadStatus,
    historyLimit: opts.historyLimit,
    gracefulPodDeletion: opts.gracefulPodDeletion,
  });
  let podLogSource: PodLogSource | undefined;
  const faults = new FaultInjector();
  const log = new RequestLog();
  const openStreams = new Set<Response>();
  let url = '';
  const tokens = new Map<string, { user: string; groups: string[] }>();
  const adminToken = opts.authorization === 'rbac' ? randomBytes(24).toString('base64url') : undefined;
  if (adminToken) tokens.set(adminToken, { user: ADMIN_USER, groups: ['system:masters'] });
  const rbac = new RbacAuthorizer(core.store);
  const optional = new Set(RESOURCE_TABLE.filter((t) => t.optionalCrd).map(crdNameOf));
  const installed = new Set<string>();
  const install = (name: string) => {
    if (!optional.has(name))
      throw new Error(`${JSON.stringify(name)} is not an optional CRD of the emulator (${[...optional].join(', ')})`);
    installed.add(name);
    table = servedTable(installed);
  };
  let table = servedTable(installed);
  for (const name of opts.crds ?? []) install(name);
  const access: AccessControl | undefined =
    opts.access ??
    (opts.authorization === 'rbac'
      ? {
          authenticate(header) {
            if (!header) return 'system:anonymous';
            const m = /^Bearer\s+(\S+)$/i.exec(header);
            const known = m ? tokens.get(m[1]!) : undefined;
            return known ? known.user : unauthorized();
          },
          authorize(user, attrs) {
            const entry = [...tokens.values()].find((t) => t.user === user);
            return rbac.check(userInfoFor(user, entry?.groups), attrs);
          },
        }
      : undefined);
  const app = createApp({
    core,
    faults,
    log,
    serverAddress: () => url.replace(/^https?:\/\//, ''),
    access,
    bookmarkIntervalMs: opts.bookmarkIntervalMs,
    podLogs: () => podLogSource,
    openStreams,
    table: () => table,
  });
  const tls = opts.tls ?? opts.authorization === 'rbac';
  const server: Server = tls
    ? createTlsServer({ cert: EMULATOR_TLS_CERT, key: EMULATOR_TLS_KEY }, app)
    : createServer(app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  url = `${tls ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfigPath = opts.kubeconfigPath ?? join(await mkdtemp(join(tmpdir(), 'reroll-emulator-')), 'kubeconfig');
  await writeKubeconfig({
    path: kubeconfigPath,
    server: url,
    ...(adminToken ? { token: adminToken, user: ADMIN_USER } : {}),
  });
  let stopped: Promise<void> | undefined;
  return {
    url,
    port,
    kubeconfigPath,
    core,
    stop() {
      stopped ??= new Promise<void>((resolve) => {
        for (const res of openStreams) res.end();
        openStreams.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopped;
    },
    requests: () => log.all(),
    clearRequests: () => log.clear(),
    inject: (f) => faults.inject(f),
    clearFaults: () => faults.clear(),
    pendingFaults: () => faults.pending(),
    seed: (objects) => core.seed(objects),
    adminToken,
    installCrd: install,
    setPodLogSource(source) {
      podLogSource = source;
    },
    async writeKubeconfig(o) {
      const token = o.token ?? randomBytes(24).toString('base64url');
      tokens.set(token, { user: o.user, groups: o.groups ?? [] });
      const path = o.path ?? join(dirname(kubeconfigPath), `kubeconfig-${o.user.replace(/[^A-Za-z0-9_.-]+/g, '_')}`);
      return writeKubeconfig({ path, server: url, token, user: o.user, namespace: o.namespace });
    },
  };
}
