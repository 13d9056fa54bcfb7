// `npm run emulator -- [--port N] [--kubeconfig PATH]`: the emulator as a standalone cluster.
import { Command, InvalidArgumentError } from 'commander';
import { startEmulator } from '../emulator/index';

function parsePort(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`port must be an integer 0-65535, got "${v}"`);
  return n;
}

const program = new Command()
  .name('emulator')
  .description('In-memory Kubernetes API emulator (kubectl and @kubernetes/client-node work against it)')
  .option('-p, --port <n>', 'port on 127.0.0.1 (0 = any free port)', parsePort, 0)
  .option('-k, --kubeconfig <path>', 'where to write the kubeconfig (default: a temp file)')
  .option('--host <host>', 'address to listen on', '127.0.0.1')
  .option('--workload-status <mode>', "'immediate' (rollouts finish at once) or 'external'", 'immediate')
  .option('--rbac', 'enforce stored RBAC objects (serves HTTPS; the kubeconfig carries an admin token)', false)
  .parse();

const opts = program.opts<{ port: number; kubeconfig?: string; host: string; workloadStatus: string; rbac: boolean }>();
if (opts.workloadStatus !== 'immediate' && opts.workloadStatus !== 'external')
  program.error(`--workload-status must be immediate or external, got "${opts.workloadStatus}"`);

const emulator = await startEmulator({
  port: opts.port,
  host: opts.host,
  kubeconfigPath: opts.kubeconfig,
  workloadStatus: opts.workloadStatus as 'immediate' | 'external',
  ...(opts.rbac ? { authorization: 'rbac' as const } : {}),
});
console.log(
  `Kubernetes API emulator listening on ${emulator.url} — kubeconfig ${emulator.kubeconfigPath} (export KUBECONFIG=${emulator.kubeconfigPath})`,
);

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void emulator.stop().then(() => process.exit(0));
  });
}
