// `npm start` (local mode): see the root README, "Local mode". Reads flags, starts the runner, prints the
// commands to try, and stops everything on Ctrl-C / SIGTERM.
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import { formatMeshCommands } from '../runner/format-mesh-commands';
import { formatReadyBanner } from '../runner/format-ready-banner';
import { startRunner } from '../runner/start-runner';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');

function port(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`"${value}" is not a port (0-65535; 0 = any free port)`);
  return n;
}

function seconds(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`"${value}" is not a positive number of seconds`);
  return n;
}

const program = new Command()
  .name('npm start --')
  .description(
    'reroll on a laptop: API emulator, hello pods behind a Host-routing gateway, restart function scaled to zero',
  )
  .option('--gateway-port <port>', 'the gateway port (0 = any free port)', port, 18080)
  .option('--api-port <port>', 'the Kubernetes API emulator port (0 = any free port)', port, 0)
  .option('--kubeconfig <path>', 'where to write the kubeconfig for kubectl', resolve(repoRoot, '.reroll/kubeconfig'))
  .option('--mesh-port <port>', 'the mesh port: routes as a sidecar would (0 = any free port)', port, 18081)
  .option('--idle <seconds>', 'stop the restart function after this long without events', seconds, 30)
  .parse();

const flags = program.opts<{
  gatewayPort: number;
  meshPort: number;
  apiPort: number;
  kubeconfig: string;
  idle: number;
}>();

async function main(): Promise<void> {
  const runner = await startRunner({
    repoRoot,
    gatewayPort: flags.gatewayPort,
    meshPort: flags.meshPort,
    apiPort: flags.apiPort,
    kubeconfigPath: resolve(flags.kubeconfig),
    idleSeconds: flags.idle,
    write: (text) => process.stdout.write(text),
    colors: process.stdout.isTTY,
  });
  process.stdout.write(
    formatReadyBanner({
      kubeconfigPath: runner.kubeconfigPath,
      gatewayUrl: runner.gatewayUrl,
      namespace: runner.namespace,
      apps: runner.apps,
      extraLines: formatMeshCommands({ meshUrl: runner.mesh.url, ...runner.mesh }),
    }),
  );
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) {
      process.stdout.write(`${signal} again: exiting now\n`);
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`${signal}: stopping everything\n`);
    runner.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while stopping: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGHUP', () => shutdown('SIGHUP'));
  // The terminal or pipe went away: nobody sees the logs any more, stop cleanly instead of crashing.
  process.stdout.on('error', () => {
    if (!stopping) shutdown('stdout closed');
  });
}

main().catch((err: unknown) => {
  const message = (err as Error).message;
  const hint = message.includes('EADDRINUSE')
    ? ' (pick another --gateway-port / --api-port, or 0 for any free port)'
    : '';
  process.stderr.write(`npm start failed: ${message}${hint}\n`);
  process.exit(1);
});
