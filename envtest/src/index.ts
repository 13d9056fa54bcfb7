// @reroll/envtest: a real control plane (etcd + kube-apiserver + kube-controller-manager) and the real
// Knative receive adapter for tests. See README.md.
export {
  findRealTierAssets,
  ENABLE_HINT,
  type RealTierAssets,
  type FoundAssets,
  type AdapterBinary,
  type AdapterVersion,
} from './find-assets';
export { startControlPlane, type ControlPlane, type StartControlPlaneOptions } from './control-plane';
export {
  connectControlPlane,
  runKubectl,
  type ControlPlaneClient,
  type ControlPlaneInfo,
  type KubectlOptions,
  type KubectlResult,
} from './control-plane-client';
export {
  startAdapter,
  sourceConfigFor,
  type StartAdapterOptions,
  type RunningAdapter,
  type AdapterResource,
} from './adapter';
export { startManagedProcess, type ManagedProcess } from './managed-process';
export { findFreePort } from './free-port';
export {
  installCrds,
  crdFile,
  renderKustomize,
  applyKustomize,
  REPO_ROOT,
  type RenderOptions,
} from './apply-manifests';
