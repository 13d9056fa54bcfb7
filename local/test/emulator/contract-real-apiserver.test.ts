// The same contract table, through client-node and kubectl, against a REAL kube-apiserver (+
// kube-controller-manager) started by the envtest harness: the emulator's outcomes must be the
// apiserver's. Skipped with one line when KUBEBUILDER_ASSETS is unset (a clone without shared/).
import { beforeAll } from 'vitest';
import { describeRealTier, useControlPlane } from '@reroll/envtest/vitest';
import { crdFile, installCrds } from '@reroll/envtest';
import { runContractOnRealApiserver } from './contract/run-contract';
import { clientNodeDriver } from './contract/client-node-driver';
import { kubectlDriver } from './contract/kubectl-driver';

describeRealTier(
  'emulator contract',
  () => {
    const cp = useControlPlane();
    beforeAll(async () => {
      // a bare apiserver serves no Knative or Istio kinds: install the CRDs the emulator serves
      await installCrds(cp, [
        crdFile('serving.knative.dev', 'services'),
        crdFile('serving.knative.dev', 'configurations'),
        crdFile('serving.knative.dev', 'revisions'),
        crdFile('serving.knative.dev', 'routes'),
        crdFile('sources.knative.dev', 'apiserversources'),
        crdFile('sources.knative.dev', 'pingsources'),
        crdFile('networking.istio.io', 'gateways'),
        crdFile('networking.istio.io', 'virtualservices'),
      ]);
    }, 120_000);
    runContractOnRealApiserver(() => cp, [clientNodeDriver, kubectlDriver], 90_000);
  },
  { controllerManager: true },
);
