import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // the real tier (test/real-tier/ and contract-real-apiserver.test.ts): one control plane with kube-controller-manager
    // per run when KUBEBUILDER_ASSETS is set, one skip line otherwise
    globalSetup: ['@reroll/envtest/global-setup-controllers'],
  },
});
