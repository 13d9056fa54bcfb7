// Where the real binaries are, found the way controller-runtime's envtest finds them:
// KUBEBUILDER_ASSETS names a folder with etcd and kube-apiserver (setup-envtest's layout), and
// REROLL_ADAPTER_BIN the Knative receive adapter (a folder holding both builds, or one file).
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

export type AdapterVersion = '1.12.6' | '1.8.8';

export interface AdapterBinary {
  version: AdapterVersion;
  bin: string;
}

export interface RealTierAssets {
  assetsDir: string;
  etcd: string;
  kubeApiserver: string;
  /** present when the assets folder also holds kube-controller-manager */
  controllerManager?: string;
  /** empty when REROLL_ADAPTER_BIN is unset */
  adapters: AdapterBinary[];
}

export type FoundAssets = RealTierAssets | { skipReason: string };

/** The one line printed when the tier is skipped: it says how to turn it on. */
export const ENABLE_HINT =
  'set KUBEBUILDER_ASSETS to a folder with etcd and kube-apiserver (and REROLL_ADAPTER_BIN to the Knative apiserver_receive_adapter) to run it';

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

// The file name says the version: the shared folder keeps v1.8.8 as `apiserver_receive_adapter-v1.8.8`
// and the newest build as plain `apiserver_receive_adapter` (v1.12.6).
function versionOf(file: string): AdapterVersion {
  return /1\.8\.\d+/.test(path.basename(file)) ? '1.8.8' : '1.12.6';
}

function findAdapters(value: string): AdapterBinary[] | string {
  const resolved = path.resolve(value);
  let isDir: boolean;
  try {
    isDir = statSync(resolved).isDirectory();
  } catch {
    return `REROLL_ADAPTER_BIN=${value} does not exist`;
  }
  if (!isDir) {
    if (!isExecutable(resolved)) return `REROLL_ADAPTER_BIN=${value} is not an executable file`;
    return [{ version: versionOf(resolved), bin: resolved }];
  }
  const adapters: AdapterBinary[] = [];
  for (const name of ['apiserver_receive_adapter', 'apiserver_receive_adapter-v1.8.8']) {
    const file = path.join(resolved, name);
    if (isExecutable(file)) adapters.push({ version: versionOf(file), bin: file });
  }
  return adapters.length > 0 ? adapters : `REROLL_ADAPTER_BIN=${value} holds no apiserver_receive_adapter`;
}

export function findRealTierAssets(env: Record<string, string | undefined>): FoundAssets {
  const assets = env.KUBEBUILDER_ASSETS;
  if (!assets) return { skipReason: `KUBEBUILDER_ASSETS is unset: ${ENABLE_HINT}` };
  const assetsDir = path.resolve(assets);
  const etcd = path.join(assetsDir, 'etcd');
  const kubeApiserver = path.join(assetsDir, 'kube-apiserver');
  for (const file of [etcd, kubeApiserver]) {
    if (!isExecutable(file))
      return { skipReason: `KUBEBUILDER_ASSETS=${assets} has no executable ${path.basename(file)}: ${ENABLE_HINT}` };
  }
  const kcm = path.join(assetsDir, 'kube-controller-manager');
  let adapters: AdapterBinary[] = [];
  if (env.REROLL_ADAPTER_BIN) {
    const found = findAdapters(env.REROLL_ADAPTER_BIN);
    if (typeof found === 'string') return { skipReason: `${found}: ${ENABLE_HINT}` };
    adapters = found;
  }
  return { assetsDir, etcd, kubeApiserver, ...(isExecutable(kcm) ? { controllerManager: kcm } : {}), adapters };
}
