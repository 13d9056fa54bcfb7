// The contract table through @kubernetes/client-node 1.4.
import { runContract } from './contract/run-contract';
import { clientNodeDriver } from './contract/client-node-driver';

runContract(clientNodeDriver, 20_000);
