// The same contract table through the real kubectl binary.
import { runContract } from './contract/run-contract';
import { kubectlDriver } from './contract/kubectl-driver';

runContract(kubectlDriver, 40_000);
