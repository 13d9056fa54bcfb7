// etcd + kube-apiserver (+ kube-controller-manager) on 127.0.0.1 over TLS, RBAC on, ServiceAccount
// tokens through TokenRequest; certificates made at run time. One start costs seconds, so a test run
// starts one (vitest globalSetup) and each test works in namespaces of its own.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeCertificates } from './certificates';
import { findFreePort } from './free-port';
import { baseEnv, startManagedProcess, type ManagedProcess } from './managed-process';
import { buildKubeConfig, writeKubeconfigFile } from './kubeconfig-files';
import { connectControlPlane, type ControlPlaneClient, type ControlPlaneInfo } from './control-plane-client';
import type { RealTierAssets } from './find-assets';

export interface StartControlPlaneOptions {
  assets: RealTierAssets;
  /** also run kube-controller-manager (ReplicaSets, namespace deletion, garbage collection) */
  controllerManager?: boolean;
  /** how long to wait for /readyz (default 90 s: two shared cores) */
  readyTimeoutMs?: number;
}

export interface ControlPlane extends ControlPlaneClient {
  /** the processes, for tests that check they are gone after stop() */
  processes(): ManagedProcess[];
  /** kills etcd, the apiserver and the controller manager; removes the temp dir */
  stop(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function probe(url: string, tls?: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<number> {
  return new Promise((resolve) => {
    const req = request(url, { method: 'GET', timeout: 2000, agent: false, ...(tls ?? {}) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

async function probeHttp(url: string): Promise<number> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return res.status;
  } catch {
    return 0;
  }
}

async function waitHealthy(what: ManagedProcess, check: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (what.hasExited())
      throw new Error(
        `${what.name} exited (${await what.exited}) while starting:\n${what.output().slice(-20).join('\n')}`,
      );
    if (await check()) return;
    await sleep(200);
  }
  throw new Error(
    `${what.name} not healthy within ${Math.round(timeoutMs / 1000)} s:\n${what.output().slice(-20).join('\n')}`,
  );
}

export async function startControlPlane(options: StartControlPlaneOptions): Promise<ControlPlane> {
  const { assets } = options;
  const timeout = options.readyTimeoutMs ?? 90_000;
  const dir = await mkdtemp(path.join(tmpdir(), 'reroll-envtest-'));
  const started: ManagedProcess[] = [];
  const stopAll = async () => {
    // reverse order: the controller manager and apiserver go before the etcd they depend on
    for (const p of [...started].reverse()) await p.stop(10_000);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const certs = await makeCertificates(dir);
    // An audit log at Metadata level: the apiserver's own record of every request and its status, so
    // a suite can assert "no 403 anywhere" from the server's side, whoever made the request.
    const auditPolicy = path.join(dir, 'audit-policy.yaml');
    const auditLog = path.join(dir, 'audit.log');
    await writeFile(
      auditPolicy,
      'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n  - level: Metadata\n',
    );
    const [etcdClient, etcdPeer, apiPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
    const etcdUrl = `http://127.0.0.1:${etcdClient}`;
    const peerUrl = `http://127.0.0.1:${etcdPeer}`;
    const etcd = startManagedProcess(
      'etcd',
      assets.etcd,
      [
        '--data-dir',
        path.join(dir, 'etcd'),
        '--listen-client-urls',
        etcdUrl,
        '--advertise-client-urls',
        etcdUrl,
        '--listen-peer-urls',
        peerUrl,
        '--initial-advertise-peer-urls',
        peerUrl,
        '--initial-cluster',
        `default=${peerUrl}`,
      ],
      baseEnv(),
    );
    started.push(etcd);
    await waitHealthy(etcd, async () => (await probeHttp(`${etcdUrl}/health`)) === 200, timeout);

    const apiserver = startManagedProcess(
      'kube-apiserver',
      assets.kubeApiserver,
      [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        '--endpoint-reconciler-type=none',
        `--tls-cert-file=${certs.serverCert}`,
        `--tls-private-key-file=${certs.serverKey}`,
        `--client-ca-file=${certs.caCert}`,
        '--authorization-mode=RBAC',
        '--service-cluster-ip-range=10.96.0.0/16',
        '--service-account-issuer=https://kubernetes.default.svc',
        `--service-account-key-file=${certs.serviceAccountPub}`,
        `--service-account-signing-key-file=${certs.serviceAccountKey}`,
        `--audit-policy-file=${auditPolicy}`,
        `--audit-log-path=${auditLog}`,
        '--audit-log-format=json',
        '--audit-log-mode=blocking',
      ],
      baseEnv(),
    );
    started.push(apiserver);
    const server = `https://127.0.0.1:${apiPort}`;
    const tls = {
      ca: readFileSync(certs.caCert),
      cert: readFileSync(certs.adminCert),
      key: readFileSync(certs.adminKey),
    };
    await waitHealthy(apiserver, async () => (await probe(`${server}/readyz`, tls)) === 200, timeout);

    const adminKc = buildKubeConfig(server, certs.caCert, {
      name: 'admin',
      certFile: certs.adminCert,
      keyFile: certs.adminKey,
    });
    const adminKubeconfig = await writeKubeconfigFile(path.join(dir, 'admin.kubeconfig'), adminKc);

    if (options.controllerManager) {
      if (!assets.controllerManager)
        throw new Error(`controllerManager requested but ${assets.assetsDir} has no kube-controller-manager`);
      const kcm = startManagedProcess(
        'kube-controller-manager',
        assets.controllerManager,
        [
          `--kubeconfig=${adminKubeconfig}`,
          '--bind-address=127.0.0.1',
          '--secure-port=0',
          `--service-account-private-key-file=${certs.serviceAccountKey}`,
          `--root-ca-file=${certs.caCert}`,
          '--use-service-account-credentials=true',
          '--controllers=*',
          '--leader-elect=false',
        ],
        baseEnv(),
      );
      started.push(kcm);
      await kcm.waitForLine(/Started|Starting (controller|informers|workers)/i, timeout);
    }

    const info: ControlPlaneInfo = {
      server,
      caFile: certs.caCert,
      adminKubeconfig,
      auditLog,
      dir,
      controllerManager: Boolean(options.controllerManager),
    };
    const client = connectControlPlane(info);
    let stopping: Promise<void> | undefined;
    return {
      ...client,
      processes: () => [...started],
      stop: () => (stopping ??= stopAll()),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}
