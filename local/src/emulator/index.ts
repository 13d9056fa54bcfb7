// Public API of the Kubernetes API emulator: start it on 127.0.0.1, get a kubeconfig, use the test hooks.
import { createServer, type Server } from 'node:http';
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

export type { RequestRecord } from './request-log';
export type { Fault } from './fault-injection';
export type { WorkloadStatusMode } from './api-core';
export type { KObject } from './object-types';
export { RESOURCE_TABLE, type ResourceType } from './resource-table';
export { writeKubeconfig, renderKubeconfig, CONTEXT_NAME } from './kubeconfig';

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
  /** plug-in authentication/authorization (see rbac option, stage 4) */
  access?: AccessControl;
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
  /** fast bulk create without HTTP (tests, bench); objects need apiVersion and kind */
  seed(objects: object[]): void;
  /** the storage core, for in-process drivers (the local runner writing status) */
  core: ApiCore;
}

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const host = opts.host ?? '127.0.0.1';
  const core = new ApiCore({ workloadStatus: opts.workloadStatus, historyLimit: opts.historyLimit });
  const faults = new FaultInjector();
  const log = new RequestLog();
  const openStreams = new Set<Response>();
  let url = '';
  const app = createApp({ core, faults, log, serverAddress: () => url.replace(/^https?:\/\//, ''), access: opts.access, bookmarkIntervalMs: opts.bookmarkIntervalMs, openStreams });
  const server: Server = createServer(app);
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const kubeconfigPath = opts.kubeconfigPath ?? join(await mkdtemp(join(tmpdir(), 'reroll-emulator-')), 'kubeconfig');
  await writeKubeconfig({ path: kubeconfigPath, server: url });
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
    seed: (objects) => core.seed(objects),
  };
}
