// `globalSetup: ['@reroll/envtest/global-setup-controllers']`: etcd + kube-apiserver + kube-controller-manager.
import { realTierGlobalSetup } from './vitest-setup';

export default realTierGlobalSetup({ controllerManager: true });
