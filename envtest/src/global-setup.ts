// `globalSetup: ['@reroll/envtest/global-setup']`: etcd + kube-apiserver, no controller manager.
import { realTierGlobalSetup } from './vitest-setup';

export default realTierGlobalSetup();
